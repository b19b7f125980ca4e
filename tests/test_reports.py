"""Reporters: SARIF valid against the 2.1.0 schema, JUnit, JSON, Markdown, determinism."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.report import REPORTERS, json_report, jsonfmt, renderer
from auditor.report.markdown import cell
from auditor.result import AuditResult, Passes, Severity
from tests.conftest import AS_OF, EXAMPLE, audit_process, checked, valid_results

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def example_result() -> AuditResult:
    return checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))


def test_sarif_is_valid_and_points_at_inventory_lines(example_result: AuditResult) -> None:
    log = json.loads(renderer("sarif")(example_result))
    jsonschema.validate(log, SARIF_SCHEMA)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "Remediation" in rules["GDPR-32-ENCRYPTION-AT-REST"]["help"]["markdown"]
    assert rules["GDPR-32-ENCRYPTION-AT-REST"]["properties"]["references"]["gdpr"][0] == "Art. 32(1)(a)"
    scratch = next(
        r
        for r in run["results"]
        if r["ruleId"] == "GDPR-32-ENCRYPTION-AT-REST"
        and r["locations"][0]["logicalLocations"][0]["name"] == "fra-nfs-scratch"
    )
    physical = scratch["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("inventories/example/40-storage.yaml")
    assert physical["region"] == {"startLine": 19, "startColumn": 5, "endLine": 34, "endColumn": 38}  # the asset
    assert scratch["level"] == "error" and scratch["kind"] == "fail"
    assert run["tool"]["driver"]["rules"][scratch["ruleIndex"]]["id"] == scratch["ruleId"]
    assert all(r["level"] == "none" for r in run["results"] if r["kind"] != "fail")


def test_junit_has_a_case_per_rule_and_asset(example_result: AuditResult) -> None:
    root = ET.fromstring(renderer("junit")(example_result))
    counts = example_result.counts()
    assert int(root.get("tests")) == len(example_result.results())
    assert int(root.get("failures")) == len(example_result.blocking(Severity.high))  # the CLI's default gate
    suites = [suite for suite in root.iter("testsuite") if suite.get("name") != "auditor.notices"]
    skipped = sum(int(suite.get("skipped")) for suite in suites)
    assert skipped == counts["FAIL"] + counts["NOT_EVALUABLE"] + counts["NOT_APPLICABLE"] - int(root.get("failures"))
    case = root.find("testsuite[@name='SEC-FLOW-ENCRYPTION-IN-TRANSIT']/testcase[@name='flow-etl-to-features']")
    assert case is not None and case.find("failure").get("type") == "high"
    assert case.find("system-out").text == "inventories/example/60-flows-workloads.yaml:25:5"


def test_json_counts_passes_given_as_findings_as_those_kept_as_ids(example_result: AuditResult) -> None:
    """A result built by hand with its passes as Findings writes the same results.json, and
    result_dict (what history records) is the document results.json holds."""
    by_hand = dataclasses.replace(example_result, findings=example_result.results(), passes=Passes())
    assert len(by_hand.findings) > len(example_result.findings)
    text = json_report.render(example_result)
    assert json_report.render(by_hand) == text
    assert json_report.result_dict(by_hand) == json_report.result_dict(example_result) == json.loads(text)


def test_json_counts_are_refused_before_its_findings_are_all_made(example_result: AuditResult) -> None:
    """The counts are made while the findings are written: asked for first, they would be zeros."""
    document = json_report._document(example_result, None, streamed=True)
    with pytest.raises(RuntimeError, match="counts were asked for before its findings were all made"):
        jsonfmt.dumps({"a": document["summary"], "b": document["findings"]}, levels=2)


def test_json_is_the_canonical_result(example_result: AuditResult) -> None:
    data = json.loads(renderer("json")(example_result))
    assert data["schema_version"] == "1.0" and data["as_of"] == "2026-11-01"
    assert data["summary"]["assets"] == example_result.asset_count
    assert {f["status"] for f in data["findings"]} == {"FAIL", "NOT_EVALUABLE", "NOT_APPLICABLE"}
    rule = next(r for r in data["rules"] if r["id"] == "GDPR-32-ENCRYPTION-AT-REST")
    assert "s3-eu-raw" in rule["passed_assets"]
    assert sum(rule["counts"].values()) == len(rule["passed_assets"]) + sum(
        1 for f in data["findings"] if f["rule_id"] == rule["id"]
    )
    assert all(len(i["sha256"]) == 64 for i in data["inputs"])


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    first = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))
    second = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))
    for name in sorted(REPORTERS.keys() - {"pdf"}):  # the PDF's bytes: tests/test_pdf_report.py, on a smaller inventory
        assert renderer(name)(first) == renderer(name)(second), name


def test_markdown_cells_cannot_break_tables_or_inject_html() -> None:
    assert cell("a|b\n<img src=x>") == "a\\|b &lt;img src=x&gt;"


def test_markdown_summary_lists_failures(example_result: AuditResult) -> None:
    text = renderer("markdown")(example_result).decode()
    assert text.startswith("# Compliance audit: Nordlicht AI GmbH\n")
    assert (
        "| high | SEC-FLOW-ENCRYPTION-IN-TRANSIT | flow-etl-to-features | "
        "inventories/example/60-flows-workloads.yaml:25:5 |" in text
    )


def test_outputs_do_not_depend_on_string_hashing(tmp_path: Path) -> None:
    """Two processes with different hash seeds write the same bytes (set order never leaks).

    SOURCE_DATE_EPOCH is set, as for any reproducible build: without it the HTML states the clock's
    generation time (tests/test_generation_time.py)."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        formats = "json,sarif,junit,markdown,csv,html"
        env = {"PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1796083200"}
        proc = audit_process(out, "--format", formats, "--fail-on", "none", env=env)
        assert proc.returncode == 0, proc.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) == 7  # csv: findings.csv and waivers.csv
    assert [name for name in outputs[0] if outputs[0][name] != outputs[1][name]] == []
    valid_results(json.loads(outputs[0]["results.json"]))


def test_passes_get_their_locations_only_when_a_report_lists_them() -> None:
    """JSON and SARIF count passes and never list them, so the table of every asset's kind and
    location is made only when a report asks for the passes as results (JUnit, OSCAL, HTML, PDF),
    and then each pass stands at its asset."""
    result = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))
    renderer("json")(result), renderer("sarif")(result)
    assert result.passes.assets._table is None  # type: ignore[attr-defined]
    passed = [f for f in result.results() if f.status.value == "PASS" and f.asset_id == "fra-nfs-scratch"]
    assert passed and {(f.asset_kind, str(f.location)) for f in passed} == {
        ("storage", "inventories/example/40-storage.yaml:19:5")
    }
