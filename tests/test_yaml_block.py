"""The line reader gives the event reader's data, positions and extents, and gives up on what it does not read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.inventory.source import MAX_DEPTH, read_document
from auditor.inventory.yaml_block import read_block_yaml
from auditor.inventory.yaml_events import Positions, read_plain_yaml
from bench.generate import declared, generate

ROOT = Path(__file__).resolve().parents[1]
YAML_FILES = sorted((ROOT / "inventories").rglob("*.yaml")) + sorted((ROOT / "auditor" / "policies").rglob("*.yaml"))


def assert_same_or_deferred(text: str) -> bool:
    """The line reader's result is the event reader's, or it gave up; whether it read the text."""
    block = read_block_yaml(text, MAX_DEPTH)
    if block is None:
        return False
    events = read_plain_yaml(text, MAX_DEPTH)
    assert events is not None, "the line reader accepted a text the event reader does not"
    assert block.data == events.data and repr(block.data) == repr(events.data)
    assert block.positions == events.positions
    assert block.ends == events.ends
    return True


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_project_files_read_as_the_event_reader_reads_them(path: Path) -> None:
    assert_same_or_deferred(path.read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize("make", [generate, declared])
def test_generated_inventories_are_read_by_the_line_reader(make: object) -> None:
    text = yaml.safe_dump(make(300), sort_keys=False, allow_unicode=True)  # type: ignore[operator]
    assert assert_same_or_deferred(text)


def test_hand_written_forms_it_reads() -> None:
    text = (
        "# inventory\n"
        "version: 1\n"
        "sites:\n"
        "  -   id: fra   \n"
        "      name: 'Frankfurt, it''s #1'\n"
        "\n"
        "      # a comment line\n"
        '      note: "a: b"\n'
        "      tags: []\n"
        "      labels: {}\n"
        "      ports:\n"
        "      - 443\n"
        "      - 0x1f\n"
        "      flags:\n"
        "          - -1.5e3\n"
        "          - ~\n"
        "          - NO\n"
        "  - id: ber\n"
        "    url: http://x.example/a#b\n"
        "organization:\n"
        "   id: org\n"
        "   name: a long name\n"
        "     folded over\n"
        "       three lines\n"
        "   note: 1\n"
        "    2\n"
    )
    assert assert_same_or_deferred(text)
    block = read_block_yaml(text, MAX_DEPTH)
    assert block is not None
    assert block.data["sites"][0]["flags"] == [-1500.0, None, "NO"]
    assert block.data["sites"][0]["name"] == "Frankfurt, it's #1"
    assert block.data["organization"] == {"id": "org", "name": "a long name folded over three lines", "note": "1 2"}


@pytest.mark.parametrize(
    "text",
    [
        "a:\tb\n",  # a tab
        "a: b # note\n",  # a comment after a value
        "a: b\n\n  c\n",  # a plain scalar folded over a blank line
        "a: b\n  # note\n  c\n",  # a plain scalar after a comment line (an error)
        "a: 'b'\n  c\n",  # a quoted scalar continued (an error)
        "a:\n  - b\n  c\n",  # a plain scalar's line not deeper than its sequence's dash
        "a: |\n  b\n",  # a block scalar
        "a: 'b\n  c'\n",  # a multi-line quoted scalar
        'a: "b\\n"\n',  # an escape
        "a: [1, 2]\n",  # a flow collection with content
        "a:\nb: 1\n",  # an empty value
        "a: &x 1\nb: *x\n",  # an anchor and an alias
        "a: !!str 1\n",  # a tag
        "%YAML 1.2\n---\na: 1\n",  # a directive
        "a: 1\n---\nb: 2\n",  # two documents
        "a: 1\na: 2\n",  # a duplicate key
        "a:\n  <<: {b: 1}\n",  # a merge key
        "a: .inf\n",  # a number the full reader refuses
        "a: 1\n b: 2\n",  # odd indentation
        "a:\n- 1\n  - 2\n",  # a dash deeper than its sequence
        "- - 1\n",  # a sequence in a sequence on one line
        "a: b: c\n",  # a mapping where a scalar stands
        "a: \x01\n",  # a control character
        "a: x\u2028y\n",  # a line break of libyaml's inside what is one line here
        "a: x\x85y\n",  # NEL, another
        "'a': 1\n",  # a quoted key
        "",  # no document
        "a:" + "\n".join(" " * (2 * n) + "b:" for n in range(1, MAX_DEPTH + 2)) + " 1\n",  # nesting at the limit
    ],
)
def test_gives_up_outside_its_subset(text: str) -> None:
    assert read_block_yaml(text, MAX_DEPTH) is None


def test_a_document_is_read_by_it(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text("sites:\n  - id: fra\n    country: DE\n    tags:\n      - x\n", encoding="utf-8")
    document = read_document(path, "inv.yaml")
    assert document._shallow is not None and document.data == {"sites": [{"id": "fra", "country": "DE", "tags": ["x"]}]}
    location = document.asset_location(("sites", 0), "fra")
    assert (location.line, location.column, location.end_line, location.end_column) == (2, 5, 5, 10)
    assert document.locate(("sites", 0, "tags", 0)).line == 5  # deeper values: the full reader, when asked


_KEYS = st.text(alphabet="abz_-.09 :#'", min_size=1, max_size=5)
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=24,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=4), st.integers(1, 4), st.booleans())
def test_dumped_values_read_as_the_event_reader_reads_them(value: object, indent: int, wide: bool) -> None:
    text = yaml.safe_dump(value, default_flow_style=False, allow_unicode=True, indent=indent + wide)
    assert_same_or_deferred(text)


_EDITS = st.lists(
    st.tuples(
        st.integers(0, 10_000), st.sampled_from(["", " ", "  ", "-", "- ", ":", "#", "\n", "'", "x", "\u2028", "\xe9"])
    )
)


@settings(max_examples=400, deadline=None)
@given(_EDITS)
def test_edited_texts_are_read_as_the_event_reader_reads_them_or_deferred(edits: list[tuple[int, str]]) -> None:
    """Characters inserted or removed anywhere in an inventory: the line reader never accepts what the event
    reader (and so libyaml) refuses, nor reads it otherwise."""
    text = "version: 1\nsites:\n- id: fra\n  tags:\n  - a\n  - 2\n  labels: {}\n  name: 'x y'\nvendors:\n  - id: v\n"
    for offset, insert in edits:
        at = offset % (len(text) + 1)
        text = text[:at] + insert + text[at + (not insert) :]
    assert_same_or_deferred(text)


def test_positions_in_arrays_answer_as_the_dict_they_were_made_from() -> None:
    found = {(): (1, 1), ("sites",): (2, 1), ("sites", 0): (3, 3), ("sites", 1): (5, 3), ("sites", 3): (9, 3)}
    found |= {("organization", "id"): (11, 3), ("sites", 2, "x"): (12, 1)}  # out of order, deeper: the dict
    positions = Positions(found)
    assert positions == found and dict(positions) == found and len(positions) == len(found)
    for missing in [("sites", 2), ("sites", 5), ("sites", -1), ("sites", 4), ("vendors", 0), ("sites", 0, "id")]:
        assert missing not in positions
        with pytest.raises(KeyError):
            positions[missing]
