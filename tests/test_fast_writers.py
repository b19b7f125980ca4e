"""The faster post-audit steps give what the plain ones gave: SARIF's capped results picked by
group, results.json's templated NOT_APPLICABLE lines, and the flow map drawn only for the reports
that show it."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from auditor import engine
from auditor.errors import SourceLocation
from auditor.report import ReportOptions, json_report, sarif
from auditor.result import AuditResult, Finding, Severity, Status, Waiver
from tests.conftest import EXAMPLE, invoke

WAIVER = Waiver("R-*", "a*", "accepted", "ciso", "2027-01-01", SourceLocation("w.yaml"))
AS_OF = "2026-11-01"


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
    left_out = {Status.PASS} if undecided else {Status.PASS, Status.NOT_EVALUABLE}
    wanted = [f for f in findings if f.status not in left_out]
    wanted.sort(key=lambda f: (order[f.status] + f.waived, -f.severity.rank, f.sort_key))
    return wanted[:cap], max(0, len(wanted) - cap)


@pytest.mark.parametrize("cap", [0, 1, 7, 60, 10_000])
@pytest.mark.parametrize("undecided", [False, True])
def test_sarif_keeps_the_worst_results_in_the_order_a_full_sort_gives(cap: int, undecided: bool) -> None:
    findings = _mixed_findings(300)
    result = AuditResult("0", AS_OF, [], [], [], findings, [], 0, {})
    options = ReportOptions(sarif_include_undecided=undecided, sarif_max_results=cap)
    assert sarif._exported(result, options, cap) == _reference_export(findings, undecided, cap)


HOSTILE_TEXT = ['plain', 'quote " and \\ backslash', "tab\tnewline\n\x01", "שרת 🚀 é", "</script>", ""]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_a_bare_not_applicable_line_is_the_bytes_of_its_dict(text: str) -> None:
    """Ids, kinds, file names and reasons of every sort, extents known or not: the template's line
    is what orjson writes for finding_dict with sorted keys, and only bare results take it."""
    lines = json_report._BareLines()
    for end in ((None, None), (12, 40)):
        at = SourceLocation(f"inv/{text}.yaml", 3, 5, *end)
        finding = Finding(f"R-{text}", f"asset-{text}", f"kind-{text}", Status.NOT_APPLICABLE, Severity.high, text, at)
        assert lines.bare(finding)
        expected = orjson.dumps(json_report.finding_dict(finding, AS_OF), option=orjson.OPT_SORT_KEYS)
        assert orjson.dumps(lines.line(finding)) == expected
    with_evidence = Finding("R", "a", "storage", Status.NOT_APPLICABLE, Severity.low, text, at, evidence={"x": 1})
    failed = Finding("R", "a", "storage", Status.FAIL, Severity.low, text, at)
    assert not lines.bare(with_evidence) and not lines.bare(failed)


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
