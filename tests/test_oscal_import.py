"""OSCAL assessment results read back: `auditor diff` and `audit --baseline` take them like results.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from auditor.engine import AuditRequest, run_audit
from auditor.history.diff import diff, render_json, totals
from auditor.history.results_file import load_results
from auditor.policy.loader import default_policies_dir
from auditor.report import renderer
from tests.conftest import AS_OF, EXAMPLE, REPO, invoke

WAIVERS = REPO / "inventories" / "example.waivers.yaml"
CONFIG = REPO / "inventories" / "example.config.yaml"


def _write_both(inventory: Path, out: Path) -> tuple[Path, Path]:
    """Audit `inventory` once; write its results.json and assessment-results.json."""
    result = run_audit(AuditRequest([inventory], default_policies_dir(), AS_OF, waivers=WAIVERS, config=CONFIG))
    out.mkdir()
    (out / "results.json").write_bytes(renderer("json")(result))
    (out / "assessment-results.json").write_bytes(renderer("oscal")(result))
    return out / "results.json", out / "assessment-results.json"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _write_both(EXAMPLE, tmp_path_factory.mktemp("example") / "reports")


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example with one clear-text flow fixed and another one made clear-text."""
    folder = tmp_path_factory.mktemp("changed")
    inventory = folder / "example"
    shutil.copytree(EXAMPLE, inventory)
    flows = inventory / "60-flows-workloads.yaml"
    text = flows.read_text()
    fixed = text.replace("    encrypted_in_transit: false\n", "    encrypted_in_transit: true\n", 1)
    broken = fixed.replace(
        "    network: fra-eu-vpn\n    datasets: [clickstream-sessions]\n    purpose: recommendations\n"
        "    encrypted_in_transit: true\n",
        "    network: fra-eu-vpn\n    datasets: [clickstream-sessions]\n    purpose: recommendations\n"
        "    encrypted_in_transit: false\n",
    )
    assert text != fixed != broken
    flows.write_text(broken)
    return _write_both(inventory, folder / "reports")


def test_oscal_reads_back_as_the_results_of_the_same_run(example: tuple[Path, Path]) -> None:
    results, oscal = (load_results(path) for path in example)
    assert totals(results, oscal) == {
        "new": 0,
        "resolved": 0,
        "persisting": sum(
            1 for f in results["findings"] if f["status"] in ("FAIL", "NOT_EVALUABLE") and not f["waived"]
        ),
        "changed_severity": 0,
    }
    keys = ("fingerprint", "rule_id", "asset_id", "status", "severity", "waived")
    read_back = [tuple(f[k] for k in keys) for f in oscal["findings"] if f["status"] != "PASS"]
    assert sorted(read_back) == sorted(tuple(f[k] for k in keys) for f in results["findings"])
    assert render_json(diff(oscal, oscal)) == render_json(diff(results, results))  # the same frameworks per rule
    assert oscal["as_of"] == results["as_of"] == "2026-11-01"


def test_a_changed_inventory_gives_the_exact_new_and_resolved_findings(
    example: tuple[Path, Path], changed: tuple[Path, Path]
) -> None:
    before = load_results(example[1])  # the OSCAL archive of the earlier run
    after = load_results(changed[0])  # the results.json of the later one
    changes = {
        (f["change"], f["rule_id"], f["asset_id"])
        for framework in json.loads(render_json(diff(before, after)))["frameworks"]
        for f in framework["findings"]
        if f["change"] != "persisting"
    }
    assert changes == {
        ("new", "SEC-FLOW-ENCRYPTION-IN-TRANSIT", "flow-lake-to-etl"),
        ("resolved", "SEC-FLOW-ENCRYPTION-IN-TRANSIT", "flow-etl-to-features"),
    }
    assert diff(before, after) == diff(load_results(example[0]), after)


def test_diff_cli_takes_an_oscal_file(example: tuple[Path, Path], changed: tuple[Path, Path], cli: CliRunner) -> None:
    outcome = invoke(cli, "diff", example[1], changed[1], "--format", "json")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout == render_json(diff(load_results(example[0]), load_results(changed[0])))


def test_audit_baseline_takes_an_oscal_file(
    example: tuple[Path, Path], changed: tuple[Path, Path], tmp_path: Path, cli: CliRunner
) -> None:
    def audit(inventory: Path, baseline: Path) -> tuple[int, dict[str, Any]]:
        out = tmp_path / f"{inventory.parent.name}-{baseline.stem}"
        outcome = invoke(
            cli, "audit", inventory, "--waivers", WAIVERS, "--config", CONFIG, "--as-of", "2026-11-01",
            "--baseline", baseline, "--out", out, "--format", "json", "--quiet",
        )  # fmt: skip
        results: dict[str, Any] = json.loads((out / "results.json").read_text())
        return outcome.exit_code, {key: value for key, value in results.items() if key != "settings"}

    code, from_json = audit(EXAMPLE, example[0])
    oscal_code, from_oscal = audit(EXAMPLE, example[1])
    assert code == oscal_code == 0  # nothing is new since the baseline
    assert from_oscal == from_json  # apart from the baseline file's name and hash
    unchanged = sum(1 for f in from_json["findings"] if f["status"] in ("FAIL", "NOT_EVALUABLE"))
    assert from_oscal["summary"]["baseline"] == {"new": 0, "unchanged": unchanged, "resolved": 0}
    code, later = audit(changed[0].parents[1] / "example", example[1])
    assert code == 1
    assert [(f["rule_id"], f["asset_id"]) for f in later["findings"] if f["baseline_state"] == "new"] == [
        ("SEC-FLOW-ENCRYPTION-IN-TRANSIT", "flow-lake-to-etl")
    ]
    assert later["summary"]["baseline"] == {"new": 1, "unchanged": unchanged - 1, "resolved": 1}


FOREIGN = """{"assessment-results": {
  "metadata": {"version": "1"},
  "results": [{"start": "2026-11-01T00:00:00Z", "observations": [
    {"props": [{"name": "rule-id", "ns": "%s", "value": "SEC-X"}],
     "relevant-evidence": [
       {"props": [{"name": "asset-id", "value": "disk-1"}]}]}]}]}}
"""


def test_oscal_written_by_another_tool_is_refused_at_the_evidence(tmp_path: Path, cli: CliRunner) -> None:
    from auditor.report.oscal import NS

    foreign = tmp_path / "other-tool.json"
    foreign.write_text(FOREIGN % NS)
    for command in (("diff", foreign, foreign), ("audit", EXAMPLE, "--baseline", foreign, "--out", tmp_path)):
        outcome = invoke(cli, *command)
        assert outcome.exit_code == 2
        assert outcome.stderr.splitlines()[0] == (
            f"{foreign}:6:18: $.assessment-results.results[0].observations[0].relevant-evidence[0].props: "
            f"no property 'status' of namespace {NS} (not assessment results written by auditor)"
        )
