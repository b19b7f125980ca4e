"""The generated rule code's compiled form, kept per source: compiled once a process, and once a user
when given a folder.

Compiling the verdicts of the bundled packs costs about 0.1 s, in every process that generates them.
With a folder (the user's cache folder, the one unchanged YAML parses are kept in; `--no-cache`
gives none) the code object is kept there, marshalled, under the SHA-256 of this Python's bytecode
magic number and the source. Like Python's own __pycache__, loading an entry runs the code it holds,
so the folder must be the user's own. An entry that is absent, is not this Python's, names another
source or whose bytes do not match their recorded digest (a torn or corrupt file) is a miss: the
source is compiled again and the entry replaced. A folder that cannot be written is no error.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import sys
from pathlib import Path
from types import CodeType

from auditor.cache_files import keep_entry

FILENAME = "<auditor rules>"  # what tracebacks through the generated code name
_MAGIC = importlib.util.MAGIC_NUMBER
_COMPILED: dict[str, CodeType] = {}  # source -> code object: the same rules compile once a process


class CodeCache:
    """Code objects for generated sources, from memory, the folder (if any) or `compile`."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def code(self, source: str) -> CodeType:
        found = _COMPILED.get(source)
        if found is not None:
            return found
        key = hashlib.sha256(_MAGIC + source.encode()).digest()
        found = self._read(key) if self.folder is not None else None
        if found is None:
            found = compile(source, FILENAME, "exec")
            if self.folder is not None:
                self._write(key, found)
        _COMPILED[source] = found
        return found

    def _entry(self, key: bytes) -> Path:
        assert self.folder is not None
        return self.folder / f"rules-{key.hex()}.{sys.implementation.cache_tag}.code"

    def _read(self, key: bytes) -> CodeType | None:
        try:
            data = self._entry(key).read_bytes()
        except OSError:
            return None
        header = _MAGIC + key
        body = data[len(header) + 32 :]
        if data[: len(header)] != header or data[len(header) : len(header) + 32] != hashlib.sha256(body).digest():
            return None
        try:
            code = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return None
        return code if type(code) is CodeType else None

    def _write(self, key: bytes, code: CodeType) -> None:
        body = marshal.dumps(code)
        payload = _MAGIC + key + hashlib.sha256(body).digest() + body
        assert self.folder is not None
        keep_entry(self.folder, self._entry(key), payload)
