"""Block-style YAML as inventories are written, read line by line: the event reader's data and positions, faster.

libyaml's events cost about 0.7 us each in Python (an event object and two marks), and a 100k-asset file
has two million of them. Inventories, dumped or hand-written, are mostly lines of `key: value` and
`- key: value` with plain or quoted one-line scalars. This reader takes exactly that subset: block
mappings and sequences (indentless ones too), simple keys, one-line plain, single-quoted and escape-free
double-quoted scalars, empty flow collections (`[]`, `{}`) and whole-line comments. Anything else (a
tab, a comment after a value, a multi-line or block scalar, a flow collection with content, an empty
value, an anchor, a tag, a directive or document marker, a duplicate key, odd indentation, nesting at the
limit, a character libyaml refuses) makes it give up, and yaml_events reads the text from its events:
what this reader returns is what that one would (tests/test_yaml_block.py compares them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from sys import intern
from typing import Any

from auditor.inventory.yaml_events import RESOLVABLE, SHALLOW, DataPath, Position, Shallow, plain_value

# Control characters libyaml refuses (tab included: it may not indent; line breaks other than \n are others)
_REFUSED_ASCII = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
# Outside ASCII: characters libyaml refuses, and its other line breaks (NEL, U+2028, U+2029), which split a
# value where this reader's lines do not
_REFUSED = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_MARKERS = ("---", "...", "%")  # a line opening or closing a document, or a directive
# One line: its indentation, a sequence entry's dash, a simple key (libyaml allows 1024 characters) and
# the rest. Every line matches, so the rows are the lines.
_LINE = re.compile(r"( *)(- +|-$)?(?:([A-Za-z0-9_][A-Za-z0-9_.\-]{0,200}):( +|$))?(.*)\n", re.MULTILINE)
# A plain scalar may not start with these (`-` only when a space or nothing follows)
_INDICATORS = frozenset("?:,[]{}#&*!|>%@`")
# First characters of a plain scalar that is a string as it stands (see _scalar for the others)
_PLAIN_START = frozenset(chr(code) for code in range(0x20, 0x7F)) - _INDICATORS - RESOLVABLE - set("'\" -")

# Characters of the text matched into rows at a time (see _rows)
_CHUNK_CHARACTERS = 1 << 20
# How many scalar texts' values are remembered (see _scalar)
_KEPT = 1 << 16

# A line's groups: indentation, dash, key, the spaces after the key's colon, the rest
_Row = tuple[str, str, str, str, str]


class _GiveUp(Exception):
    """The text is outside this reader's subset."""


def read_block_yaml(text: str, max_depth: int) -> Shallow | None:
    """The data and shallow positions of `text` when it is in this reader's subset; None otherwise."""
    refused = _REFUSED_ASCII if text.isascii() else _REFUSED
    if refused.search(text) or text.startswith(_MARKERS) or any(f"\n{m}" in text for m in _MARKERS):
        return None
    if " \n" in text:  # trailing spaces: no part of any value here, and no column moves
        text = re.sub(r" +\n", "\n", text)
    if not text.endswith("\n"):
        text += "\n"
    try:
        return _read(_rows(text), max_depth)
    except _GiveUp:
        return None


def _rows(text: str) -> Iterator[_Row]:
    """The rows of `text` (ending in a line break), matched a chunk of lines at a time: all rows at once would
    take several times the text's memory."""
    chunks: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = text.find("\n", start + _CHUNK_CHARACTERS) + 1 or len(text)
        chunks.append((start, end))
        start = end
    return chain.from_iterable(_LINE.findall(text, start, end) for start, end in chunks)


def _end(row: _Row) -> int:
    """The column (1-based) one past a row's last character: where its value ends."""
    return sum(map(len, row)) + (1 if row[2] else 0) + 1  # the key's colon is in no group


def _read(rows: Iterator[_Row], max_depth: int) -> Shallow:
    """The rows' data and positions. The open block is held in locals (the line's common case is a key of
    it); the blocks around it on `stack`, each as (indent, is a sequence, value, path, children's path
    prefix or None when deep, depth)."""
    positions: dict[DataPath, Position] = {}
    ends: dict[DataPath, Position] = {}
    stack: list[tuple[int, bool, Any, DataPath | None, DataPath | None, int]] = []
    # The open block: the column of its keys or dashes (-1: none yet), whether a sequence, how deep, its
    # dict or list, its path (None: deeper than positions are kept) and its children's path prefix
    at, sequence, depth = -1, False, 0
    value: Any = None
    path: DataPath | None = None
    prefix: DataPath | None = None
    pending: tuple[str, DataPath | None] | None = None  # a key whose value starts on a later line
    last_row: _Row = ("", "", "", "", "")
    last_number = 0  # the line (1-based) of last_row, the last value scalar or empty flow collection
    folded, folded_key, folded_number = "", "", 0  # a plain scalar folded over lines: its text so far
    known: dict[str, Any] = {}  # the value of each scalar text read (up to _KEPT of them)
    id_key = intern("id")
    limit = max_depth - 1  # a flow child (`[]`) of a block at the limit is the event reader's call
    plain_start = _PLAIN_START
    for number, row in enumerate(rows, 1):
        spaces, dash, key, _, rest = row
        if not dash:
            if not key:
                if not rest or rest[0] == "#":
                    continue  # a blank or comment line
                # A line of a plain scalar folded over lines: right after its first line (or another), deeper
                # than the block holding it. Anything else (a scalar document, a line after a blank or a
                # comment line, a quoted or flow value continued) is the event reader's.
                if number != last_number + 1 or len(spaces) <= at or pending is not None or at < 0:
                    raise _GiveUp
                if folded_number != last_number:  # the scalar's second line
                    folded, folded_key = last_row[4], last_row[2]
                    if folded[0] in "'\"[{":
                        raise _GiveUp
                folded += " " + rest
                folded_number = last_number = number
                last_row = row
                scalar = _scalar(folded, known)
                if folded_key:
                    child = None if prefix is None else (*prefix, folded_key)
                    value[folded_key] = scalar
                else:
                    child = None if prefix is None else (*prefix, len(value) - 1)
                    value[-1] = scalar
                if child is not None:
                    ends[child] = (number, _end(row))
                continue
            if pending is None and len(spaces) == at and not sequence:  # a key of the open mapping
                key = intern(key)
                if key in value:
                    raise _GiveUp
                if not rest:
                    pending = (key, None if prefix is None else (*prefix, key))
                    continue
                first = rest[0]
                if first in plain_start and ": " not in rest and " #" not in rest and rest[-1] != ":":
                    if key is id_key:  # a plain string, the common value; an id, unique
                        value[key] = rest
                    else:  # one string for each repeated value (a kind, a country, a reference)
                        shared = known.get(rest)
                        if shared is None:
                            shared = rest
                            if len(known) < _KEPT:
                                known[rest] = rest
                        value[key] = shared
                else:
                    value[key] = _scalar(rest, known)
                last_row, last_number = row, number
                if prefix is not None:
                    child = (*prefix, key)
                    positions[child] = (number, _end(row) - len(rest))
                    ends[child] = (number, _end(row))
                continue
        indent = len(spaces)
        if pending is not None:  # the line opens the value of `pending` (the open block is its mapping)
            if indent < at or (indent == at and not dash):
                raise _GiveUp  # an empty value: where it stands is libyaml's to say
            if depth + 1 >= limit:
                raise _GiveUp
            name, child = pending
            pending = None
            opened: Any = [] if dash else {}
            value[name] = opened
            stack.append((at, sequence, value, path, prefix, depth))
            at, sequence, value, path, depth = indent, bool(dash), opened, child, depth + 1
            prefix = child if child is not None and len(child) < SHALLOW else None
            if child is not None:
                positions[child] = (number, indent + 1)
        elif at < 0:  # the first content line opens the root
            at, sequence, value, path, prefix = indent, bool(dash), [] if dash else {}, (), ()
            positions[()] = (number, indent + 1)
        else:
            while indent < at or (indent == at and sequence and not dash):
                if path is not None:
                    ends[path] = (last_number, _end(last_row))
                if not stack:
                    raise _GiveUp  # content after the root's end
                at, sequence, value, path, prefix, depth = stack.pop()
            if indent != at:
                raise _GiveUp  # deeper than the open block: a continuation line or odd indentation
        if sequence:
            if not dash:
                raise _GiveUp
            child = None if prefix is None else (*prefix, len(value))
            if key:  # `- key: ...`: a mapping whose keys stand after the dash
                if depth + 1 >= limit:
                    raise _GiveUp
                opened = {}
                value.append(opened)
                stack.append((at, sequence, value, path, prefix, depth))
                at, sequence, value, path, depth = indent + len(dash), False, opened, child, depth + 1
                prefix = child if child is not None and len(child) < SHALLOW else None
                if child is not None:
                    positions[child] = (number, at + 1)
            elif not rest:
                raise _GiveUp  # a bare dash: its item on the next lines, or empty
            else:
                value.append(_scalar(rest, known))
                last_row, last_number = row, number
                if child is not None:
                    positions[child] = (number, indent + len(dash) + 1)
                    ends[child] = (number, _end(row))
                continue
        elif dash:
            raise _GiveUp
        key = intern(key)
        if key in value:
            raise _GiveUp
        child = None if prefix is None else (*prefix, key)
        if not rest:
            pending = (key, child)
            continue
        value[key] = _scalar(rest, known)
        last_row, last_number = row, number
        if child is not None:
            positions[child] = (number, _end(row) - len(rest))
            ends[child] = (number, _end(row))
    if pending is not None or at < 0:
        raise _GiveUp
    while True:
        if path is not None:
            ends[path] = (last_number, _end(last_row))
        if not stack:
            return Shallow(value, positions, ends)
        at, sequence, value, path, prefix, depth = stack.pop()


def _not_plain(text: str) -> bool:
    """Whether `text` cannot be a one-line plain scalar: it starts with an indicator, or holds a mapping's
    `: `, a comment's ` #` or ends with a colon."""
    first = text[0]
    if first in _INDICATORS or (first == "-" and (len(text) == 1 or text[1] == " ")):
        return True
    return ": " in text or " #" in text or text[-1] == ":"


def _scalar(text: str, known: dict[str, Any]) -> Any:
    """The value of a one-line scalar, or of an empty flow collection. `known` holds the values of texts
    read before: most repeat (true, a kind, a country, a number), and values are immutable, so one object
    serves every occurrence (a 50 MB file holds about a million repeated strings)."""
    if text in known:
        return known[text]
    first = text[0]
    if first == "'":
        close = text.find("'", 1)
        while close != -1 and text[close + 1 : close + 2] == "'":
            close = text.find("'", close + 2)
        if close != len(text) - 1:
            raise _GiveUp  # not closed on this line, or something after it
        value: Any = text[1:close].replace("''", "'")
    elif first == '"':
        if "\\" in text or text.find('"', 1) != len(text) - 1:
            raise _GiveUp  # escapes, or not closed on this line, or something after it
        value = text[1:-1]
    elif text == "[]":
        return []
    elif text == "{}":
        return {}
    elif _not_plain(text):
        raise _GiveUp
    elif first not in RESOLVABLE:
        value = text
    else:
        try:
            value = plain_value(text)
        except ValueError:  # a merge key, or a number the full reader refuses
            raise _GiveUp from None
    if len(known) < _KEPT:
        known[text] = value
    return value
