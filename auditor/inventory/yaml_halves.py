"""A large plain YAML file parsed in two halves, the second by a forked child, split at a top-level key.

One YAML file of 100k assets takes the fast readers 3-6 s on this project's machine, the dearest step
of loading it. With a spare CPU (auditor.forked) its text is split at the top-level key line nearest
55% of it (a line such as `storage:` at column 0; the child's part also costs its pickling), a child
parses the second part while this process parses the first, and the two parses are joined by section,
the child having shifted its lines by the first part's.

A text is split only where that cannot change what it reads as: its root mapping starts at column 0,
so a key at column 0 is one of the root's keys and ends any scalar, block or item above it; it has no
document marker or directive; and its lines end in "\n" or "\r\n" only, so counting "\n" counts
them. Anything else gives None and the caller parses the whole text as before, which reads it or
reports its error exactly: a half the fast readers refuse (a quote or a bracket that the split left
open, an anchor, an alias to the other half), halves that are not both mappings, or a key in both (a
duplicate the whole reader reports). If the child fails, this process parses the second half itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from auditor import forked
from auditor.inventory.yaml_events import Shallow

# Below this a half parses in about the time the fork and the pickled parse cost
MIN_CHARS = 2 * 1024 * 1024
_KEY_LINE = re.compile(r"\n[A-Za-z_][\w-]*:[ \t\r\n]")  # a plain key at column 0, the line before it ended
_STARTS_WITH_KEY = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*[A-Za-z_][\w-]*:[ \t\r\n]")  # past blanks and comments
_MARKERS = ("---", "...", "%")  # documents and directives
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to libyaml (yaml_events._LINE_BREAK) besides \n


def split_at(text: str) -> int | None:
    """Offset of the key line nearest 55% of `text` when the text may be split and a fifth of it at
    least lies on each side; None otherwise."""
    if len(text) < MIN_CHARS or not splittable(text):
        return None
    middle, fifth = len(text) * 11 // 20, len(text) // 5  # the child's part also costs its pickling
    at = min((found.start() + 1 for found in _KEY_LINE.finditer(text)), key=lambda at: abs(at - middle), default=0)
    return at if fifth <= at <= len(text) - fifth else None


def splittable(text: str) -> bool:
    """Whether a key line of `text` at column 0 is a key of its root mapping, and "\n" counts its lines."""
    if not _STARTS_WITH_KEY.match(text):
        return False
    if text.startswith(_MARKERS) or any(f"\n{marker}" in text for marker in _MARKERS):
        return False
    if not text.isascii() and any(brk in text for brk in _OTHER_BREAKS):
        return False
    return "\r" not in text or text.count("\r") == text.count("\r\n")


def read_in_halves(text: str, parse: Callable[[str], Shallow | None]) -> Shallow | None:
    """`parse(text)` (the fast readers) done as two halves at once when a CPU is spare; None when the
    text is not split or its halves do not join (see the module's docstring)."""
    at = split_at(text) if forked.may_fork() else None
    if at is None:
        return None
    lines = text.count("\n", 0, at)
    second = forked.meanwhile(lambda: _moved_down(parse(text[at:]), lines))
    first = parse(text[:at])
    if first is None:  # the child, never asked, is stopped when `second` is let go
        return None
    rest = second()
    if rest is None or type(first.data) is not dict or type(rest.data) is not dict:
        return None
    if not first.data.keys().isdisjoint(rest.data):
        return None
    # the document starts where the first half does and ends where the second does
    return Shallow({**first.data, **rest.data}, first.positions.joined(rest.positions), rest.ends.joined(first.ends))


def _moved_down(parsed: Shallow | None, lines: int) -> Shallow | None:
    """A half's parse with its lines counted from the start of the whole text (done by the child)."""
    if parsed is None:
        return None
    return Shallow(parsed.data, parsed.positions.shifted(lines), parsed.ends.shifted(lines))
