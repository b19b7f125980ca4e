"""A plain YAML text read in one pass over libyaml's events: its data and the positions of its top two levels.

The full reader (source.read_yaml) composes a node tree, resolves every scalar through PyYAML's Python
resolver and walks the tree again for positions: about 9 us a node. Inventories are plain YAML (no
anchors, tags or merge keys), and an asset's location needs only the top two levels (the section and the
item). Here one loop over the C parser's events builds the data and those positions. Anything it does not
read exactly as the full reader would (an anchor, an alias, an explicit tag, a merge key, a duplicate
key, a complex key, nesting at the limit, a scalar that does not resolve, more than one document, a
syntax error) makes it give up: the caller then reads the text the full way, which builds the same data
or raises the exact error.

Each of those values also gets its extent's end, as SARIF counts it: the line of its last character and
the column one past it. libyaml's end mark of a block mapping or sequence is where the next token
starts (past blank lines and comments), so the end is that of the last scalar or flow collection inside.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Mapping
from sys import intern
from typing import Any

import yaml

from auditor.inventory.yaml_core import TAG, CoreSchemaLoader, construct_scalar

DataPath = tuple[str | int, ...]
Position = tuple[int, int]
# How deep positions are kept: the section (length 1) and its items (length 2).
SHALLOW = 2

_BLOCK_STYLES = ("|", ">")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # libyaml's line breaks
_BLANK = " \t\r\n\x85\u2028\u2029"
_HEADER_COMMENT = re.compile(r"[ \t]+#.*")

_MERGE = f"{TAG}merge"
_RESOLVERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers) for first, resolvers in CoreSchemaLoader.yaml_implicit_resolvers.items() if first
}
# First characters of the plain scalars that some pattern may resolve: others stay strings
RESOLVABLE = frozenset(_RESOLVERS)
_EMPTY = tuple(CoreSchemaLoader.yaml_implicit_resolvers.get("", ()))


class _GiveUp(Exception):
    """The text needs the full reader."""


class Positions(Mapping[DataPath, Position]):
    """A position per path of the top two levels, those of a list section's items in one array per section.

    As a dict of tuples each item's start and end took about 380 bytes (125 MB for a 50 MB file of 330k
    assets, alive with all the assets); in arrays, 16.
    """

    __slots__ = ("_items", "_paths")
    _paths: dict[DataPath, Position]
    _items: dict[str | int, array[int]]

    def __init__(self, found: Mapping[DataPath, Position]) -> None:
        if isinstance(found, Positions):  # shared, not rebuilt
            self._paths, self._items = found._paths, found._items
            return
        paths: dict[DataPath, Position] = {}
        items: dict[str | int, array[int]] = {}
        for path, position in found.items():
            if len(path) == 2 and type(path[1]) is int:
                kept = items.get(path[0])
                if kept is None:
                    kept = items[path[0]] = array("I")
                if len(kept) == 2 * path[1]:  # the next item of its section (items come in order)
                    kept.extend(position)
                    continue
            paths[path] = position
        self._paths, self._items = paths, items

    def shifted(self, lines: int) -> Positions:
        """These positions `lines` lines further down: a text's parse when it follows that many line breaks."""
        moved = Positions({})
        moved._paths = {path: (line + lines, column) for path, (line, column) in self._paths.items()}
        for section, kept in self._items.items():
            copy = moved._items[section] = array("I", kept)
            copy[0::2] = array("I", [line + lines for line in kept[0::2]])
        return moved

    def joined(self, other: Positions) -> Positions:
        """These positions and `other`'s (of other sections), these kept for a path in both (the root's)."""
        both = Positions({})
        both._paths, both._items = {**other._paths, **self._paths}, {**other._items, **self._items}
        return both

    def __getitem__(self, path: DataPath) -> Position:
        if len(path) == 2:
            kept, index = self._items.get(path[0]), path[1]
            if kept is not None and type(index) is int and 0 <= 2 * index < len(kept):
                return kept[2 * index], kept[2 * index + 1]
        return self._paths[path]

    def __iter__(self) -> Iterator[DataPath]:
        yield from self._paths
        for section, kept in self._items.items():
            for index in range(len(kept) // 2):
                yield section, index

    def __len__(self) -> int:
        return len(self._paths) + sum(len(kept) // 2 for kept in self._items.values())


class Shallow:
    """Data of a plain YAML text with the start and the end (see value_end) of each value at depth <= SHALLOW."""

    def __init__(self, data: Any, positions: Mapping[DataPath, Position], ends: Mapping[DataPath, Position]) -> None:
        self.data, self.positions, self.ends = data, Positions(positions), Positions(ends)

    def extent(self, path: DataPath) -> tuple[int, int, int, int] | None:
        """The start and the end of the value at `path`, if it is kept."""
        try:
            return (*self.positions[path], *self.ends[path])
        except KeyError:
            return None


def value_end(text: str, item: Any) -> Position:
    """Line and column (1-based) one past the last character of a scalar or a flow collection, event or node.

    A block scalar's end mark lies past its trailing line breaks and blank lines: its end is its last
    visible character (the end of its header line, less a comment, when its content is blank).
    """
    mark = item.end_mark
    if getattr(item, "style", None) not in _BLOCK_STYLES:
        return mark.line + 1, mark.column + 1
    start = item.start_mark
    segment = text[start.index : mark.index]  # the header, the content and the trailing breaks
    if item.value.strip():
        kept = segment.rstrip(_BLANK)
    else:
        kept = _HEADER_COMMENT.sub("", _LINE_BREAK.split(segment, maxsplit=1)[0], count=1).rstrip(_BLANK)
    breaks = list(_LINE_BREAK.finditer(kept))
    if not breaks:
        return start.line + 1, start.column + len(kept) + 1
    return start.line + 1 + len(breaks), len(kept) - breaks[-1].end() + 1


def read_plain_yaml(text: str, max_depth: int) -> Shallow | None:
    """The data of `text` when it is plain YAML the full reader would accept unchanged; None otherwise."""
    try:
        return _read(text, max_depth)
    except (_GiveUp, ValueError, yaml.YAMLError, RecursionError):
        return None


def plain_value(value: str) -> Any:
    """A plain scalar's value under the YAML 1.2 core schema (CoreSchemaLoader's implicit resolvers);
    ValueError for a merge key or a value the full reader refuses."""
    resolvers = _RESOLVERS.get(value[0], ()) if value else _EMPTY
    for tag, pattern in resolvers:
        if pattern.match(value):
            if tag == _MERGE:
                raise ValueError("a merge key")
            return construct_scalar(tag, value)
    return value


def _read(text: str, max_depth: int) -> Shallow:
    positions: dict[DataPath, Position] = {}
    ends: dict[DataPath, Position] = {}
    # An open container: [value, is_mapping, pending key (None: a key comes next), its path or None when deep,
    # flow style]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    last: Any = None  # the last event that ends text: a value scalar or the end of a flow collection
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    events: Iterator[Any] = yaml.parse(text, Loader=CoreSchemaLoader)
    for event in events:
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None or event.tag is not None:
                raise _GiveUp
            frame = stack[-1] if stack else None
            if frame is not None and frame[1] and frame[2] is None:  # a mapping key
                key = intern(event.value)  # one string per key name, not one per mapping: 2.6M keys, 50 names
                if key in frame[0] or (event.implicit[0] and key == "<<"):
                    raise _GiveUp
                frame[2] = key
                continue
            value = plain_value(event.value) if event.implicit[0] else event.value
            last = event
            new: list[Any] | None = None
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or len(stack) >= max_depth:
                raise _GiveUp
            frame = stack[-1] if stack else None
            if frame is not None and frame[1] and frame[2] is None:  # a mapping or a list as a key
                raise _GiveUp
            value = {} if kind is mapping_start else []
            new = [value, kind is mapping_start, None, None, event.flow_style]
        elif kind in end_events:
            closed = stack.pop()
            if closed[4]:
                last = event
            if closed[3] is not None:
                ends[closed[3]] = value_end(text, last)
            continue
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _GiveUp
            continue
        elif kind is yaml.AliasEvent:
            raise _GiveUp
        else:  # stream start/end, document end
            continue
        path: DataPath | None
        if frame is None:
            root, path = value, ()
        elif frame[1]:
            key = frame[2]
            frame[0][key] = value
            frame[2] = None
            path = (*frame[3], key) if frame[3] is not None and len(frame[3]) < SHALLOW else None
        else:
            path = (*frame[3], len(frame[0])) if frame[3] is not None and len(frame[3]) < SHALLOW else None
            frame[0].append(value)
        if path is not None:
            mark = event.start_mark
            positions[path] = (mark.line + 1, mark.column + 1)
            if new is None:
                ends[path] = value_end(text, event)
        if new is not None:
            new[3] = path
            stack.append(new)
    if documents == 0:
        return Shallow(None, {(): (1, 1)}, {(): (1, 1)})
    return Shallow(root, positions, ends)
