"""A plain YAML text read in one pass over libyaml's events: its data and the positions of its top two levels.

The full reader (source.read_yaml) composes a node tree, resolves every scalar through PyYAML's Python
resolver and walks the tree again for positions: about 9 us a node. Inventories are plain YAML (no
anchors, tags or merge keys), and an asset's location needs only the top two levels (the section and the
item). Here one loop over the C parser's events builds the data and those positions. Anything it does not
read exactly as the full reader would (an anchor, an alias, an explicit tag, a merge key, a duplicate
key, a complex key, nesting at the limit, a scalar that does not resolve, more than one document, a
syntax error) makes it give up: the caller then reads the text the full way, which builds the same data
or raises the exact error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from sys import intern
from typing import Any

import yaml

from auditor.inventory.yaml_core import TAG, CoreSchemaLoader, construct_scalar

DataPath = tuple[str | int, ...]
Position = tuple[int, int]
# How deep positions are kept: the section (length 1) and its items (length 2).
SHALLOW = 2

_STR = f"{TAG}str"
_RESOLVERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers) for first, resolvers in CoreSchemaLoader.yaml_implicit_resolvers.items() if first
}
_EMPTY = tuple(CoreSchemaLoader.yaml_implicit_resolvers.get("", ()))


class _GiveUp(Exception):
    """The text needs the full reader."""


class Shallow:
    """Data of a plain YAML text with the start and last line of each value at depth <= SHALLOW."""

    def __init__(self, data: Any, positions: dict[DataPath, Position], last_lines: dict[DataPath, int]) -> None:
        self.data, self.positions, self.last_lines = data, positions, last_lines


def read_plain_yaml(text: str, max_depth: int) -> Shallow | None:
    """The data of `text` when it is plain YAML the full reader would accept unchanged; None otherwise."""
    try:
        return _read(text, max_depth)
    except (_GiveUp, yaml.YAMLError, RecursionError):
        return None


def _plain_value(value: str) -> Any:
    """A plain scalar's value under the YAML 1.2 core schema (CoreSchemaLoader's implicit resolvers)."""
    resolvers = _RESOLVERS.get(value[0], ()) if value else _EMPTY
    for tag, pattern in resolvers:
        if pattern.match(value):
            if tag == f"{TAG}merge":
                raise _GiveUp
            try:
                return construct_scalar(tag, value)
            except ValueError:
                raise _GiveUp from None
    return value


def _read(text: str, max_depth: int) -> Shallow:
    positions: dict[DataPath, Position] = {}
    last_lines: dict[DataPath, int] = {}
    # An open container: [value, is_mapping, pending key (None: a key comes next), its path or None when deep]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    last_line = 1
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
            value = _plain_value(event.value) if event.implicit[0] else event.value
            new: list[Any] | None = None
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or len(stack) >= max_depth:
                raise _GiveUp
            frame = stack[-1] if stack else None
            if frame is not None and frame[1] and frame[2] is None:  # a mapping or a list as a key
                raise _GiveUp
            value = {} if kind is mapping_start else []
            new = [value, kind is mapping_start, None, None]
        elif kind in end_events:
            closed = stack.pop()
            if closed[3] is not None:
                last_lines[closed[3]] = last_line
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
        line = event.start_mark.line + 1
        last_line = line
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
            positions[path] = (line, event.start_mark.column + 1)
            if new is None:
                last_lines[path] = line
        if new is not None:
            new[3] = path
            stack.append(new)
    if documents == 0:
        return Shallow(None, {(): (1, 1)}, {})
    return Shallow(root, positions, last_lines)
