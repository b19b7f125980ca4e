"""`auditor history` and `auditor diff`: the recorded runs, and what changed between two audits.

Only argument parsing, printing and exit codes; auditor/history/ does the work.
Exit status: 0 shown; 2 a missing, foreign or other-version database, an unknown run, a bad file.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.errors import InputError

EXIT_INPUT = 2


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"


HistoryOpt = Annotated[
    Path,
    typer.Option("--history", metavar="FILE", help="The history database (SQLite)."),
]


def _fail(message: str) -> typer.Exit:
    sys.stderr.write(message + "\n")
    return typer.Exit(EXIT_INPUT)


def history(
    history: HistoryOpt = Path("reports/history.db"),
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", metavar="FORMAT", help="table or json.")
    ] = HistoryFormat.table,
) -> None:
    """List the recorded audit runs, oldest first."""
    import json
    from dataclasses import asdict

    from auditor.history.store import HistoryError, runs

    try:
        recorded = runs(history)
    except HistoryError as exc:
        raise _fail(f"error: {exc}") from None
    if output_format is HistoryFormat.json:
        sys.stdout.write(json.dumps([asdict(run) for run in recorded], indent=2) + "\n")
        return
    lines = [f"{'run':>4}  {'recorded (UTC)':<25} {'as of':<10} {'open':>5} {'findings':>8}  organization"]
    lines += [
        f"{r.id:>4}  {r.recorded_at:<25} {r.as_of:<10} {r.open_failures:>5} {r.findings:>8}  {r.organization or '-'}"
        for r in recorded
    ]
    sys.stdout.write("\n".join(lines) + "\n")


def _results(which: str, history: Path) -> dict[str, Any]:
    """A run id of the history, or a results.json or OSCAL assessment-results file."""
    from auditor.history.results_file import load_results
    from auditor.history.store import load_run

    if which.isdigit() and not Path(which).is_file():
        return load_run(history, int(which))
    return load_results(Path(which))


def diff(
    before: Annotated[
        str,
        typer.Argument(
            metavar="A", help="The earlier run: a run id, a results.json or an OSCAL assessment-results.json."
        ),
    ],
    after: Annotated[
        str,
        typer.Argument(
            metavar="B", help="The later run: a run id, a results.json or an OSCAL assessment-results.json."
        ),
    ],
    history: HistoryOpt = Path("reports/history.db"),
    output_format: Annotated[
        DiffFormat, typer.Option("--format", metavar="FORMAT", help="table, json or markdown.")
    ] = DiffFormat.table,
) -> None:
    """Show new, resolved, persisting and changed-severity findings between two audits, per framework."""
    from auditor.history.diff import RENDERERS
    from auditor.history.diff import diff as compare
    from auditor.history.store import HistoryError

    try:
        documents = [_results(which, history) for which in (before, after)]
    except HistoryError as exc:
        raise _fail(f"error: {exc}") from None
    except InputError as exc:
        for issue in exc.issues:
            sys.stderr.write(f"{issue}\n")
        raise typer.Exit(EXIT_INPUT) from None
    sys.stdout.write(RENDERERS[output_format.value](compare(*documents)))
