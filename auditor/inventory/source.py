"""Read one YAML or JSON file safely into plain data, remembering where every value stands.

YAML goes through PyYAML's safe composer (C-accelerated when available) with YAML 1.2 scalars:
only the standard tags are accepted, duplicate keys are errors, and alias expansion is bounded so
that an "alias bomb" is refused instead of eating the machine. JSON takes the fast C decoder; source
positions for a JSON file are worked out only when an error or an asset needs them. In both, nesting
is bounded (MAX_DEPTH), numbers must be finite and within +-1e308, and only regular files are read.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import yaml

from auditor.errors import InputError, InputIssue, SourceLocation, json_path, many_locations
from auditor.inventory import extents_child
from auditor.inventory.extents_child import ExtentsChild
from auditor.inventory.json_fast import decode_json, json_shape
from auditor.inventory.json_structs import Sections, decode_structs
from auditor.inventory.parse_cache import ParseCache
from auditor.inventory.yaml_block import read_block_yaml
from auditor.inventory.yaml_core import CoreSchemaLoader, construct_scalar
from auditor.inventory.yaml_events import SHALLOW, Position, Shallow, read_plain_yaml, value_end
from auditor.inventory.yaml_halves import read_in_halves

DataPath = tuple[str | int, ...]

MAX_FILE_BYTES = 256 * 1024 * 1024
# JSON is decoded from its bytes in C with no tree of positions: a file of a million assets (about 600 MB) fits.
MAX_JSON_FILE_BYTES = 4 * 1024 * 1024 * 1024
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 64

TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"

_Loader = CoreSchemaLoader
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_JSON_ID = re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclass
class Document:
    """One parsed input file: its data and a way to find the source position of any path."""

    file: str
    data: Any
    sha256: str = ""
    size: int = 0
    _positions: dict[DataPath, tuple[int, int]] | None = None
    # Where the values of the top two levels end (see yaml_events.value_end), from the full YAML reader
    _ends: dict[DataPath, Position] | None = field(default=None, repr=False)
    # Plain YAML read from its events: positions of the top two levels only (the rest found lazily)
    _shallow: Shallow | None = field(default=None, repr=False)
    _lazy_positions: Callable[[], dict[DataPath, tuple[int, int]]] | None = None
    _id_lines: Callable[[], dict[str, tuple[int, int, int | None, int | None]]] | None = None
    _id_cache: dict[str, tuple[int, int, int | None, int | None]] | None = field(default=None, repr=False)
    # A large JSON file's extents from a child process (extents_child): per section, four ints an asset
    _child_extents: Callable[[], dict[str, list[int]] | None] | None = field(default=None, repr=False)
    _section_extents: dict[str, list[int]] | None = field(default=None, repr=False)
    # A JSON inventory's sections already as structs (read_document's structs_bound); data is then None
    structs: Sections | None = field(default=None, repr=False)

    def locate(self, path: DataPath) -> SourceLocation:
        """Position of `path`, or of its nearest ancestor that has one."""
        shallow = self._shallow
        positions = shallow.positions if shallow is not None and len(path) <= SHALLOW else self._all_positions()
        for cut in range(len(path), -1, -1):
            found = positions.get(path[:cut])
            if found:
                return SourceLocation(self.file, *found)
        return SourceLocation(self.file)

    def asset_location(self, path: DataPath, asset_id: str) -> SourceLocation:
        """Position of an asset with its extent, the end one past its last character as in SARIF: for YAML
        the end of its last value (or of its flow mapping), for JSON its closing brace (the object found
        cheaply, by its id)."""
        extent = self._shallow.extent(path) if self._shallow is not None else None
        if extent is not None:
            return SourceLocation(self.file, *extent)
        if self._ends is not None and path in self._ends:
            start = self.locate(path)
            return SourceLocation(start.file, start.line, start.column, *self._ends[path])
        sections = self._child_sections()
        if sections is not None and path[0] in sections:
            return self._child_locations(sections, [path])[0]
        if self._id_lines is not None:  # scanned once; the text it holds is let go
            self._id_cache, self._id_lines = self._id_lines(), None
        if self._id_cache is not None:
            found = self._id_cache.get(asset_id)
            if found:
                return SourceLocation(self.file, *found)
        return self.locate(path)

    def asset_locations(self, paths: list[DataPath], ids: list[str]) -> list[SourceLocation]:
        """asset_location of each asset of a section at once: for JSON, one lookup per id and no call."""
        sections = self._child_sections()
        if sections is not None and paths:
            whole = self._section_locations(sections, paths)
            if whole is not None:
                return whole
            if all(path[0] in sections for path in paths):
                return self._child_locations(sections, paths)
        if self._id_lines is not None and self._shallow is None and self._ends is None:
            self._id_cache, self._id_lines = self._id_lines(), None
        if self._id_cache is None or self._shallow is not None or self._ends is not None:
            return list(map(self.asset_location, paths, ids))
        file = self.file
        return [
            SourceLocation(file, *extent) if extent else self.locate(path)
            for extent, path in zip(map(self._id_cache.get, ids), paths, strict=True)
        ]

    def _child_sections(self) -> dict[str, list[int]] | None:
        """The extents child's answer (asked once), None without one or if it failed."""
        if self._child_extents is not None:
            self._section_extents, self._child_extents = self._child_extents(), None
            if self._section_extents is not None:  # the serial scan, and the bytes it holds, are not needed
                self._id_lines = None
        return self._section_extents

    def _section_locations(self, sections: dict[str, list[int]], paths: list[DataPath]) -> list[SourceLocation] | None:
        """The locations of a whole section's assets, every one with its extent, made column by column from
        the child's answer; None for anything else (a section in part, an asset without its extent)."""
        name = paths[0][0]
        values = sections.get(name)  # type: ignore[arg-type]
        if values is None or len(values) != 4 * len(paths) or paths != list(zip(repeat(name), range(len(paths)))):
            return None
        lines, columns, end_lines, end_columns = values[0::4], values[1::4], values[2::4], values[3::4]
        if 0 in lines or 0 in end_lines or 0 in end_columns:
            return None
        return many_locations(self.file, lines, columns, end_lines, end_columns)

    def _child_locations(self, sections: dict[str, list[int]], paths: list[DataPath]) -> list[SourceLocation]:
        """The locations of assets by their (section, index) path, from the child's four ints each (0: none)."""
        file, found = self.file, []
        for path in paths:
            values = sections[path[0]]  # type: ignore[index]
            at = 4 * int(path[1]) if len(path) > 1 else 0
            line, column, end_line, end_column = values[at : at + 4] if len(values) >= at + 4 else (0, 0, 0, 0)
            if line:
                found.append(SourceLocation(file, line, column, end_line or None, end_column or None))
            else:
                found.append(self.locate(path))
        return found

    def _all_positions(self) -> dict[DataPath, tuple[int, int]]:
        if self._positions is None:
            self._positions = self._lazy_positions() if self._lazy_positions else {}
        return self._positions


def display_path(path: Path, root: Path | None = None) -> str:
    """The name users see for a file: relative to `root` (default: the working folder) when inside it."""
    try:
        return path.resolve().relative_to((root or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def read_document(
    path: Path,
    display: str,
    max_bytes: int = MAX_FILE_BYTES,
    max_json_bytes: int = MAX_JSON_FILE_BYTES,
    cache: ParseCache | None = None,
    structs_bound: bool = False,
) -> Document:
    """Parse `path`; raise InputError naming the file, line and column of every problem.

    A JSON file may be larger (`max_json_bytes`): it is decoded from its bytes, without a copy as text
    or a tree of positions, so its memory stays a small multiple of the file. A plain YAML file's parse
    is taken from `cache` when its bytes are unchanged, and kept there otherwise. With `structs_bound`
    a JSON file is first decoded straight into its structs (json_structs, Document.structs), for a caller
    that validates with them; only what they or that decoder's checks refuse is read as plain data.
    """
    is_json = path.suffix.lower() == ".json"
    raw = read_bytes_bounded(path, display, max(max_bytes, max_json_bytes) if is_json else max_bytes)
    sha256, size = hashlib.sha256(raw).hexdigest(), len(raw)
    child = extents_child.start(raw) if is_json and structs_bound else None  # meanwhile finds the extents
    streamed = decode_structs(raw) if is_json and structs_bound else None
    if streamed is not None:
        document = _json_bytes_document(path, display, raw, sha256, None, streamed.structural_braces, child)
        document.structs = streamed.sections
        document.sha256, document.size = sha256, size
        return document
    if child is not None:
        child.close()
    decoded = decode_json(raw, MAX_DEPTH, TOO_DEEP) if is_json else None
    cached = cache.get(sha256) if cache is not None and not is_json else None
    if decoded is not None and decoded.data is not None:
        document = _json_bytes_document(path, display, raw, sha256, decoded.data, decoded.structural_braces)
    elif cached is not None:
        document = _yaml_document(display, cached, _text_again(path, display, sha256))
    else:
        text = utf8_text(raw, display)
        del raw  # the text alone while it is parsed
        again = _text_again(path, display, sha256)
        document = _read_json(text, display) if is_json else _read_yaml_document(text, display, again)
        if cache is not None and document._shallow is not None:
            cache.put(sha256, document._shallow)
    document.sha256, document.size = sha256, size
    return document


def utf8_text(raw: bytes, display: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([InputIssue(SourceLocation(display, line), "$", "file is not UTF-8 text")]) from None


def _text_again(path: Path, display: str, sha256: str) -> Callable[[], str]:
    """The file's text read again when deeper positions are asked for (an error's): holding a YAML file's
    text for that would cost as much as the file for the whole run. A changed file gives no positions."""

    def text() -> str:
        try:
            again = path.read_bytes()
        except OSError:
            return ""
        return utf8_text(again, display) if hashlib.sha256(again).hexdigest() == sha256 else ""

    return text


def read_bytes_bounded(path: Path, display: str, max_bytes: int) -> bytes:
    """The bytes of a regular file: a folder, a device or a pipe is refused before any read."""

    def refuse(message: str) -> InputError:
        return InputError([InputIssue(SourceLocation(display), "$", message)])

    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise refuse("is a folder; expected a file")
        if not stat.S_ISREG(mode):
            raise refuse("is not a regular file (a device or a pipe?); expected a file")
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        size = max(path.stat().st_size, len(raw))
        raise refuse(f"file is {size} bytes, over the limit of {max_bytes} bytes")
    return raw


def _read_yaml_document(text: str, file: str, again: Callable[[], str]) -> Document:
    """Plain YAML line by line or from its events (positions of deeper values found when asked); anything
    else the full way."""
    shallow = read_in_halves(text, plain_yaml) or plain_yaml(text)
    if shallow is None:
        data, positions, ends = read_yaml_extents(text, file)
        return Document(file, data, _positions=positions, _ends=ends)
    return _yaml_document(file, shallow, again)


def plain_yaml(text: str) -> Shallow | None:
    """What a plain YAML text parses to by the fast readers (line by line, else libyaml's events); None if
    it needs the full reader."""
    return read_block_yaml(text, MAX_DEPTH) or read_plain_yaml(text, MAX_DEPTH)


def parsed_yaml_document(path: Path, display: str, shallow: Shallow, sha256: str, size: int) -> Document:
    """The Document of a plain YAML file parsed elsewhere (yaml_child) from bytes of digest `sha256`."""
    document = _yaml_document(display, shallow, _text_again(path, display, sha256))
    document.sha256, document.size = sha256, size
    return document


def _yaml_document(file: str, shallow: Shallow, text: Callable[[], str]) -> Document:
    """A plain YAML document: the top two levels located, deeper values by a full read when asked."""
    return Document(file, shallow.data, _shallow=shallow, _lazy_positions=lambda: read_yaml(text(), file)[1])


def _read_json(text: str, file: str) -> Document:
    duplicates: list[str] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            duplicates.append(file)
        return result

    def reject_constant(name: str) -> None:
        raise ValueError(f"{name} is not valid JSON")

    problem: str | None = None
    try:
        data = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            [InputIssue(SourceLocation(file, exc.lineno, exc.colno), "$", f"invalid JSON: {exc.msg}")]
        ) from None
    except RecursionError:
        problem = TOO_DEEP
    except ValueError as exc:
        raise InputError([InputIssue(SourceLocation(file), "$", f"invalid JSON: {exc}")]) from None
    else:
        problem = _json_problem(data)
    if duplicates or problem:
        # The YAML reader of the same text raises each of these problems with its exact position.
        read_yaml(text, file)
        if problem:
            raise InputError([InputIssue(SourceLocation(file), "$", problem)])

    return _json_document(text, file, data)


def _json_document(text: str, file: str, data: Any) -> Document:
    """A JSON document whose positions are worked out from its text only when asked."""
    positions, id_lines = (lambda: _json_positions(text, file)), (lambda: _json_id_extents(text))
    return Document(file, data, _lazy_positions=positions, _id_lines=id_lines)


def _json_bytes_document(
    path: Path,
    file: str,
    raw: bytes,
    sha256: str,
    data: Any,
    structural_braces: bool,
    child: ExtentsChild | None = None,
) -> Document:
    """A JSON document decoded from its bytes, which are kept only until its assets' ids are found (by
    `child` if given; by a scan of the bytes if it fails).

    Positions of other values (an error's) are worked out from the file read again, if still unchanged.
    """

    def positions() -> dict[DataPath, tuple[int, int]]:
        try:
            again = path.read_bytes()
        except OSError:
            return {}
        return _json_positions(again.decode("utf-8-sig"), file) if hashlib.sha256(again).hexdigest() == sha256 else {}

    def extents() -> dict[str, tuple[int, int, int | None, int | None]]:
        return _json_id_extents(raw.decode("utf-8-sig"), structural_braces)

    if child is None:
        return Document(file, data, _lazy_positions=positions, _id_lines=extents)
    child.tell(structural_braces)
    return Document(file, data, _lazy_positions=positions, _id_lines=extents, _child_extents=child.answer)


# JSON writes characters outside the BMP as surrogate-pair escapes, which the YAML reader refuses
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _json_positions(text: str, file: str) -> dict[DataPath, tuple[int, int]]:
    """Positions of every value, from the YAML reader (JSON is YAML), surrogate escapes replaced in place."""
    try:
        return read_yaml(_SURROGATE_ESCAPE.sub(r"\\u003F", text), file)[1]
    except InputError:
        return {}


def _json_problem(data: Any) -> str | None:
    """Whether a container sits inside MAX_DEPTH others or a number is beyond +-1e308 (cheap: no paths)."""
    return json_shape(data, MAX_DEPTH, TOO_DEEP).problem


def first_string_positions(
    text: Any, pattern: re.Pattern[Any], decode: Callable[[Any], str] | None = None
) -> dict[str, tuple[int, int]]:
    """(line, column) of the first match of `pattern` for each value of its group 1 in `text`.

    One pass that counts newlines between matches, so finding positions costs no re-parse.
    `decode` turns the raw group into the key (None: the raw text); a ValueError skips the match.
    """
    return {key: (line, column) for key, (line, column, _) in _first_matches(text, pattern, decode).items()}


def _first_matches(
    text: str, pattern: re.Pattern[str], decode: Callable[[str], str] | None = None
) -> dict[str, tuple[int, int, int]]:
    """(line, column, offset) of the first match per key: see first_string_positions."""
    found: dict[str, tuple[int, int, int]] = {}
    line, line_start, scanned = 1, 0, 0
    newline = "\n" if isinstance(text, str) else b"\n"  # a text or the bytes of an ASCII one
    for match in pattern.finditer(text):
        offset = match.start()
        newlines = text.count(newline, scanned, offset)
        if newlines:
            line += newlines
            line_start = text.rfind(newline, scanned, offset) + 1
        scanned = offset
        try:
            key = decode(match.group(1)) if decode else match.group(1)
        except ValueError:
            continue
        found.setdefault(key, (line, offset - line_start + 1, offset))
    return found


# Text up to the next brace outside a string, the brace in group 1. Possessive: no backtracking, so
# a text without one more brace fails in linear time.
_TO_BRACE = re.compile(r'(?:[^"{}]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+([{}])')


def _json_id_extents(text: str, structural_braces: bool = False) -> dict[str, tuple[int, int, int | None, int | None]]:
    """Per asset id in a JSON text: where its `"id"` stands and where the object holding it ends (the line of
    its closing brace and the column one past it, as SARIF's endColumn).

    The closing brace is found by skipping strings from the id on, so the cost is one pass over the
    assets' text, and it is paid only when an asset location is asked for. With `structural_braces`
    (no brace inside any string: json_fast.DecodedJson) braces are counted without reading the strings.
    """
    return id_extents(text, lambda: structural_braces)


def id_extents(text: str, structural_braces: Callable[[], bool]) -> dict[str, tuple[int, int, int | None, int | None]]:
    """_json_id_extents, asking whether every brace is structural only once the ids are found (a child
    process finds them while its parent is still decoding: extents_child)."""
    matches = _first_matches(text, _JSON_ID)
    closing_brace = _counted_closing_brace if structural_braces() else _closing_brace
    extents: dict[str, tuple[int, int, int | None, int | None]] = {}
    for key, (line, column, offset) in matches.items():
        brace = closing_brace(text, offset)
        if brace < 0:
            extents[key] = (line, column, None, None)
            continue
        end_line = line + text.count("\n", offset, brace)
        extents[key] = (line, column, end_line, brace + 1 - text.rfind("\n", 0, brace))  # one past the brace
    return extents


def _closing_brace(text: str, offset: int) -> int:
    """Where the object open at `offset` closes, strings skipped; -1 if it does not."""
    depth, position = 1, offset
    while depth:
        match = _TO_BRACE.match(text, position)
        if match is None:
            return -1
        depth += 1 if match.group(1) == "{" else -1
        position = match.end()
    return position - 1


def _counted_closing_brace(text: str, offset: int) -> int:
    """_closing_brace for a text whose every brace is structural: the first `}` not matched by a `{` before it."""
    depth, position = 1, offset
    while True:
        close = text.find("}", position)
        if close < 0:
            return -1
        depth += text.count("{", position, close) - 1
        if not depth:
            return close
        position = close + 1


def read_yaml(text: str, file: str) -> tuple[Any, dict[DataPath, tuple[int, int]]]:
    """The data of a YAML text and the position of every value in it."""
    data, positions, _ = read_yaml_extents(text, file)
    return data, positions


def read_yaml_extents(text: str, file: str) -> tuple[Any, dict[DataPath, tuple[int, int]], dict[DataPath, Position]]:
    """read_yaml, with where the values at depth <= SHALLOW end (as yaml_events.read_plain_yaml finds them)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        if exc.problem == "exceeded maximum nesting depth":  # libyaml's own limit (1000 levels)
            raise InputError([_too_deep(text, file)]) from None
        mark = exc.problem_mark or exc.context_mark
        location = SourceLocation(file, mark.line + 1, mark.column + 1) if mark else SourceLocation(file)
        problem = exc.problem or exc.context or "malformed YAML"
        raise InputError([InputIssue(location, "$", f"invalid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([InputIssue(SourceLocation(file), "$", f"invalid YAML: {exc}")]) from None
    if node is None:
        return None, {(): (1, 1)}, {(): (1, 1)}
    builder = _YamlBuilder(file, text)
    data = builder.build(node, ())
    if builder.issues:
        raise InputError(builder.issues)
    return data, builder.positions, builder.ends


class _Frame:
    """An open mapping or sequence while the events of a YAML text are read, with its current child."""

    def __init__(self, mapping: bool) -> None:
        self.mapping, self.at_key, self.key, self.index = mapping, True, "", 0

    def child(self) -> str | int:
        return self.key if self.mapping else self.index

    def advance(self, event: yaml.Event) -> None:
        if not self.mapping:
            self.index += 1
        elif self.at_key:
            self.key = str(getattr(event, "value", "")) if isinstance(event, yaml.ScalarEvent) else "?"
            self.at_key = False
        else:
            self.at_key = True


def _too_deep(text: str, file: str) -> InputIssue:
    """Where the text first opens a mapping or sequence inside MAX_DEPTH others, from its events.

    Events come one at a time, so this works however deep the text goes. libyaml stops at its own
    limit (1000 levels) while looking ahead, before any event: the text is then cut at that point.
    """
    frames: list[_Frame] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                mark = event.start_mark
                if len(frames) >= MAX_DEPTH and mark is not None:
                    where = SourceLocation(file, mark.line + 1, mark.column + 1)
                    return InputIssue(where, json_path(tuple(frame.child() for frame in frames)), TOO_DEEP)
                frames.append(_Frame(isinstance(event, yaml.MappingStartEvent)))
                continue
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                frames.pop()
            elif not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                continue
            if frames:
                frames[-1].advance(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if exc.problem == "exceeded maximum nesting depth" and mark is not None and 0 < mark.index < len(text):
            return _too_deep(text[: mark.index], file)
    except yaml.YAMLError:
        pass
    return InputIssue(SourceLocation(file), "$", TOO_DEEP)


class _AliasLimit(Exception):
    pass


class _YamlBuilder:
    """Turns a composed YAML node tree into plain data, recording each value's position.

    Nodes are built in the order of the text (an alias only refers back), so a value's end is the
    furthest end of a scalar or flow collection reached once it is built: a block collection's own end
    mark lies past the blank lines and comments that follow it.
    """

    def __init__(self, file: str, text: str) -> None:
        self.file, self.text = file, text
        self.positions: dict[DataPath, tuple[int, int]] = {}
        self.ends: dict[DataPath, Position] = {}
        self._furthest: Position = (1, 1)
        self.issues: list[InputIssue] = []
        self._seen: set[int] = set()
        self._alias_nodes = 0

    def build(self, node: yaml.Node, path: DataPath) -> Any:
        try:
            return self._build(node, path, depth=0, in_alias=False)
        except _AliasLimit:
            self.issues = [
                InputIssue(
                    self._where(node),
                    "$",
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing (possible alias bomb)",
                )
            ]
            return None

    def _where(self, node: yaml.Node) -> SourceLocation:
        return SourceLocation(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def _issue(self, node: yaml.Node, path: DataPath, message: str) -> None:
        self.issues.append(InputIssue(self._where(node), json_path(path), message))

    def _build(self, node: yaml.Node, path: DataPath, depth: int, in_alias: bool) -> Any:
        if depth >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
            self._issue(node, path, TOO_DEEP)
            return None
        if id(node) in self._seen and not isinstance(node, yaml.ScalarNode):
            in_alias = True
        self._seen.add(id(node))
        if in_alias:
            self._alias_nodes += 1
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise _AliasLimit
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        value = self._value(node, path, depth, in_alias)
        if isinstance(node, yaml.ScalarNode) or (isinstance(node, yaml.CollectionNode) and node.flow_style):
            self._furthest = max(self._furthest, value_end(self.text, node))
        if len(path) <= SHALLOW:  # assigned last: a merge builds its sources at the mapping's path first
            self.ends[path] = self._furthest
        return value

    def _value(self, node: yaml.Node, path: DataPath, depth: int, in_alias: bool) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth, in_alias)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != f"{_TAG}seq":
                self._issue(node, path, f"unsupported YAML tag {node.tag!r}")
                return None
            return [self._build(item, (*path, index), depth + 1, in_alias) for index, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: DataPath, depth: int, in_alias: bool) -> Any:
        if node.tag != f"{_TAG}map":
            self._issue(node, path, f"unsupported YAML tag {node.tag!r}")
            return None
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                merged.update(self._merge_sources(value_node, path, depth, in_alias))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._issue(key_node, path, "mapping keys must be plain scalars")
                continue
            key = str(key_node.value)
            if key in first_seen:
                self._issue(
                    key_node,
                    (*path, key),
                    f"duplicate key {key!r} (first defined on line {first_seen[key]})",
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            result[key] = self._build(value_node, (*path, key), depth + 1, in_alias)
        return {**merged, **result} if merged else result

    def _merge_sources(self, node: yaml.Node, path: DataPath, depth: int, in_alias: bool) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            value = self._build(source, path, depth + 1, in_alias)
            if isinstance(value, dict):
                merged.update(value)
            else:
                self._issue(source, path, "a merge key (<<) must refer to a mapping")
        return merged

    def _scalar(self, node: yaml.Node, path: DataPath) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self._issue(node, path, f"unsupported YAML tag {tag!r}")
            return None
        if tag in (f"{_TAG}str", f"{_TAG}timestamp"):
            return node.value
        try:
            return construct_scalar(tag, node.value)
        except ValueError as exc:
            self._issue(node, path, str(exc))
            return None
