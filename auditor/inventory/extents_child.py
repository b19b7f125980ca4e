"""A large JSON file's asset extents found by a forked child while the parent decodes and audits.

Finding where each asset of a JSON file starts and ends is a pass over its text in Python (about a
tenth of a 100k-asset audit) that nothing needs before the first finding is made. With a second CPU
free, a child forked right after the file is read does it meanwhile, from the same bytes (shared
copy-on-write, never touched by the parent):

1. it decodes only the assets' ids, section by section in file order (msgspec, with a struct of
   just `id`), and finds every `"id"` of the text with its line and column (source._first_matches);
2. it waits for one byte from the parent, who knows once it has decoded whether every brace of
   the file is an object's (then closing braces are counted, else strings are skipped);
3. it leaves in its answer file, per section, four int32 per asset (line, column, end line, end
   column; 0 for none), so the parent indexes them by the asset's path and builds no dictionary of ids.

Any failure (no fork, the child exiting non-zero, an answer of the wrong size) makes the caller fall
back to the serial scan of the same bytes, which gives the same locations. The forking, the CPU count
and the reaping are auditor.forked's.
"""

from __future__ import annotations

import contextlib
import os
from array import array

import msgspec
import orjson

from auditor import forked
from auditor.inventory.json_fast import BOM

# Below this a file's extents cost less than the fork and the answer (about 20 ms at 8 MB)
MIN_BYTES = 8 * 1024 * 1024
_HEADER_END = b"\n"


class _Id(msgspec.Struct):
    id: str


_SECTIONS = msgspec.json.Decoder(dict[str, list[_Id] | _Id | int])


class ExtentsChild:
    """The parent's handle on one child: tell it the brace verdict, then read its answer once."""

    def __init__(self, child: forked.Child, verdict_fd: int) -> None:
        self._child, self._verdict_fd = child, verdict_fd

    @property
    def pid(self) -> int:
        return self._child.pid

    def tell(self, structural_braces: bool) -> None:
        """Let the child count braces (every brace is an object's) or skip strings."""
        if self._verdict_fd >= 0:  # never once closed: the number may be another file's by then
            with contextlib.suppress(OSError):
                os.write(self._verdict_fd, b"1" if structural_braces else b"0")

    def answer(self) -> dict[str, list[int]] | None:
        """Per section, the four int32 of each asset in file order; None if the child failed."""
        self.tell(False)  # harmless if already told: the child reads one byte
        self._verdict_fd = -1  # closed by the child's handle
        answer = self._child.answer()
        return None if answer is None else _decode_answer(answer)

    def close(self) -> None:
        """Stop the child if its answer is not wanted."""
        self._verdict_fd = -1
        self._child.close()


def start(raw: bytes) -> ExtentsChild | None:
    """Fork a child to find `raw`'s asset extents; None when no CPU is spare, the file is small or fork fails."""
    if len(raw) < MIN_BYTES or not forked.may_fork():
        return None
    try:
        verdict_read, verdict_write = os.pipe()
    except OSError:
        return None
    started = forked.start_child(lambda: _child_answer(raw, verdict_read), verdict_write)
    os.close(verdict_read)
    if started is None:
        os.close(verdict_write)
        return None
    return ExtentsChild(forked.Child(*started, verdict_write), verdict_write)


def _child_answer(raw: bytes, verdict_fd: int) -> bytes:
    """What the child leaves: a JSON header [[section, count], ...], a newline, then the int32s."""
    from auditor.inventory.source import id_extents  # the parent has it imported: no cost

    sections = _SECTIONS.decode(memoryview(raw)[len(BOM) :] if raw.startswith(BOM) else raw)
    text = raw.decode("utf-8-sig")
    found = id_extents(text, lambda: os.read(verdict_fd, 1) == b"1")
    header: list[tuple[str, int]] = []
    values = array("i")
    for name, items in sections.items():
        if isinstance(items, int):
            continue
        ids = [items.id] if isinstance(items, _Id) else [item.id for item in items]
        header.append((name, len(ids)))
        for asset_id in ids:
            extent = found.get(asset_id)
            values.extend((0, 0, 0, 0) if extent is None else (value or 0 for value in extent))
    return orjson.dumps(header) + _HEADER_END + values.tobytes()


def _decode_answer(answer: bytes) -> dict[str, list[int]] | None:
    head, sep, body = answer.partition(_HEADER_END)
    if not sep:
        return None
    try:
        header = orjson.loads(head)
    except orjson.JSONDecodeError:
        return None
    values = memoryview(body)
    if len(body) % 4:
        return None
    values = values.cast("i")
    sections: dict[str, list[int]] = {}
    start_at = 0
    for name, count in header:
        sections[name] = values[start_at : start_at + 4 * count].tolist()
        start_at += 4 * count
    return sections if start_at == len(values) else None
