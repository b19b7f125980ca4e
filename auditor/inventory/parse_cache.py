"""What a plain YAML file parsed to, kept per file under the user's cache folder and keyed by its SHA-256.

Reading YAML costs about 20 us an asset even in one pass over libyaml's events; JSON decodes as fast as a
cache entry would, so only YAML is kept. The key is the SHA-256 of the file's bytes that the loader
computes anyway, so a changed byte is a miss. The folder is the user's own (XDG_CACHE_HOME, else
~/.cache), not one beside the inventory: a repository could ship a folder of entries that say its
inventory holds something else. An entry that cannot be read, is not this version's or names another
digest is a miss, and is replaced.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson

from auditor import __version__
from auditor.inventory.yaml_events import Shallow

FORMAT = 1


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/ai-infra-auditor/parsed, else ~/.cache/ai-infra-auditor/parsed."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ai-infra-auditor" / "parsed"


class ParseCache:
    """Entries of one cache folder: `get` a file's parse by its digest, `put` one after a parse."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _entry(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.v{FORMAT}.json"

    def get(self, sha256: str) -> Shallow | None:
        try:
            entry = orjson.loads(self._entry(sha256).read_bytes())
            if entry["format"] != FORMAT or entry["auditor"] != __version__ or entry["sha256"] != sha256:
                return None
            positions: dict[tuple[str | int, ...], tuple[int, int]] = {}
            last_lines: dict[tuple[str | int, ...], int] = {}
            for *path, line, column, last in entry["positions"]:
                if not all(type(n) is int for n in (line, column, last)):
                    return None
                key = tuple(path)
                positions[key], last_lines[key] = (line, column), last
            return Shallow(entry["data"], positions, last_lines)
        except (OSError, ValueError, KeyError, TypeError):  # absent, corrupt or foreign: a miss
            return None

    def put(self, sha256: str, shallow: Shallow) -> None:
        """Keep `shallow` for the file of digest `sha256`; a folder that cannot be written is no error."""
        rows: list[Any] = [
            [*path, line, column, shallow.last_lines.get(path, line)]
            for path, (line, column) in shallow.positions.items()
        ]
        entry = {"format": FORMAT, "auditor": __version__, "sha256": sha256, "positions": rows, "data": shallow.data}
        try:
            payload = orjson.dumps(entry)
        except orjson.JSONEncodeError:  # an integer wider than 64 bits: read it again next time
            return
        with contextlib.suppress(OSError):
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(payload)
                os.replace(temporary, self._entry(sha256))
            except OSError:
                os.unlink(temporary)
                raise
