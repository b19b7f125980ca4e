"""The typed result: severity order, open failures, what blocks the gate, and every severity styled."""

from __future__ import annotations

import pytest

from auditor.cli import FailOn, _gate
from auditor.console import STYLES
from auditor.errors import SourceLocation
from auditor.report.figures import SEVERITY_COLOURS
from auditor.report.html import TEMPLATE_DIR
from auditor.report.sarif import LEVELS, SECURITY_SEVERITY
from auditor.result import AuditResult, Finding, Severity, Status, Waiver

WAIVER = Waiver("R-LOW", "*", "accepted", "ciso", "2027-01-01", SourceLocation("w.yaml"))


def finding(rule: str, asset: str, status: Status, severity: Severity, **extra: object) -> Finding:
    return Finding(rule, asset, "storage", status, severity, "m", SourceLocation("i.yaml"), **extra)


def result(*findings: Finding) -> AuditResult:
    return AuditResult("0", "2026-11-01", [], [], [], list(findings), [], 0, {})


MIXED = result(
    finding("R-LOW", "a", Status.FAIL, Severity.low),
    finding("R-LOW", "b", Status.FAIL, Severity.low, waived_by=WAIVER),
    finding("R-MED", "a", Status.FAIL, Severity.medium, baseline_state="unchanged"),
    finding("R-MED", "b", Status.FAIL, Severity.medium, baseline_state="new"),
    finding("R-CRIT", "z", Status.FAIL, Severity.critical),
    finding("R-CRIT", "y", Status.NOT_EVALUABLE, Severity.critical),
    finding("R-HIGH", "a", Status.PASS, Severity.high),
)


def test_severities_rank_in_declaration_order_and_reports_list_them_worst_first() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3, 4]
    assert Severity.worst_first() == (Severity.critical, Severity.high, Severity.medium, Severity.low, Severity.info)
    assert Severity.high.rank > Severity.medium.rank and Severity.info.rank == 0


def test_open_failures_are_unwaived_failures_worst_first() -> None:
    got = [(f.rule_id, f.asset_id) for f in MIXED.open_failures()]
    assert got == [("R-CRIT", "z"), ("R-MED", "a"), ("R-MED", "b"), ("R-LOW", "a")]
    assert MIXED.open_failures_by_severity() == {Severity.critical: 1, Severity.medium: 2, Severity.low: 1}
    assert MIXED.counts() == {"PASS": 1, "FAIL": 5, "NOT_EVALUABLE": 1, "NOT_APPLICABLE": 0, "WAIVED": 1}
    assert [f.asset_id for f in MIXED.with_status(Status.NOT_EVALUABLE)] == ["y"]


@pytest.mark.parametrize(
    ("threshold", "blocking"),
    [
        (Severity.info, [("R-LOW", "a"), ("R-MED", "b"), ("R-CRIT", "z")]),
        (Severity.low, [("R-LOW", "a"), ("R-MED", "b"), ("R-CRIT", "z")]),
        (Severity.medium, [("R-MED", "b"), ("R-CRIT", "z")]),
        (Severity.high, [("R-CRIT", "z")]),
        (Severity.critical, [("R-CRIT", "z")]),
        (None, []),
    ],
)
def test_blocking_findings_are_open_failures_at_or_above_the_threshold_not_known_to_the_baseline(
    threshold: Severity | None, blocking: list[tuple[str, str]]
) -> None:
    assert [(f.rule_id, f.asset_id) for f in MIXED.blocking(threshold)] == blocking


def test_the_gate_exits_1_only_on_blocking_findings() -> None:
    only_medium = result(finding("R-MED", "b", Status.FAIL, Severity.medium))
    assert [_gate(only_medium, level) for level in ("info", "medium", "high", "critical", "none")] == [1, 1, 0, 0, 0]
    assert _gate(result(finding("R-LOW", "b", Status.FAIL, Severity.critical, waived_by=WAIVER)), "info") == 0


def test_fail_on_offers_every_severity_and_none() -> None:
    assert [choice.value for choice in FailOn] == [*Severity, "none"]


@pytest.mark.parametrize("styles", [STYLES, LEVELS, SECURITY_SEVERITY, SEVERITY_COLOURS])
def test_every_severity_has_its_style_in_each_reporter(styles: dict[Severity, str]) -> None:
    assert list(styles) == list(Severity.worst_first())


def test_the_report_stylesheet_colours_every_severity() -> None:
    css = (TEMPLATE_DIR / "print.css").read_text(encoding="utf-8")
    assert [severity for severity in Severity if f".sev.{severity} {{" not in css] == []
