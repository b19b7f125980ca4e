"""Which waiver covers which finding: the waivers are looked up per rule, the first active one listed wins."""

from __future__ import annotations

from datetime import date

from auditor.errors import SourceLocation
from auditor.policy.waivers import apply_waivers
from auditor.result import Finding, Severity, Status, Waiver

HERE = SourceLocation("inventory.yaml", 3, 1)


def _finding(rule_id: str, asset_id: str, status: Status = Status.FAIL) -> Finding:
    return Finding(rule_id, asset_id, "dataset", status, Severity.high, "", HERE)


def _waiver(rule: str, assets: str, expires: str = "2027-01-01") -> Waiver:
    return Waiver(rule, assets, "accepted", "ciso", expires, SourceLocation("waivers.yaml", 1, 1))


def test_first_active_waiver_listed_covers_and_every_match_counts() -> None:
    findings = [
        _finding("AI-DATA-01", "ds-1"),
        _finding("AI-DATA-01", "ds-2", Status.NOT_EVALUABLE),
        _finding("AI-DATA-02", "ds-1"),
        _finding("AI-DATA-02", "ds-1", Status.NOT_APPLICABLE),
        _finding("SEC-01", "ds-1"),
    ]
    expired = _waiver("AI-DATA-01", "ds-*", "2026-01-01")
    glob = _waiver("AI-DATA-*", "ds-1")
    exact = _waiver("AI-DATA-02", "ds-1")
    states = apply_waivers(findings, [expired, glob, exact], date(2026, 11, 1))
    assert [f.waived_by for f in findings] == [glob, None, glob, None, None]
    assert [(s.state, s.matched, len(s.covers)) for s in states] == [
        ("expired", 2, 0),
        ("active", 2, 2),
        ("active", 1, 0),
    ]
    assert states[1].covers == (findings[0].fingerprint, findings[2].fingerprint)
