"""orjson's result is taken only where the strict reader would read the same data without complaint."""

from __future__ import annotations

import json

import pytest

from auditor.inventory.json_fast import decode_json
from auditor.inventory.source import MAX_DEPTH, TOO_DEEP


def fast(text: str | bytes) -> object:
    return decode_json(text.encode() if isinstance(text, str) else text, MAX_DEPTH, TOO_DEEP)


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
