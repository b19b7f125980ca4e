"""JSON whose depth and integers are left to the structs loads exactly as JSON read with every check."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import msgspec
import pytest

from auditor.inventory import loader
from auditor.inventory.json_fast import decode_json
from auditor.inventory.source import MAX_DEPTH, TOO_DEEP, read_document
from auditor.inventory.structs import STRUCT_BY_SECTION
from tests.conftest import load_outcome

CASES = {
    "clean": '{"version": 1, "storage": [{"id": "s", "capacity_tb": 2.5}, {"id": "t", "tags": {"a": "b"}}]}',
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
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_unchecked_json_loads_as_checked_json(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "inv.json"
    path.write_text(CASES[name], encoding="utf-8")
    unchecked = load_outcome(path)

    def checked(*args: Any, **kwargs: Any) -> Any:
        return read_document(*args, **{**kwargs, "structs_bound": False})

    monkeypatch.setattr(loader, "read_document", checked)
    assert unchecked == load_outcome(path)


def test_a_clean_file_is_read_unchecked(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text(CASES["clean"], encoding="utf-8")
    assert read_document(path, "inv.json", structs_bound=True).recheck is not None
    assert read_document(path, "inv.json").recheck is None


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"a": 1.5e308}',
        '{"a": -12345678901234567890123}',  # orjson reads a float: it may be wider than 64 bits
        '{"a": 1e19}',
    ],
)
def test_what_the_structs_could_accept_but_the_strict_reader_may_not_is_left_to_it(text: str) -> None:
    assert decode_json(text.encode(), MAX_DEPTH, TOO_DEEP, checked=False) is None


@pytest.mark.parametrize(
    ("text", "structural"),
    [
        ('{"sites": [{"id": "a", "tags": {"k": "v"}}], "b": [{}], "c": "x:y", "d": 1e17}', True),
        ('{"a": "{"}', False),
        ('{"a": {"b": "}"}}', False),
        ('{"a": "\\"", "b": {}}', False),  # an escaped quote: the strings are not told apart by quotes alone
        ('{"a": "", "b": "", "c": {"d": ""}}', True),
    ],
)
def test_unchecked_braces_are_structural_only_when_no_string_holds_one(text: str, structural: bool) -> None:
    result = decode_json(text.encode(), MAX_DEPTH, TOO_DEEP, checked=False)
    assert result is not None and result.structural_braces is structural and not result.checked


def _depth(annotation: Any) -> int:
    """How many containers deep a value of `annotation` can nest (a struct and a list or dict count one each)."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return 1 + max((_depth(field.type) for field in msgspec.structs.fields(annotation)), default=0)
    origin = getattr(annotation, "__origin__", None)
    inner = max((_depth(arg) for arg in get_args(annotation)), default=0)
    return inner + (1 if origin in (list, dict) else 0)


def test_the_structs_nest_far_less_deep_than_the_limit() -> None:
    """Why unchecked data the structs accept cannot be too deep: the top mapping, a section and an asset."""
    assert 2 + max(_depth(struct) for struct in STRUCT_BY_SECTION.values()) < MAX_DEPTH
