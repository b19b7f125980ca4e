"""No silent greens: an audit of nothing, by no rule, or with a blanket waiver is refused (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import invoke, write

STORE = "storage: [{id: s, public_access: true}]\n"


def audit(cli: CliRunner, tmp_path: Path, *args: str) -> tuple[int, str]:
    result = invoke(cli, "audit", *args, "--out", tmp_path / "out", "--as-of", "2026-11-01", "--fail-on", "none")
    return result.exit_code, result.stderr


@pytest.mark.parametrize("text", ["", "null\n", "{}\n", "version: 1\nstorage: []\n"])
def test_an_inventory_without_assets_is_refused(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", text)
    assert audit(cli, tmp_path, "inv.yaml") == (
        2,
        "inv.yaml:1:1: $: the inventory holds no assets: nothing would be checked (--allow-empty to audit anyway)\n"
        "error: 1 input problem; nothing was audited\n",
    )
    assert not (tmp_path / "out").exists()


def test_allow_empty_audits_and_the_results_say_so(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", "null\n")
    assert audit(cli, tmp_path, "inv.yaml", "--allow-empty", "--format", "json")[0] == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["notices"] == ["the inventory holds no assets; audited anyway (--allow-empty)"]


def test_an_empty_policies_folder_is_refused(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", STORE)
    (tmp_path / "rules").mkdir()
    code, stderr = audit(cli, tmp_path, "inv.yaml", "--policies", "rules")
    assert (code, stderr.splitlines()[0]) == (
        2,
        "rules:1:1: $: no rule packs here (a sub-folder per pack, with a pack.yaml) and no frameworks/ folder",
    )


def test_no_rule_in_force_is_refused(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", STORE)
    write(tmp_path, "config.yaml", "disabled_rules: []\nenable_packs: []\n")
    code, stderr = audit(cli, tmp_path, "inv.yaml", "--as-of", "1999-01-01")
    assert code == 0  # the bundled packs have rules in force in 1999 (security, capacity)
    write(tmp_path, "rules/p/pack.yaml", "name: p\ntitle: P\nversion: '1'\n")
    write(
        tmp_path,
        "rules/p/T-1.yaml",
        "id: T-1\ntitle: t\nseverity: low\ndescription: d\nrationale: r\nremediation: m\n"
        "references: {x: ['1']}\neffective_from: 2030-01-01\napplies_to: {kinds: [storage]}\n"
        "condition: {path: public_access, op: eq, value: false}\n",
    )
    code, stderr = audit(cli, tmp_path, "inv.yaml", "--policies", "rules", "--no-bundled-policies")
    assert (code, stderr.splitlines()[0]) == (
        2,
        "rules:1:1: $: no rule is enabled and in force at the audit date: nothing would be checked "
        "(--allow-empty to audit anyway)",
    )


BLANKET = """
waivers:
  - rule: "*"
    assets: "*"
    justification: make CI green
    approver: dev@example.com
    expires: 2027-01-01
  - rule: SEC-PUBLIC-DATASTORE
    assets: "*"
    justification: all buckets are public websites
    approver: ciso@example.com
    expires: 2027-01-01
    {scope}
"""


def test_blanket_waivers_need_scope_all(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", STORE)
    write(tmp_path, "waivers.yaml", BLANKET.replace("{scope}", ""))
    assert audit(cli, tmp_path, "inv.yaml", "--waivers", "waivers.yaml") == (
        2,
        "waivers.yaml:2:5: $.waivers[0]: waiver covers every rule and every asset; name what it accepts, or "
        "declare 'scope: all' with its justification\n"
        "waivers.yaml:7:5: $.waivers[1]: waiver covers every asset; name what it accepts, or declare 'scope: all' "
        "with its justification\n"
        "error: 2 input problems; nothing was audited\n",
    )


def test_a_declared_blanket_waiver_is_allowed_and_reported(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inv.yaml", STORE)
    text = BLANKET.replace("{scope}", "scope: all").split("  - rule: SEC")[1]
    write(tmp_path, "waivers.yaml", "waivers:\n  - rule: SEC" + text)
    assert audit(cli, tmp_path, "inv.yaml", "--waivers", "waivers.yaml", "--format", "json")[0] == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["notices"] == [
        "waiver at waivers.yaml:2:5 covers every asset (scope: all): all buckets are public websites"
    ]
