"""Unchanged YAML files are read from the parse cache with the same results; a changed byte or a bad entry misses."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.engine import AuditRequest, run_audit
from auditor.errors import InputError
from auditor.inventory.loader import load_inventory
from auditor.inventory.parse_cache import ParseCache
from auditor.policy.loader import default_policies_dir
from auditor.report import ReportOptions, renderer
from tests.conftest import AS_OF, EXAMPLE, invoke


def results_json(inventory: Path, cache: Path | None) -> bytes:
    request = AuditRequest([inventory], [default_policies_dir()], AS_OF, root=inventory.parent, cache_dir=cache)
    return renderer("json")(run_audit(request), ReportOptions())


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def test_a_hit_gives_the_results_of_a_fresh_parse(tmp_path: Path) -> None:
    inventory = tmp_path / "example"
    shutil.copytree(EXAMPLE, inventory)
    cache = tmp_path / "cache"
    fresh = results_json(inventory, None)
    assert not cache.exists()
    assert results_json(inventory, cache) == fresh  # a miss: parsed and kept
    packs = [p for p in default_policies_dir().rglob("*.yaml") if "frameworks" not in p.parts]
    parsed = {hashlib.sha256(p.read_bytes()).digest() for p in [*inventory.glob("*.yaml"), *packs]}
    assert len(entries(cache)) == len(parsed)  # the inventory's files and the rule packs'
    for entry in entries(cache):  # a hit must not parse: an entry that says otherwise would show
        entry.touch()
    assert results_json(inventory, cache) == fresh


def test_a_hit_is_read_from_the_entry_and_a_changed_byte_misses(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text("sites:\n  - id: fra\n    country: DE\n    provider: onprem\n", encoding="utf-8")
    cache = ParseCache(tmp_path / "cache")
    load_inventory([path], root=tmp_path, cache=cache)
    [entry] = entries(cache.folder)
    entry.write_bytes(entry.read_bytes().replace(b'"DE"', b'"FR"'))  # proves the next load reads the entry
    assert load_inventory([path], root=tmp_path, cache=cache).assets["fra"].country == "FR"
    path.write_text(path.read_text(encoding="utf-8").replace("onprem", "aws "), encoding="utf-8")
    inventory = load_inventory([path], root=tmp_path, cache=cache)
    assert (inventory.assets["fra"].country, inventory.assets["fra"].provider) == ("DE", "aws")
    assert len(entries(cache.folder)) == 2


def test_a_corrupt_or_foreign_entry_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text("sites:\n  - id: fra\n    country: DE\n", encoding="utf-8")
    cache = ParseCache(tmp_path / "cache")
    load_inventory([path], root=tmp_path, cache=cache)
    [entry] = entries(cache.folder)
    original = entry.read_bytes()
    for bad in (b"{not json", original.replace(b'"format":2', b'"format":1'), b"[]", b'{"format":2}'):
        entry.write_bytes(bad)
        inventory = load_inventory([path], root=tmp_path, cache=cache)
        assert (inventory.assets["fra"].country, inventory.locations["fra"].line) == ("DE", 2)
        assert entry.read_bytes() == original
    other = tmp_path / "other.yaml"
    other.write_text("sites:\n  - id: ams\n    country: NL\n", encoding="utf-8")
    load_inventory([other], root=tmp_path, cache=cache)
    [_, other_entry] = sorted(entries(cache.folder), key=lambda p: p != entry)
    entry.write_bytes(other_entry.read_bytes())  # an entry of another file under this file's name
    assert set(load_inventory([path], root=tmp_path, cache=cache).assets) == {"fra"}


def test_errors_on_a_hit_are_located_as_on_a_fresh_parse(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text("sites:\n  - id: fra\n    country: DE\n    tags:\n      - 5\n", encoding="utf-8")
    cache = ParseCache(tmp_path / "cache")
    for _ in range(2):  # a miss that keeps the parse, then a hit
        with pytest.raises(InputError) as caught:
            load_inventory([path], root=tmp_path, cache=cache)
        assert str(caught.value) == "inv.yaml:5:9: $.sites[0].tags[0]: Input should be a valid string (got 5)"
        assert len(entries(cache.folder)) == 1


def test_the_cli_keeps_parses_under_xdg_cache_home_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: CliRunner
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "ai-infra-auditor" / "parsed"
    for command in (["validate", EXAMPLE], ["audit", EXAMPLE, "--out", tmp_path / "out", "--fail-on", "none"]):
        assert invoke(cli, *command, "--no-cache").exit_code == 0
        assert not folder.exists()
    assert invoke(cli, "validate", EXAMPLE).exit_code == 0
    assert len(entries(folder)) == len(list(EXAMPLE.glob("*.yaml")))
