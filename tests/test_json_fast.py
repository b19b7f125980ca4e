"""orjson's result is taken only where the strict reader would read the same data without complaint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.inventory.json_fast import DecodedJson, decode_json
from auditor.inventory.source import MAX_DEPTH, TOO_DEEP, _json_id_extents


def decoded(text: str | bytes) -> DecodedJson | None:
    return decode_json(text.encode() if isinstance(text, str) else text, MAX_DEPTH, TOO_DEEP)


def fast(text: str | bytes) -> object:
    result = decoded(text)
    return None if result is None else result.data


@pytest.mark.parametrize(
    "text",
    [
        '{"sites": [{"id": "a", "url": "https://x:8080/"}], "n": 1.5, "big": 9223372036854775807}',
        '{"a" : {"b:c": "d:e:f"}, "g": []}',
        "\ufeff" + '{"a": 1}',
        '{"a": "\\u00e9"}',
    ],
)
def test_plain_json_is_decoded_as_the_standard_library_decodes_it(text: str) -> None:
    assert fast(text) == json.loads(text.lstrip("\ufeff"))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',  # a duplicate key
        '{"a": "x:y", "b": {"c": 1, "c": "z:w"}}',  # a duplicate among strings with colons
        '{"a": "\\u003a", "b": 1, "b": 2}',  # a colon written as an escape
        '{"a": 123456789012345678901234567890}',  # orjson would read a float
        '{"a": 1e400}',
        '{"a": NaN}',
        '{"a": "\\ud800"}',  # a lone surrogate: the strict reader keeps it
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        '{"a": ',
        b'{"a": "\xff"}',
    ],
)
def test_anything_the_strict_reader_must_judge_is_left_to_it(text: str | bytes) -> None:
    assert fast(text) is None


def test_assets_of_a_json_file_are_located_by_character_columns(tmp_path: Path) -> None:
    from auditor.inventory.loader import load_inventory

    ascii_path, accented = tmp_path / "a.json", tmp_path / "b.json"
    ascii_path.write_text('{"sites": [{"name": "Koln", "id": "cgn", "country": "DE"}]}', encoding="utf-8")
    accented.write_text('{"sites": [{"name": "Köln", "id": "cgn", "country": "DE"}]}', encoding="utf-8")
    for path in (ascii_path, accented):
        location = load_inventory([path], root=tmp_path).locations["cgn"]
        assert (location.line, location.column) == (1, 29)  # in bytes the accented one would be at 30


def test_an_error_in_a_json_file_read_from_its_bytes_is_located(tmp_path: Path) -> None:
    from auditor.errors import InputError
    from auditor.inventory.loader import load_inventory

    path = tmp_path / "inv.json"
    path.write_text('{"sites": [\n  {"id": "cgn", "country": "DE",\n   "tags": [5]}]}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inventory([path], root=tmp_path)
    assert str(caught.value) == "inv.json:3:13: $.sites[0].tags[0]: Input should be a valid string (got 5)"


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(_VALUES, st.booleans())
def test_the_fast_decoder_agrees_with_the_strict_reader_or_defers(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    decoded = fast(text)
    assert decoded is None or (decoded == json.loads(text) and json.dumps(decoded) == json.dumps(json.loads(text)))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=4), _VALUES, min_size=1, max_size=4), st.data())
def test_a_key_written_twice_is_never_taken(mapping: dict[str, object], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(mapping)))
    body = json.dumps(mapping)[1:-1]
    text = "{" + body + ", " + json.dumps(key) + ": " + json.dumps(data.draw(_VALUES)) + "}"
    assert fast(text) is None


@pytest.mark.parametrize(
    ("text", "structural"),
    [
        ('{"sites": [{"id": "a", "tags": {"k": "v"}}], "b": [{}]}', True),
        ('{"a": "{"}', False),
        ('{"a": {"b": "}"}}', False),
        ('{"a": "\\u007b"}', True),  # an escaped brace is no brace of the bytes
    ],
)
def test_braces_are_structural_only_when_no_string_holds_one(text: str, structural: bool) -> None:
    result = decoded(text)
    assert result is not None and result.structural_braces is structural


_ID_FREE = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='{}"\\'), max_size=5)
_NO_BRACES = st.recursive(
    st.none() | st.integers(-(2**53), 2**53) | _ID_FREE,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_ID_FREE, children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_ID_FREE, st.dictionaries(_ID_FREE, _NO_BRACES, max_size=3)), max_size=6), st.booleans())
def test_counting_braces_finds_the_closing_brace_that_skipping_strings_finds(
    assets: list[tuple[str, dict[str, object]]], indent: bool
) -> None:
    items = [
        {**fields, "id": asset_id} if index % 2 else {"id": asset_id, **fields}
        for index, (asset_id, fields) in enumerate(assets)
    ]
    text = json.dumps({"storage": items}, indent=2 if indent else None)
    result = decoded(text)
    assert result is not None and result.structural_braces
    assert _json_id_extents(text, structural_braces=True) == _json_id_extents(text)
