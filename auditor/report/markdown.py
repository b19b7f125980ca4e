"""A Markdown summary sized for a pull-request comment."""

from __future__ import annotations

from collections import Counter

from auditor.result import AuditResult, Finding, Status

MAX_ROWS = 50
SEVERITIES = ("critical", "high", "medium", "low", "info")


def cell(text: object) -> str:
    """Table-cell text that cannot break the table or inject HTML."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _rank(finding: Finding) -> tuple[int, str, str]:
    return (SEVERITIES.index(finding.severity), finding.rule_id, finding.asset_id)


def render(result: AuditResult) -> bytes:
    counts = result.counts()
    open_failures = sorted((f for f in result.failures() if not f.waived), key=_rank)
    by_severity = Counter(f.severity for f in open_failures)
    title = cell(result.organization or "inventory")
    lines = [
        f"# Compliance audit: {title}",
        "",
        f"As of {result.as_of} · {result.asset_count} assets · {len(result.rules)} rules · "
        f"{counts['FAIL']} failed ({counts['WAIVED']} waived) · {counts['NOT_EVALUABLE']} not evaluable · "
        f"{counts['PASS']} passed",
        "",
        *(
            [
                f"Against the baseline: {result.baseline['new']} new, {result.baseline['unchanged']} unchanged, "
                f"{result.baseline['resolved']} resolved.",
                "",
            ]
            if result.baseline
            else []
        ),
        "| Severity | Open failures |",
        "|---|---:|",
        *(f"| {severity} | {by_severity.get(severity, 0)} |" for severity in SEVERITIES),
        "",
    ]
    if open_failures:
        lines += [
            "## Failures",
            "",
            "| Severity | Rule | Asset | Location | Finding |",
            "|---|---|---|---|---|",
        ]
        for finding in open_failures[:MAX_ROWS]:
            lines.append(
                f"| {finding.severity} | {cell(finding.rule_id)} | {cell(finding.asset_id)} | "
                f"{cell(finding.location)} | {cell(finding.message)} |"
            )
        if len(open_failures) > MAX_ROWS:
            lines.append(f"\n… and {len(open_failures) - MAX_ROWS} more failures: see results.json.")
        lines.append("")
    undecided = [f for f in result.findings if f.status is Status.NOT_EVALUABLE]
    if undecided:
        lines += ["## Not evaluable", "", "| Rule | Asset | Missing |", "|---|---|---|"]
        for finding in undecided[:MAX_ROWS]:
            lines.append(f"| {cell(finding.rule_id)} | {cell(finding.asset_id)} | {cell(', '.join(finding.missing))} |")
        if len(undecided) > MAX_ROWS:
            lines.append(f"\n… and {len(undecided) - MAX_ROWS} more: see results.json.")
        lines.append("")
    notable = [s for s in result.waivers if s.state != "active"]
    if notable:
        lines += [
            "## Waivers needing attention",
            "",
            "| State | Rule | Assets | Expires | Approver |",
            "|---|---|---|---|---|",
        ]
        for state in notable:
            w = state.waiver
            lines.append(f"| {state.state} | {cell(w.rule)} | {cell(w.assets)} | {w.expires} | {cell(w.approver)} |")
        lines.append("")
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")
