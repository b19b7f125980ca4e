"""A Markdown summary sized for a pull-request comment.

Inventory strings reach a pull request through it, so every one goes through `cell`: no HTML,
link, image, emphasis, code span, mention or autolink can come out of them, and no control
character; what the reader must know first (the notices) heads the summary.
"""

from __future__ import annotations

import re
from collections import Counter

from auditor.report import DEFAULT_OPTIONS, ReportOptions
from auditor.report.text import one_line
from auditor.result import AuditResult, Severity, Status

MAX_ROWS = 50
# What can start emphasis, a link or image (both need "["), code, strikethrough or a mention.
_MARKUP = re.compile(r"([\\`*_\[\]~@|])")
# What GitHub turns into links by itself: scheme:// and www.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z]):(?=//)|(?<=www)\.")


def cell(text: object) -> str:
    """Inventory text as inert Markdown on one line: it cannot break a table, link, format or ping."""
    out = one_line(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _AUTOLINK.sub(lambda m: "\\" + m.group(0), _MARKUP.sub(r"\\\1", out))


def _not_applicable(result: AuditResult) -> list[str]:
    findings = result.with_status(Status.NOT_APPLICABLE)
    if not findings:
        return []
    lines = ["## Not applicable", "", "| Rule | Assets | Why |", "|---|---:|---|"]
    groups = Counter((f.rule_id, f.message) for f in findings)
    for (rule_id, reason), n in sorted(groups.items())[:MAX_ROWS]:
        lines.append(f"| {cell(rule_id)} | {n} | {cell(reason)} |")
    if len(groups) > MAX_ROWS:
        lines.append(f"\n… and {len(groups) - MAX_ROWS} more: see results.json.")
    return [*lines, ""]


def _waiver_register(result: AuditResult) -> list[str]:
    """Every waiver: its state at the audit date and how many findings it waives (results.json lists them)."""
    if not result.waivers:
        return []
    lines = [
        "## Waiver register",
        "",
        "| State | Rule | Assets | Justification | Approver | Created | Expires | Days left | Covers |",
        "|---|---|---|---|---|---|---|---:|---:|",
    ]
    for state in result.waivers:
        w = state.waiver
        lines.append(
            f"| {state.register_state} | {cell(w.rule)} | {cell(w.assets)} | {cell(w.justification)} | "
            f"{cell(w.approver)} | {w.created or '-'} | {w.expires} | {state.days_left} | {len(state.covers)} |"
        )
    return [*lines, ""]


def _overdue(result: AuditResult) -> list[str]:
    """Management responses past their due date at the audit date (--responses)."""
    late = result.overdue_responses()
    if not late:
        return []
    lines = ["## Overdue responses", "", "| Due | Owner | Status | Rule | Asset |", "|---|---|---|---|---|"]
    for finding, response in late[:MAX_ROWS]:
        lines.append(
            f"| {response.due} | {cell(response.owner)} | {response.status} | {cell(finding.rule_id)} | "
            f"{cell(finding.asset_id)} |"
        )
    if len(late) > MAX_ROWS:
        lines.append(f"\n… and {len(late) - MAX_ROWS} more: see results.json.")
    return [*lines, ""]


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    counts = result.counts()
    open_failures = result.open_failures()
    by_severity = result.open_failures_by_severity()
    title = cell(result.organization or "inventory")
    lines = [
        f"# Compliance audit: {title}",
        "",
        *(f"> **Notice:** {cell(notice)}" for notice in result.notices),
        *([""] if result.notices else []),
        f"As of {result.as_of} · {result.asset_count} assets · {len(result.rules)} rules · "
        f"{counts['FAIL']} failed ({counts['WAIVED']} waived) · {counts['NOT_EVALUABLE']} not evaluable · "
        f"{counts['NOT_APPLICABLE']} not applicable · {counts['PASS']} passed",
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
    lines += _not_applicable(result)
    lines += _waiver_register(result)
    lines += _overdue(result)
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")
