"""SARIF regions and results.json locations span each asset's text in its file, the end one past its last character.

SARIF 2.1.0 (3.30.5, 3.30.8): endLine is the line of the region's last character and endColumn the
column one past it. YAML assets end with their last value (a block mapping's own end lies past the
blank lines and comments after it), flow-style ones with their closing brace; JSON assets run from
their `"id"` to their closing brace. The one-pass reader, the full reader and the parse cache give the
same extents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.engine import AuditRequest, run_audit
from auditor.inventory.loader import load_inventory
from auditor.inventory.parse_cache import ParseCache
from auditor.inventory.source import MAX_DEPTH, read_document, read_yaml_extents
from auditor.inventory.yaml_events import SHALLOW, read_plain_yaml
from auditor.policy.loader import default_policies_dir
from auditor.report import ReportOptions, renderer
from tests.conftest import AS_OF, checked

# Block style, a flow-style asset, comments and blank lines between assets, a block scalar, a quoted
# scalar over two lines, and the last asset at the end of the file without a newline.
YAML_INVENTORY = """\
# Frankfurt: the site and its stores
sites:
  - id: fra-dc1
    provider: onprem   # our own hall

storage:
  - id: fra-lustre
    site: fra-dc1
    public_access: true
    description: |
      Training data and checkpoints.

  # written in flow style
  - {id: fra-s3, site: fra-dc1, public_access: true, labels: {tier: hot}}

  - id: fra-nfs
    public_access: true
    tags:
      - research
      - scratch
    # a comment after the last value, then a blank line

  - id: fra-archive
    public_access: true
    name: "cold archive,
      kept ten years\""""

# Per asset: its SARIF region (startLine, startColumn, endLine, endColumn) and the text it covers.
YAML_EXTENTS = {
    "fra-lustre": (
        (7, 5, 11, 37),
        "id: fra-lustre\n    site: fra-dc1\n    public_access: true\n    description: |\n"
        "      Training data and checkpoints.",
    ),
    "fra-s3": ((14, 5, 14, 74), "{id: fra-s3, site: fra-dc1, public_access: true, labels: {tier: hot}}"),
    "fra-nfs": ((16, 5, 20, 16), "id: fra-nfs\n    public_access: true\n    tags:\n      - research\n      - scratch"),
    "fra-archive": (
        (23, 5, 26, 22),
        'id: fra-archive\n    public_access: true\n    name: "cold archive,\n      kept ten years"',
    ),
}

# Pretty-printed objects, one written on a single line, the id not always first, a brace inside a
# string, the last object closing the file without a newline.
JSON_INVENTORY = """\
{
  "storage": [
    {
      "id": "s-block",
      "public_access": true,
      "labels": {"note": "a } in a string {"}
    },
    {"id": "s-line", "public_access": true},
    {
      "name": "the id comes second",
      "id": "s-second",
      "public_access": true
    }
  ]
}"""

JSON_EXTENTS = {
    "s-block": (
        (4, 7, 7, 6),
        '"id": "s-block",\n      "public_access": true,\n      "labels": {"note": "a } in a string {"}\n    }',
    ),
    "s-line": ((8, 6, 8, 44), '"id": "s-line", "public_access": true}'),
    "s-second": ((11, 7, 13, 6), '"id": "s-second",\n      "public_access": true\n    }'),
}
# The same without a brace inside a string: the closing braces are then found by counting braces alone.
JSON_PLAIN_BRACES = JSON_INVENTORY.replace('"a } in a string {"', '"no brace in a string"')
JSON_PLAIN_EXTENTS = {
    **JSON_EXTENTS,
    "s-block": (
        (4, 7, 7, 6),
        '"id": "s-block",\n      "public_access": true,\n      "labels": {"note": "no brace in a string"}\n    }',
    ),
}
Span = tuple[int, int, int, int]


def region_text(text: str, span: Span) -> str:
    """The characters a SARIF region covers: from its start to just before (endLine, endColumn)."""
    lines = text.split("\n")

    def offset(line: int, column: int) -> int:
        return sum(len(item) + 1 for item in lines[: line - 1]) + column - 1

    start_line, start_column, end_line, end_column = span
    return text[offset(start_line, start_column) : offset(end_line, end_column)]


def public_datastore_regions(inventory: Path) -> dict[str, Span]:
    """SEC-PUBLIC-DATASTORE's SARIF region per asset, checked equal to the asset's results.json location."""
    request = AuditRequest([inventory], [default_policies_dir()], AS_OF, root=inventory.parent, allow_empty=True)
    result = checked(run_audit(request))
    sarif = json.loads(renderer("sarif")(result, ReportOptions()))["runs"][0]["results"]
    regions: dict[str, Span] = {}
    for r in sarif:
        if r["ruleId"] == "SEC-PUBLIC-DATASTORE" and r["kind"] == "fail":
            region = r["locations"][0]["physicalLocation"]["region"]
            span = (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"])
            regions[r["locations"][0]["logicalLocations"][0]["name"]] = span
    findings = json.loads(renderer("json")(result, ReportOptions()))["findings"]
    for finding in findings:
        if finding["rule_id"] == "SEC-PUBLIC-DATASTORE":
            where = finding["location"]
            span = (where["line"], where["column"], where["end_line"], where["end_column"])
            assert span == regions[finding["asset_id"]]
    return regions


@pytest.mark.parametrize(
    ("name", "text", "extents"),
    [
        ("inv.yaml", YAML_INVENTORY, YAML_EXTENTS),
        ("inv.json", JSON_INVENTORY, JSON_EXTENTS),
        ("inv.json", JSON_PLAIN_BRACES, JSON_PLAIN_EXTENTS),
    ],
    ids=["yaml", "json", "json-no-brace-in-a-string"],
)
def test_regions_span_each_asset_text(tmp_path: Path, name: str, text: str, extents: dict[str, Any]) -> None:
    """YAML: from the first key to the last value; JSON: from the `"id"` to the closing brace."""
    inventory = tmp_path / name
    inventory.write_text(text, encoding="utf-8")
    regions = public_datastore_regions(inventory)
    assert regions == {asset: span for asset, (span, _) in extents.items()}
    assert {asset: region_text(text, span) for asset, span in regions.items()} == {
        asset: covered for asset, (_, covered) in extents.items()
    }


def test_a_yaml_asset_ends_before_a_comment_on_its_last_line(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(YAML_INVENTORY, encoding="utf-8")
    site = load_inventory([inventory], root=tmp_path).locations["fra-dc1"]
    assert (site.line, site.column, site.end_line, site.end_column) == (3, 5, 4, 21)
    assert region_text(YAML_INVENTORY, (3, 5, 4, 21)) == "id: fra-dc1\n    provider: onprem"


def test_the_full_reader_gives_the_one_pass_readers_regions(tmp_path: Path) -> None:
    """An explicit tag on a value sends the file to the full reader: the same text, the same extents."""
    tagged = YAML_INVENTORY.replace("site: fra-dc1\n    public_access", "site: !!str fra-dc1\n    public_access")
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(tagged, encoding="utf-8")
    assert read_plain_yaml(tagged, MAX_DEPTH) is None
    assert read_document(inventory, "inv.yaml")._shallow is None
    assert public_datastore_regions(inventory) == {asset: span for asset, (span, _) in YAML_EXTENTS.items()}


EDGE_CASES = [
    YAML_INVENTORY,
    YAML_INVENTORY + "\n\n# the end\n",
    YAML_INVENTORY.replace("\n", "\r\n"),
    "a:\n  - d: |+\n      kept\n\n\n  - e: >-\n      folded\n      twice\n\n  - f: |  # a header comment\n\n"
    "  - g:\n  - [1, [2,\n      3]]\n  - ''\n  - x: {}\n",
    "a: 1",
    "top:\n  nested:\n    deeper: [1, 2]\n  empty:\n# c\n",
    "- é: 'ü'\n- 😀: x\n",
]


@pytest.mark.parametrize("text", EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_both_readers_give_the_same_extents(text: str) -> None:
    """On these texts and the example's files and hypothesis' texts (tests/test_yaml_events.py)."""
    shallow = read_plain_yaml(text, MAX_DEPTH)
    assert shallow is not None
    _, positions, ends = read_yaml_extents(text, "x.yaml")
    assert shallow.ends == ends
    assert set(ends) == set(shallow.positions) == {path for path in positions if len(path) <= SHALLOW}


def test_block_scalars_end_at_their_last_visible_character() -> None:
    text = EDGE_CASES[3]
    shallow = read_plain_yaml(text, MAX_DEPTH)
    assert shallow is not None
    spans = {path: region_text(text, (*shallow.positions[path], *end)) for path, end in shallow.ends.items()}
    assert spans[("a", 0)] == "d: |+\n      kept"
    assert spans[("a", 1)] == "e: >-\n      folded\n      twice"
    assert spans[("a", 2)] == "f: |"
    assert spans[("a", 3)] == "g:"
    assert spans[("a", 4)] == "[1, [2,\n      3]]"
    assert spans[("a", 5)] == "''"
    assert spans[("a", 6)] == "x: {}"


def test_a_cache_hit_gives_the_extents_of_a_fresh_parse(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(YAML_INVENTORY, encoding="utf-8")
    cache = ParseCache(tmp_path / "cache")

    def extents() -> dict[str, tuple[int, int, int | None, int | None]]:
        found = load_inventory([inventory], root=tmp_path, cache=cache).locations
        return {asset: (at.line, at.column, at.end_line, at.end_column) for asset, at in found.items()}

    fresh = extents()  # a miss: parsed and kept
    [entry] = sorted(cache.folder.glob("*.v2.json"))
    assert extents() == fresh  # a hit
    assert fresh["fra-archive"] == (23, 5, 26, 22)
    entry.write_bytes(entry.read_bytes().replace(b'["storage",3,23,5,26,22]', b'["storage",3,23,5,26,9]'))
    assert extents()["fra-archive"] == (23, 5, 26, 9)  # read from the entry, not parsed again
