"""The faster writers give the bytes of the plain ones: results.json's findings encoded by msgspec,
SARIF's capped results picked by group, and the flow map drawn only for the reports that show it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor import engine
from auditor.errors import SourceLocation
from auditor.policy.values import ExactFloat, plain
from auditor.report import ReportOptions, json_report, jsonfmt, sarif
from auditor.result import AuditResult, Finding, Severity, Status, Waiver
from tests.conftest import EXAMPLE, invoke

WAIVER = Waiver("R-*", "a*", "accepted", "ciso", "2027-01-01", SourceLocation("w.yaml"))
AS_OF = "2026-11-01"


def _finding(evidence: dict, location: SourceLocation | None = None) -> Finding:
    where = location or SourceLocation("inventory.yaml", 3, 5, 9, 2)
    return Finding("R-1", "bucket-é", "storage", Status.FAIL, Severity.high, "m\u2028\x1f", where, evidence)


@pytest.mark.parametrize(
    "evidence",
    [
        {},
        {"size_gb": None, "format": "csv", "public": True, "copies": 3},
        plain({"tiny": 0.00001, "half": 0.5, "near": 9.99e15, "nested": {"b": [1, 2.25], "a": None}}),
        {"flops": 1e25, "owner": None},  # msgspec would print 1e25, orjson and Python 1e+25
        {"deep": [{"flops": -3e16}]},
        {"integer": 2**70, "small": ExactFloat(2e-07)},
        {"z": 1, "a": {"y": 2, "b": 3}},  # keys in no order: sorted as orjson sorts them
        {1: "a key that is not text"},  # msgspec refuses it; the standard encoder writes "1"
        {"when": Severity.low},  # an enum in evidence: not plain data, left to orjson
    ],
)
def test_a_findings_text_is_what_orjson_writes_for_its_dict(evidence: dict) -> None:
    finding = _finding(evidence)
    assert json_report.finding_text(finding, AS_OF) == jsonfmt.compact(json_report.finding_dict(finding, AS_OF))


def test_a_finding_with_a_waiver_an_import_and_its_extent_unknown_writes_the_same_text() -> None:
    finding = _finding({"a": 1}, SourceLocation("main.tf.json", 7, 1))
    finding.waived_by = WAIVER
    finding.imported_from, finding.imported_address = SourceLocation("main.tf", 12), "aws_s3_bucket.raw"
    finding.baseline_state = "new"
    text = json_report.finding_text(finding, AS_OF)
    assert text == jsonfmt.compact(json_report.finding_dict(finding, AS_OF))
    assert b'"end_line":null' in text and b'"address":"aws_s3_bucket.raw"' in text


def _mixed_findings(count: int) -> list[Finding]:
    chooser = random.Random(14)
    statuses = [Status.FAIL, Status.NOT_APPLICABLE, Status.NOT_EVALUABLE]
    findings = [
        Finding(
            f"R-{chooser.randrange(4)}",
            f"{'ab'[chooser.randrange(2)]}-{index}",
            "storage",
            chooser.choice(statuses),
            chooser.choice(list(Severity)),
            "m",
            SourceLocation("i.yaml", index + 1),
            evidence_key=str(chooser.randrange(2)),
        )
        for index in range(count)
    ]
    for finding in findings[::3]:
        if finding.rule_id.startswith("R-") and finding.asset_id.startswith("a"):
            finding.waived_by = WAIVER
    chooser.shuffle(findings)  # results built by hand need not be in result order
    return findings


def _reference_export(findings: list[Finding], undecided: bool, cap: int) -> tuple[list[Finding], int]:
    """SARIF's selection as it was written before: every result sorted by group, then capped."""
    order = {Status.FAIL: 0, Status.NOT_APPLICABLE: 2, Status.NOT_EVALUABLE: 3}
    wanted = [f for f in findings if f.status is not Status.PASS and (undecided or f.status is not Status.NOT_EVALUABLE)]
    wanted.sort(key=lambda f: (order[f.status] + f.waived, -f.severity.rank, f.sort_key))
    return wanted[:cap], max(0, len(wanted) - cap)


@pytest.mark.parametrize("cap", [0, 1, 7, 60, 10_000])
@pytest.mark.parametrize("undecided", [False, True])
def test_sarif_keeps_the_worst_results_in_the_order_a_full_sort_gives(cap: int, undecided: bool) -> None:
    findings = _mixed_findings(300)
    result = AuditResult("0", AS_OF, [], [], [], findings, [], 0, {})
    options = ReportOptions(sarif_include_undecided=undecided, sarif_max_results=cap)
    assert sarif._exported(result, options, cap) == _reference_export(findings, undecided, cap)


def test_the_flow_map_is_drawn_only_for_the_reports_that_show_it(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[AuditResult] = []
    original = engine.audit

    def audit(*args: object, **kwargs: object) -> AuditResult:
        made = original(*args, **kwargs)  # type: ignore[arg-type]
        drawn.append(made)
        return made

    monkeypatch.setattr(engine, "audit", audit)
    for formats in ("json,sarif,junit,markdown,csv,oscal", "html"):
        invoke(cli, "audit", EXAMPLE, "--out", tmp_path / formats, "--as-of", AS_OF, "--format", formats)
    without, with_map = drawn
    assert without.flow_map == {} and with_map.flow_map["nodes"] and with_map.flow_map["edges"]
    assert without.findings == with_map.findings
