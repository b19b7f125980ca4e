"""The one-pass YAML reader gives the full reader's data, positions and extents, and gives up on what it does not
read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.inventory.source import MAX_DEPTH, Document, read_document, read_yaml_extents
from auditor.inventory.yaml_events import SHALLOW, read_plain_yaml

ROOT = Path(__file__).resolve().parents[1]
PLAIN_FILES = sorted((ROOT / "inventories" / "example").glob("*.yaml")) + sorted(
    (ROOT / "auditor" / "policies").glob("*/*.yaml")
)[:20]


@pytest.mark.parametrize("path", PLAIN_FILES, ids=lambda p: p.name)
def test_plain_files_read_as_the_full_reader_reads_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data, positions, ends = read_yaml_extents(text, path.name)
    shallow = read_plain_yaml(text, MAX_DEPTH)
    assert shallow is not None
    assert shallow.data == data
    assert shallow.positions == {key: value for key, value in positions.items() if len(key) <= SHALLOW}
    assert shallow.ends == ends
    full = Document(path.name, data, _positions=positions, _ends=ends)
    fast = Document(path.name, data, _shallow=shallow)
    for key in shallow.positions:
        a, b = full.asset_location(key, ""), fast.asset_location(key, "")
        assert (a.line, a.column, a.end_line, a.end_column) == (b.line, b.column, b.end_line, b.end_column)


def test_scalars_follow_the_core_schema() -> None:
    shallow = read_plain_yaml("a: [NO, yes, 012, 0x1f, 1.5e3, ~, '', true, 1:30, '7', null]\n", MAX_DEPTH)
    assert shallow is not None
    assert shallow.data == {"a": ["NO", "yes", 12, 31, 1500.0, None, "", True, "1:30", "7", None]}


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\n",  # anchor and alias
        "a: !!str 1\n",  # explicit tag
        "base: {x: 1}\nb:\n  <<: {y: 2}\n",  # merge key
        "a: 1\na: 2\n",  # duplicate key
        "? [a, b]\n: 1\n",  # complex key
        "a: .inf\n",  # a number the full reader refuses
        "a: 1\n---\nb: 2\n",  # two documents
        "a: [1, 2\n",  # a syntax error
        "a:" + " [" * MAX_DEPTH + "]" * MAX_DEPTH + "\n",  # nesting at the limit
    ],
)
def test_gives_up_on_what_the_full_reader_must_judge(text: str) -> None:
    assert read_plain_yaml(text, MAX_DEPTH) is None


def test_deeper_positions_are_found_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text("sites:\n  - id: fra\n    country: DE\n    tags:\n      - x\n", encoding="utf-8")
    document = read_document(path, "inv.yaml")
    assert document._shallow is not None and document._positions is None
    location = document.asset_location(("sites", 0), "fra")
    assert (location.line, location.column, location.end_line, location.end_column) == (2, 5, 5, 10)
    assert document._positions is None  # an asset's location needs no full read
    assert (document.locate(("sites", 0, "tags", 0)).line, document._positions is not None) == (5, True)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(_VALUES, st.sampled_from([False, True, None]))
def test_the_one_pass_reader_agrees_with_the_full_reader_or_defers(value: object, flow: bool | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    shallow = read_plain_yaml(text, MAX_DEPTH)
    if shallow is None:
        return
    data, positions, ends = read_yaml_extents(text, "x.yaml")
    assert shallow.data == data and repr(shallow.data) == repr(data)
    assert shallow.positions == {key: value for key, value in positions.items() if len(key) <= SHALLOW}
    assert shallow.ends == ends
