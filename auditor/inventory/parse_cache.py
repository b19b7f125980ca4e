"""What a plain YAML file parsed to, kept per file under the user's cache folder and keyed by its SHA-256.

Reading YAML costs about 20 us an asset even in one pass over libyaml's events; JSON decodes as fast as a
cache entry would, so only YAML is kept. The key is the SHA-256 of the file's bytes that the loader
computes anyway, so a changed byte is a miss. The folder is the user's own (XDG_CACHE_HOME, else
~/.cache), not one beside the inventory: a repository could ship a folder of entries that say its
inventory holds something else. An entry that cannot be read, is not this version's or names another
digest is a miss, and is replaced.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from auditor import __version__
from auditor.cache_files import keep_entry
from auditor.inventory.yaml_events import Shallow

# 2: each position carries its value's end line and column (1: the line where its last value starts)
FORMAT = 2


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
            ends: dict[tuple[str | int, ...], tuple[int, int]] = {}
            for *path, line, column, end_line, end_column in entry["positions"]:
                if not all(type(n) is int for n in (line, column, end_line, end_column)):
                    return None
                key = tuple(path)
                positions[key], ends[key] = (line, column), (end_line, end_column)
            return Shallow(entry["data"], positions, ends)
        except (OSError, ValueError, KeyError, TypeError):  # absent, corrupt or foreign: a miss
            return None

    def holds(self, sha256: str) -> bool:
        """Whether an entry for this digest exists (reading it may still find a miss)."""
        return self._entry(sha256).is_file()

    def put(self, sha256: str, shallow: Shallow) -> None:
        """Keep `shallow` for the file of digest `sha256`; a folder that cannot be written is no error."""
        rows: list[Any] = [[*path, *start, *shallow.ends[path]] for path, start in shallow.positions.items()]
        entry = {"format": FORMAT, "auditor": __version__, "sha256": sha256, "positions": rows, "data": shallow.data}
        try:
            payload = orjson.dumps(entry)
        except orjson.JSONEncodeError:  # an integer wider than 64 bits: read it again next time
            return
        keep_entry(self.folder, self._entry(sha256), payload)
