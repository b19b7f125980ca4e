"""The terminal summary (rich): counts by severity, the worst open failures, files written."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from auditor.result import AuditResult, Severity

STYLES = {
    Severity.critical: "bold red",
    Severity.high: "red",
    Severity.medium: "yellow",
    Severity.low: "cyan",
    Severity.info: "dim",
}
TOP = 10


def print_summary(result: AuditResult, written: list[Path], fail_on: str, console: Console | None = None) -> None:
    console = console or Console()
    counts = result.counts()
    open_failures = result.open_failures()
    by_severity = result.open_failures_by_severity()
    console.print(
        f"[bold]Audit of {result.organization or 'inventory'}[/bold] as of {result.as_of}: "
        f"{result.asset_count} assets, {len(result.rules)} rules"
    )
    table = Table(title=None, show_edge=False)
    table.add_column("Severity")
    table.add_column("Open failures", justify="right")
    for severity in Severity.worst_first():
        table.add_row(f"[{STYLES[severity]}]{severity}[/]", str(by_severity[severity]))
    console.print(table)
    console.print(
        f"{counts['PASS']} passed, {counts['FAIL']} failed ({counts['WAIVED']} waived), "
        f"{counts['NOT_EVALUABLE']} not evaluable"
    )
    if result.baseline:
        console.print(
            f"against the baseline: {result.baseline['new']} new, {result.baseline['unchanged']} unchanged, "
            f"{result.baseline['resolved']} resolved (only new failures gate)"
        )
    worst = open_failures[:TOP]
    if worst:
        top = Table(show_edge=False)
        for column in ("Severity", "Rule", "Asset"):
            top.add_column(column)
        top.add_column("Location", overflow="fold")
        for finding in worst:
            top.add_row(
                f"[{STYLES[finding.severity]}]{finding.severity}[/]",
                finding.rule_id,
                finding.asset_id,
                str(finding.location),
            )
        console.print(top)
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"gate: --fail-on {fail_on}")
