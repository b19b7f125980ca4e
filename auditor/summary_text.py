"""The audit summary as plain lines, for output that is not a terminal (CI logs, pipes, files).

rich lays a table out at 80 columns when it cannot ask the terminal, so a CI log got its locations
folded over two lines ("gate.yaml:17" then "46:3") and long rule ids cut: here every finding is one
line that a log viewer can link. Inventory text is one line each (control characters as spaces).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from auditor.report.text import one_line
from auditor.result import AuditResult, Finding, Severity, Status

TOP = 10


@dataclass
class Tally:
    """What the summary shows, counted in one pass over the findings: at 100k assets the separate
    counts, the sort of every open failure and the scan for inapplicable ones took 0.5-0.9 s."""

    counts: dict[str, int]
    by_severity: Counter[Severity] = field(default_factory=Counter)
    worst: list[Finding] = field(default_factory=list)  # the TOP worst open failures, in report order
    reasons: Counter[str] = field(default_factory=Counter)  # why results were not applicable


def tally(result: AuditResult) -> Tally:
    """result.counts(), open_failures_by_severity(), open_failures()[:TOP] and the messages of
    with_status(NOT_APPLICABLE) (passes are never inapplicable), in one pass."""
    counts = {status.value: 0 for status in Status}
    counts[Status.PASS.value] = result.passes.count()
    counted = Tally(counts)
    waived = 0
    open_failures = []
    for finding in result.findings:
        status = finding.status
        counts[status] += 1  # a StrEnum: the same key as its value
        if finding.waived_by is not None:
            waived += 1
        elif status is Status.FAIL:
            open_failures.append(finding)
            counted.by_severity[finding.severity] += 1
        if status is Status.NOT_APPLICABLE:
            counted.reasons[finding.message] += 1
    counts["WAIVED"] = waived
    counted.worst = heapq.nsmallest(TOP, open_failures, key=lambda f: (-f.severity.rank, f.rule_id, f.asset_id))
    return counted


def counts_line(counts: dict[str, int]) -> str:
    return (
        f"{counts['PASS']} passed, {counts['FAIL']} failed ({counts['WAIVED']} waived), "
        f"{counts['NOT_EVALUABLE']} not evaluable, {counts['NOT_APPLICABLE']} not applicable"
    )


def reason_lines(counted: Tally) -> list[str]:
    """The three commonest reasons results were not applicable."""
    return [f"  not applicable to {n} result(s): {one_line(reason)}" for reason, n in counted.reasons.most_common(3)]


def baseline_line(baseline: dict[str, int]) -> str:
    return (
        f"against the baseline: {baseline['new']} new, {baseline['unchanged']} unchanged, "
        f"{baseline['resolved']} resolved (only new failures gate)"
    )


SEVERITY_WIDTH = 8  # a failure line's severity column, padded: "critical" is the longest


def failure_line(finding: Finding) -> str:
    """One open failure as a line: severity, rule, asset and location, inventory text on one line."""
    where = one_line(str(finding.location))
    return f"  {finding.severity:<{SEVERITY_WIDTH}} {one_line(finding.rule_id)} {one_line(finding.asset_id)} {where}"


def summary_lines(result: AuditResult, written: list[Path], fail_on: str) -> Iterator[str]:
    """The terminal summary's content: notices, counts, the worst open failures, files written, the gate."""
    for notice in result.notices:
        yield f"notice: {one_line(notice)}"
    counted = tally(result)
    yield (
        f"Audit of {one_line(result.organization or 'inventory')} as of {result.as_of}: "
        f"{result.asset_count} assets, {len(result.rules)} rules"
    )
    by_severity = ", ".join(f"{severity} {counted.by_severity[severity]}" for severity in Severity.worst_first())
    yield f"open failures by severity: {by_severity}"
    yield counts_line(counted.counts)
    yield from reason_lines(counted)
    if result.baseline:
        yield baseline_line(result.baseline)
    if counted.worst:
        yield f"worst {len(counted.worst)} open failures:"
        for finding in counted.worst:
            yield failure_line(finding)
    for path in written:
        yield f"wrote {path}"
    yield f"gate: --fail-on {fail_on}"
