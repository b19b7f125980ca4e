"""A JSON inventory decoded straight into its structs (auditor/inventory/json_structs.py) loads exactly as
JSON read with every check, and whatever the structs could accept but the strict reader might not is
left to the strict reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import msgspec
import pytest

from auditor.inventory import loader
from auditor.inventory.json_structs import decode_structs
from auditor.inventory.source import MAX_DEPTH, read_document
from auditor.inventory.structs import CHUNK, STRUCT_BY_SECTION
from tests.conftest import load_outcome


def _storage(count: int, last: str = "") -> str:
    """A storage section of `count` assets, the last one's fields ending with `last`."""
    items = [f'{{"id": "s{index}"}}' for index in range(count - 1)]
    return '{"storage": [' + ", ".join([*items, f'{{"id": "s{count - 1}"{last}}}']) + "]}"


CASES = {
    "clean": '{"version": 1, "storage": [{"id": "s", "capacity_tb": 2.5}, {"id": "t", "labels": {"a": "b"}}]}',
    "deep": '{"storage": [{"id": "s", "tags": {"a": ' + "[" * 70 + "]" * 70 + "}}]}",
    "deeper than the encoder": '{"storage": [{"id": "s", "tags": {"a": ' + "[" * 300 + "]" * 300 + "}}]}",
    "near the largest float": '{"storage": [{"id": "s", "capacity_tb": 1.5e308}]}',
    "wide integer": '{"storage": [{"id": "s", "capacity_tb": 123456789012345678901234567891}]}',
    "large float": '{"storage": [{"id": "s",\n "capacity_tb": 1e25}]}',
    "duplicate key": '{"storage": [{"id": "s", "capacity_tb": 1, "capacity_tb": 2}]}',
    "brace in a string": '{"storage": [{"id": "s", "name": "a}b"}, {"id": "t"}]}',
    "escaped quote and brace": '{"storage": [{"id": "s", "name": "a\\"{"}]}',
    "unknown version": '{"version": 2, "storage": [{"id": "s"}]}',
    "unknown section": '{"storagee": [{"id": "s"}]}',
    "invalid item": '{"storage": [{"id": "s"}, {"id": "t", "capacity_tb": "x"}]}',
    "duplicate id": '{"storage": [{"id": "s"}, {"id": "s"}]}',
    "not a mapping": '[{"id": "s"}]',
    "organization": '{"organization": {"id": "o", "name": "O"}, "storage": [{"id": "s"}]}',
    "duplicate section": '{"storage": [{"id": "s"}], "sites": [], "storage": [{"id": "t"}]}',
    "duplicate version": '{"version": 1, "version": 1, "storage": [{"id": "s"}]}',
    "duplicate key in the organization": '{"organization": {"id": "o", "name": "O", "name": "P"}}',
    "duplicate key in a later chunk": _storage(CHUNK + 2, ', "capacity_tb": 1, "capacity_tb": 2'),
    "brace in a string in a later chunk": _storage(CHUNK + 2, ', "name": "{"'),
    "wide integer in a later chunk": _storage(CHUNK + 2, ', "capacity_tb": 99999999999999999999999'),
    "colons in strings": '{"storage": [{"id": "s:1", "name": "a: b: c", "labels": {"k:v": "x:y"}}]}',
    "escaped colon": '{"storage": [{"id": "s", "name": "a\\u003ab"}]}',
    "organization not a mapping": '{"organization": [{"id": "o"}], "storage": [{"id": "s"}]}',
    "section not a list": '{"storage": {"id": "s"}}',
    "null section": '{"storage": null}',
    "version as a float": '{"version": 1.0, "storage": [{"id": "s"}]}',
    "NaN": '{"storage": [{"id": "s", "capacity_tb": NaN}]}',
    "trailing comma": '{"storage": [{"id": "s"},]}',
    "text after the mapping": '{"storage": [{"id": "s"}]} x',
    "empty mapping": "{}",
    "byte order mark": '\ufeff{"storage": [{"id": "s"}]}',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_decoded_into_structs_loads_as_checked_json(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inv.json"
    path.write_text(CASES[name], encoding="utf-8")
    streamed = load_outcome(path)

    def checked(*args: Any, **kwargs: Any) -> Any:
        return read_document(*args, **{**kwargs, "structs_bound": False})

    monkeypatch.setattr(loader, "read_document", checked)
    assert streamed == load_outcome(path)


@pytest.mark.parametrize(
    ("name", "streamed"),
    [
        ("clean", True),
        ("organization", True),
        ("colons in strings", True),
        ("empty mapping", True),
        ("byte order mark", True),
        ("duplicate section", False),
        ("duplicate key in a later chunk", False),
        ("escaped colon", False),
        ("invalid item", False),
    ],
)
def test_only_a_file_the_structs_accept_whole_is_decoded_into_them(name: str, streamed: bool) -> None:
    assert (decode_structs(CASES[name].encode("utf-8")) is not None) is streamed


def test_a_file_is_decoded_into_structs_only_for_a_caller_that_validates_with_them(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text(CASES["organization"], encoding="utf-8")
    bound = read_document(path, "inv.json", structs_bound=True)
    assert bound.structs is not None and bound.data is None
    plain = read_document(path, "inv.json")
    assert plain.structs is None and plain.data == {"organization": {"id": "o", "name": "O"}, "storage": [{"id": "s"}]}


def test_the_structs_keep_file_order_and_paths() -> None:
    found = decode_structs(_storage(CHUNK + 2).encode())
    assert found is not None and found.structural_braces
    [(paths, assets)] = found.sections
    assert paths == [("storage", index) for index in range(CHUNK + 2)]
    assert [asset.id for asset in assets] == [f"s{index}" for index in range(CHUNK + 2)]


@pytest.mark.parametrize(
    "value",
    [
        '1, "capacity_tb": 2',  # a key written twice
        "1.5e308",
        "-12345678901234567890123",  # orjson reads a float: it may be wider than 64 bits
        "1e19",
    ],
)
def test_what_the_structs_could_accept_but_the_strict_reader_may_not_is_left_to_it(value: str) -> None:
    text = '{"storage": [{"id": "s", "capacity_tb": ' + value + "}]}"
    assert decode_structs(text.encode()) is None
    assert decode_structs(text.replace(value, "2.5").encode()) is not None


@pytest.mark.parametrize(
    ("text", "structural"),
    [
        ('{"storage": [{"id": "a", "labels": {"k": "v"}, "name": "x:y", "capacity_tb": 1e17}]}', True),
        ('{"storage": [{"id": "a", "name": "{"}]}', False),
        ('{"storage": [{"id": "a", "labels": {"b": "}"}}]}', False),
        ('{"organization": {"id": "o", "name": "}"}}', False),
        ('{"storage": [{"id": "a", "name": "\\"", "labels": {}}]}', False),  # an escaped quote
        ('{"storage": [{"id": "a", "name": "", "labels": {"d": ""}}]}', True),
    ],
)
def test_braces_are_structural_only_when_no_string_holds_one(text: str, structural: bool) -> None:
    result = decode_structs(text.encode())
    assert result is not None and result.structural_braces is structural


def _depth(annotation: Any) -> int:
    """How many containers deep a value of `annotation` can nest (a struct and a list or dict count one each)."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return 1 + max((_depth(field.type) for field in msgspec.structs.fields(annotation)), default=0)
    origin = getattr(annotation, "__origin__", None)
    inner = max((_depth(arg) for arg in get_args(annotation)), default=0)
    return inner + (1 if origin in (list, dict) else 0)


def test_the_structs_nest_far_less_deep_than_the_limit() -> None:
    """Why data the structs accept needs no depth check: the top mapping, a section and an asset."""
    assert 2 + max(_depth(struct) for struct in STRUCT_BY_SECTION.values()) < MAX_DEPTH
