"""Bundled packs are the default; --policies folders add packs; nothing defined twice is silently replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from auditor.errors import InputError
from auditor.policy.frameworks import load_frameworks
from auditor.policy.loader import default_policies_dir, load_policies
from tests.conftest import invoke, rule_text, write

BUNDLED = default_policies_dir()
PACK = "name: extra\ntitle: Extra\nversion: '1'\n"


def extra_pack(root: Path, rule_id: str = "X-1", pack: str = "extra") -> Path:
    write(root, f"{pack}/pack.yaml", PACK.replace("extra", pack))
    write(root, f"{pack}/{rule_id}.yaml", yaml.safe_dump(rule_text(rule_id), sort_keys=False))
    return root


def load_errors(folders: list[Path], monkeypatch: pytest.MonkeyPatch, cwd: Path) -> list[str]:
    monkeypatch.chdir(cwd)
    with pytest.raises(InputError) as caught:
        load_policies(folders)
    return [str(issue) for issue in caught.value.issues]


def test_a_second_folder_adds_its_packs_to_the_bundled_ones(tmp_path: Path) -> None:
    bundled = load_policies(BUNDLED)
    both = load_policies([BUNDLED, extra_pack(tmp_path / "mine")])
    assert set(both.rules) == {*bundled.rules, "X-1"}
    assert set(both.packs) == {*bundled.packs, "extra"}
    assert both.rules["X-1"].pack == "extra"
    assert both.pack_hashes["gdpr"] == bundled.pack_hashes["gdpr"]


def test_a_rule_defined_twice_across_folders_names_both_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = extra_pack(tmp_path / "mine", "SEC-PUBLIC-DATASTORE")
    bundled_rule = (BUNDLED / "security" / "SEC-PUBLIC-DATASTORE.yaml").as_posix()
    assert load_errors([BUNDLED, mine], monkeypatch, tmp_path) == [
        "mine/extra/SEC-PUBLIC-DATASTORE.yaml:1:5: $.id: duplicate rule id 'SEC-PUBLIC-DATASTORE' "
        f"(first defined at {bundled_rule}:1:5)"
    ]


def test_a_pack_defined_twice_names_both_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = extra_pack(tmp_path / "mine", "X-9", pack="gdpr")
    assert load_errors([BUNDLED, mine], monkeypatch, tmp_path) == [
        f"mine/gdpr:1:1: $: duplicate pack 'gdpr' (first defined at {(BUNDLED / 'gdpr').as_posix()})"
    ]


def test_a_folder_without_packs_or_frameworks_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    assert load_errors([BUNDLED, tmp_path / "empty"], monkeypatch, tmp_path) == [
        "empty:1:1: $: no rule packs here (a sub-folder per pack, with a pack.yaml) and no frameworks/ folder"
    ]


def test_framework_files_add_up_and_a_name_defined_twice_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    framework = {
        "framework": "house",
        "title": "House rules",
        "version": "1",
        "source": "test",
        "requirements": [{"id": "H1", "title": "One", "coverage": "automated", "rules": ["X-1"]}],
    }
    mine = extra_pack(tmp_path / "mine")
    write(mine, "frameworks/house.yaml", yaml.safe_dump(framework, sort_keys=False))
    policies = load_policies([BUNDLED, mine])
    frameworks = load_frameworks([BUNDLED, mine], policies)
    assert set(frameworks) == {*load_frameworks(BUNDLED, load_policies(BUNDLED)), "house"}
    write(mine, "frameworks/gdpr.yaml", yaml.safe_dump({**framework, "framework": "gdpr"}, sort_keys=False))
    with pytest.raises(InputError) as caught:
        load_frameworks([BUNDLED, mine], policies)
    assert [str(issue) for issue in caught.value.issues] == [
        "mine/frameworks/gdpr.yaml:1:1: $: duplicate framework 'gdpr' "
        f"(first defined at {(BUNDLED / 'frameworks' / 'gdpr.yaml').as_posix()})"
    ]


def test_cli_adds_folders_and_can_replace_the_bundled_packs(cli: CliRunner, tmp_path: Path) -> None:
    mine = extra_pack(tmp_path / "mine")
    added = invoke(cli, "rules", "list", "--policies", mine)
    assert added.exit_code == 0, added.stderr
    listed = [line.split()[0] for line in added.stdout.splitlines()]
    assert "X-1" in listed and "GDPR-6-LAWFUL-BASIS" in listed
    only = invoke(cli, "rules", "list", "--policies", mine, "--no-bundled-policies")
    assert only.stdout.split() == ["X-1", "low", "extra", "t"]
    mine_too = extra_pack(tmp_path / "mine2", "X-2", pack="extra2")
    two = invoke(cli, "rules", "list", "--policies", mine, "--policies", mine_too, "--no-bundled-policies")
    assert [line.split()[0] for line in two.stdout.splitlines()] == ["X-1", "X-2"]


def test_no_bundled_policies_needs_a_folder(cli: CliRunner) -> None:
    result = invoke(cli, "rules", "list", "--no-bundled-policies")
    assert result.exit_code == 2
    assert "Invalid value for --no-bundled-policies: give at least one --policies DIR" in result.stderr
