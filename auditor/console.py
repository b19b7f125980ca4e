"""The terminal summary (rich): counts by severity, the worst open failures, files written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from auditor.result import AuditResult

SEVERITIES = ("critical", "high", "medium", "low", "info")
STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
TOP = 10


def print_summary(result: AuditResult, written: list[Path], fail_on: str, console: Console | None = None) -> None:
    console = console or Console()
    counts = result.counts()
    open_failures = [f for f in result.failures() if not f.waived]
    by_severity = Counter(f.severity for f in open_failures)
    console.print(
        f"[bold]Audit of {result.organization or 'inventory'}[/bold] as of {result.as_of}: "
        f"{result.asset_count} assets, {len(result.rules)} rules"
    )
    table = Table(title=None, show_edge=False)
    table.add_column("Severity")
    table.add_column("Open failures", justify="right")
    for severity in SEVERITIES:
        table.add_row(f"[{STYLES[severity]}]{severity}[/]", str(by_severity.get(severity, 0)))
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
    worst = sorted(open_failures, key=lambda f: (SEVERITIES.index(f.severity), f.rule_id, f.asset_id))[:TOP]
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
