"""The terminal summary (rich): notices, counts by severity, the worst open failures, files written.

Only for a terminal: piped or redirected output (CI logs) gets auditor.summary_text's plain lines,
which never wrap a location and need no rich import; a terminal too narrow for the failures table
gets those failures one line each, in colour.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from auditor.report.text import one_line
from auditor.result import AuditResult, Finding, Severity
from auditor.summary_text import SEVERITY_WIDTH, baseline_line, counts_line, failure_line, reason_lines, tally

STYLES = {
    Severity.critical: "bold red",
    Severity.high: "red",
    Severity.medium: "yellow",
    Severity.low: "cyan",
    Severity.info: "dim",
}


def _plain(text: str) -> str:
    """Inventory text shown as it is: rich markup in it is escaped, control characters are spaces."""
    return escape(one_line(text))


def print_summary(result: AuditResult, written: list[Path], fail_on: str, console: Console | None = None) -> None:
    console = console or Console()
    for notice in result.notices:  # what the reader must know first
        console.print(Text(f"notice: {one_line(notice)}", style="bold yellow"), soft_wrap=True)
    counted = tally(result)
    by_severity = counted.by_severity
    console.print(
        f"[bold]Audit of {_plain(result.organization or 'inventory')}[/bold] as of {result.as_of}: "
        f"{result.asset_count} assets, {len(result.rules)} rules"
    )
    table = Table(title=None, show_edge=False)
    table.add_column("Severity")
    table.add_column("Open failures", justify="right")
    for severity in Severity.worst_first():
        table.add_row(f"[{STYLES[severity]}]{severity}[/]", str(by_severity[severity]))
    console.print(table)
    console.print(counts_line(counted.counts))
    for line in reason_lines(counted):
        console.print(Text(line, style="dim"))
    if result.baseline:
        console.print(baseline_line(result.baseline))
    worst = counted.worst
    if worst:
        _print_worst(console, worst)
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"gate: --fail-on {fail_on}")


_COLUMNS = ("Severity", "Rule", "Asset", "Location")


def _print_worst(console: Console, worst: list[Finding]) -> None:
    """The worst open failures as a table where it fits the terminal; else one line each, as piped
    output has them: a table squeezed into a narrow terminal cut rule ids ("GDPR-44-TRANS...") and
    folded each location over several lines."""
    rows = [(str(f.severity), one_line(f.rule_id), one_line(f.asset_id), one_line(str(f.location))) for f in worst]
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(_COLUMNS)]
    if sum(widths) + 3 * (len(_COLUMNS) - 1) > console.width:  # cells and their " | " separators
        console.print(f"worst {len(worst)} open failures:")
        for finding in worst:
            line = Text(failure_line(finding))
            line.stylize(STYLES[finding.severity], 2, 2 + SEVERITY_WIDTH)
            console.print(line, soft_wrap=True)
        return
    top = Table(show_edge=False)
    for column in _COLUMNS:
        top.add_column(column)
    for finding, (severity, rule, asset, where) in zip(worst, rows, strict=True):
        top.add_row(f"[{STYLES[finding.severity]}]{severity}[/]", escape(rule), escape(asset), escape(where))
    console.print(top)
