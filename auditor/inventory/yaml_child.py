"""The last YAML files of an inventory parsed by a forked child while the parent reads the first ones.

Parsing YAML is the dearest part of loading (about 30-50 us an asset on the fast readers, against
about 3 us to read back the pickled parse), and files are independent until their assets are merged.
So when an inventory has several YAML files and a CPU is spare (auditor.forked), a child parses the
last files, up to 3/5 of the YAML bytes (the parent also turns every file into structs), while the
parent reads the first ones and turns them into structs; the parent then takes the child's parses in
file order, so duplicate ids and every message are as without a child.

The child takes only what the fast readers parse; a file that cannot be read, is not UTF-8, needs the
full YAML reader or has a parse cache entry (an entry reads back faster in the parent than through a
child) is left to the parent, who reads it as usual, with every check and message. The child keeps the
cache entries of the files it parsed, and pickles each parse apart, so the parent unpickles one file's
parse at a time. JSON files stay with the parent: reading a child's structs back
(msgspec's msgpack, 0.72 s for the 100k declared assets) costs most of what decoding and converting
the file does (orjson 0.40 s, structs 0.73 s); and a JSON file large enough for its own extents child
(extents_child.MIN_BYTES) that comes before the share keeps the spare CPU for that child.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from auditor import forked
from auditor.errors import InputError
from auditor.inventory import extents_child
from auditor.inventory.parse_cache import ParseCache
from auditor.inventory.source import Document, parsed_yaml_document, plain_yaml, read_bytes_bounded, utf8_text
from auditor.inventory.yaml_events import Shallow

# Below this the child's share parses in about the time the fork and its pickled answer cost
MIN_CHILD_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ParsedYaml:
    """A plain YAML file's parse, with the digest and the size of the bytes it was parsed from."""

    shallow: Shallow
    sha256: str
    size: int


def child_share(paths: list[Path], max_bytes: int) -> list[int]:
    """Indexes of the last YAML files of `paths` that hold together at most 3/5 of the YAML bytes, never
    the first one; none if a JSON file that gets an extents child comes before them."""
    sizes = [_size(path) for path in paths]
    yaml_sizes = [0 if _is_json(path) or size > max_bytes else size for path, size in zip(paths, sizes, strict=True)]
    yaml_files = [index for index, size in enumerate(yaml_sizes) if size]
    most, taken, share = sum(yaml_sizes) * 3 / 5, 0, []
    for index in reversed(yaml_files[1:]):
        if taken + yaml_sizes[index] > most:
            break
        taken += yaml_sizes[index]
        share.append(index)
    if not share or taken < MIN_CHILD_BYTES:
        return []
    first = min(share)
    if any(
        _is_json(path) and size >= extents_child.MIN_BYTES for path, size in zip(paths[:first], sizes, strict=False)
    ):
        return []
    return sorted(share)


def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"  # as read_document tells them apart


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # the parent reads it and says why
        return 0


def _parse_file(path: Path, display: str, max_bytes: int, cache: ParseCache | None) -> ParsedYaml | None:
    """parse_plain_yaml of the file's bytes, unless it cannot be read or the cache holds it (the parent's)."""
    try:
        raw = read_bytes_bounded(path, display, max_bytes)
    except InputError:
        return None
    sha256 = hashlib.sha256(raw).hexdigest()
    if cache is not None and cache.holds(sha256):
        return None
    return parse_plain_yaml(raw, display, sha256, cache)


def parse_plain_yaml(raw: bytes, display: str, sha256: str, cache: ParseCache | None) -> ParsedYaml | None:
    """The file's parse by the fast readers, kept in `cache`; None for anything the parent should read."""
    try:
        text = utf8_text(raw, display)
    except InputError:
        return None
    shallow = plain_yaml(text)
    if shallow is None:
        return None
    if cache is not None:
        cache.put(sha256, shallow)
    return ParsedYaml(shallow, sha256, len(raw))


class ChildParses:
    """The Documents of the files a child parsed, by their index in the inventory's file list."""

    def __init__(self, files: list[tuple[Path, str]], max_bytes: int, cache: ParseCache | None) -> None:
        self._files = files
        share = child_share([path for path, _ in files], max_bytes)
        self._share = set(share)

        def work() -> dict[int, bytes]:
            parses = {index: _parse_file(*files[index], max_bytes, cache) for index in share}
            return {index: pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL) for index, parsed in parses.items() if parsed}

        # a child that fails, or no fork, leaves every file to the parent in its turn (not all at once)
        self._answer: Callable[[], dict[int, bytes]] = forked.meanwhile(work, otherwise=dict) if share else dict
        self._pickled: dict[int, bytes] | None = None

    def document(self, index: int) -> Document | None:
        """The index-th file's Document if the child parsed it; the first call for a file of the share
        waits for the child's whole answer."""
        if index not in self._share:
            return None
        if self._pickled is None:
            self._pickled = self._answer()
        pickled = self._pickled.pop(index, None)
        if pickled is None:
            return None
        parsed: ParsedYaml = pickle.loads(pickled)
        return parsed_yaml_document(*self._files[index], parsed.shallow, parsed.sha256, parsed.size)
