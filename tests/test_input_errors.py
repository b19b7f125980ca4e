"""Every class of bad input gets `file:line:col: json.path: message`, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.inventory.loader import load_inventory
from auditor.inventory.source import MAX_ALIAS_NODES
from tests.conftest import write


def errors(*paths: Path, **kwargs: int) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_inventory(list(paths), **kwargs)
    return [str(issue) for issue in caught.value.issues]


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "sites:\n  - id: a\n    name: [unclosed\n")
    [message] = errors(path)
    assert message.endswith(":4:1: $: invalid YAML: did not find expected ',' or ']'")


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{"sites": [\n  {"id": "a",}\n]}\n')
    [message] = errors(path)
    assert message.endswith(":2:14: $: invalid JSON: Expecting property name enclosed in double quotes")


def test_duplicate_yaml_key_is_an_error_with_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "sites:\n  - id: a\n    country: DE\n    country: FR\n")
    [message] = errors(path)
    assert message.endswith(":4:5: $.sites[0].country: duplicate key 'country' (first defined on line 3)")


def test_duplicate_json_key_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.json", '{"sites": [{"id": "a",\n "id": "b"}]}\n')
    [message] = errors(path)
    assert message.endswith(":2:2: $.sites[0].id: duplicate key 'id' (first defined on line 1)")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 8):
        prev = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    [message] = errors(path)
    assert f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing (possible alias bomb)" in message


def test_small_aliases_are_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "alias.yaml",
        """
        sites:
          - &base {id: a, country: DE, provider: onprem}
          - {<<: *base, id: b}
        """,
    )
    inventory = load_inventory([path])
    assert inventory.assets["b"].country == "DE"


def test_arbitrary_tags_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "tag.yaml", "sites:\n  - !!python/object:os.system {id: a}\n")
    [message] = errors(path)
    assert message.endswith(":2:5: $.sites[0]: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'")


def test_file_over_size_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yaml", "sites: []\n" + "# padding\n" * 100)
    [message] = errors(path, max_file_bytes=100)
    assert message.endswith(f":1:1: $: file is {path.stat().st_size} bytes, over the limit of 100 bytes")


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"sites:\n  - id: caf\xe9\n")
    [message] = errors(path)
    assert message.endswith(":2:1: $: file is not UTF-8 text")


def test_schema_violations_unknown_kind_and_attribute_all_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "schema.yaml",
        """
        sites:
          - id: fra
            country: Germany
            colour: blue
        storage:
          - id: s1
            encryption_at_rest: {enabled: "yes"}
        gadgets: []
        """,
    )
    messages = errors(path)
    assert [m.split(": ", 1)[1] for m in messages] == [
        "$.sites[0].country: String should match pattern '^[A-Z]{2}$' (got 'Germany')",
        "$.sites[0].colour: unknown attribute 'colour'",
        "$.storage[0].encryption_at_rest.enabled: Input should be a valid boolean (got 'yes'); "
        "write true or false (yes, no, on and off are text in YAML 1.2)",
        "$.gadgets: unknown asset kind 'gadgets'; expected one of: clusters, collection_points, compute, "
        "datasets, flows, networks, organization, sites, storage, vendors, workloads",
    ]
    assert [m.split(": ", 1)[0].rsplit(":", 2)[1:] for m in messages] == [
        ["3", "14"],
        ["4", "13"],
        ["7", "35"],
        ["8", "10"],
    ]


def test_missing_required_attribute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "flow.yaml", "flows:\n  - id: f1\n    source: a\n")
    assert errors(path) == ["flow.yaml:2:5: $.flows[0].destination: missing required attribute 'destination'"]


def test_duplicate_ids_across_files_and_dangling_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv/a.yaml", "sites:\n  - {id: fra, country: DE}\n")
    write(
        tmp_path,
        "inv/b.yaml",
        """
        sites:
          - {id: fra, country: FR}
        storage:
          - id: s1
            site: nowhere
          - id: s2
            site: s1
          - id: s3
            networks: [net-x]
        """,
    )
    assert errors(Path("inv")) == [
        "inv/b.yaml:2:10: $.sites[0].id: duplicate asset id 'fra' (first defined at inv/a.yaml:2:5)",
        "inv/b.yaml:5:11: $.storage[0].site: reference to unknown asset 'nowhere'",
        "inv/b.yaml:7:11: $.storage[1].site: 's1' is a storage, expected a site",
        "inv/b.yaml:9:16: $.storage[2].networks[0]: reference to unknown asset 'net-x'",
    ]


def test_a_duplicate_id_is_placed_at_itself_and_its_sections_references_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duplicate is placed at its own id: a JSON file's assets are found by id, and the duplicate was placed
    at the first asset's (inv.json:2:3 twice). The references of the section's other assets are still placed
    (their section is read asset by asset)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", "storage:\n  - {id: s1}\n  - {id: s1}\n  - {id: s2, site: nowhere}\n")
    write(tmp_path, "inv.json", '{"storage": [\n {"id": "t1"},\n {"id": "t1"},\n {"id": "t2", "site": "nowhere"}\n]}\n')
    assert errors(Path("inv.yaml")) == [
        "inv.yaml:3:10: $.storage[1].id: duplicate asset id 's1' (first defined at inv.yaml:2:5)",
        "inv.yaml:4:20: $.storage[2].site: reference to unknown asset 'nowhere'",
    ]
    assert errors(Path("inv.json")) == [
        "inv.json:3:9: $.storage[1].id: duplicate asset id 't1' (first defined at inv.json:2:3)",
        "inv.json:4:23: $.storage[2].site: reference to unknown asset 'nowhere'",
    ]


def test_two_organizations_are_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "inv"
    write(folder, "a.yaml", "organization: {id: one}\n")
    write(folder, "b.yaml", "organization: {id: two}\n")
    [message] = errors(folder)
    assert message.endswith("$.organization: only one organization may be declared across the inventory")


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    messages = errors(tmp_path / "nope.yaml", tmp_path / "empty")
    assert [m.split(": ", 1)[1] for m in messages] == [
        "$: no .yaml, .yml or .json files in this folder",
        "$: no such file or folder",
    ]


def test_json_inventory_locations_point_at_each_asset(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "inv.json",
        '{"sites": [\n  {"country": "DE",\n   "id": "fra"},\n  {"id": "ams", "country": "NL"}\n]}\n',
    )
    inventory = load_inventory([path])
    assert (inventory.locations["fra"].line, inventory.locations["fra"].column) == (3, 4)
    assert (inventory.locations["ams"].line, inventory.locations["ams"].column) == (4, 4)


def test_json_schema_error_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "inv.json", '{"sites": [\n  {"id": "fra",\n   "country": 7}\n]}\n')
    [message] = errors(path)
    assert message.endswith(":3:15: $.sites[0].country: Input should be a valid string (got 7)")


def test_errors_past_the_first_converted_chunk_keep_their_index_line_and_the_valid_items(tmp_path: Path) -> None:
    # The loader converts a section a chunk at a time and lets each converted chunk's plain data go: an
    # invalid item beyond the first chunks is still reported at its own index and line, the valid items
    # before and after it still count for the cross-checks (the references below resolve), and the
    # only other error is the reference to the invalid item.
    count = 5000
    lines = ["storage:"] + [f"  - {{id: s{index}, capacity_tb: 1}}" for index in range(count)]
    lines[4001] = "  - {id: s4000, capacity_tb: many}"
    lines += ["datasets:", "  - {id: d, stored_in: [s0, s2047, s2048, s4999, s4000]}"]
    path = write(tmp_path, "big.yaml", "\n".join(lines) + "\n")
    assert errors(path) == [
        f"{path}:4002:30: $.storage[4000].capacity_tb: Input should be a valid number (got 'many')",
        f"{path}:5003:50: $.datasets[0].stored_in[4]: reference to unknown asset 's4000'",
    ]
