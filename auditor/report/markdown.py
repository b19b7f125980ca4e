"""A Markdown summary sized for a pull-request comment."""

from __future__ import annotations

from auditor.result import AuditResult, Severity, Status

MAX_ROWS = 50


def cell(text: object) -> str:
    """Table-cell text that cannot break the table or inject HTML."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def render(result: AuditResult) -> bytes:
    counts = result.counts()
    open_failures = result.open_failures()
    by_severity = result.open_failures_by_severity()
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
        *(f"| {severity} | {by_severity[severity]} |" for severity in Severity.worst_first()),
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
    undecided = result.with_status(Status.NOT_EVALUABLE)
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
