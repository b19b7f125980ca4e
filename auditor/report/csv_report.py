"""Findings as CSV (every non-passing result), for spreadsheets and the PDF's attachment.

A text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
return: OWASP's CSV-injection list) gets a leading apostrophe, which Excel and LibreOffice show
as text. `--csv-bom` starts the file with a byte-order mark, so that Excel reads it as UTF-8.
Management responses (--responses) are columns of their finding's row; the waiver register is a
file of its own (waivers.csv), since one sheet cannot hold two tables with different columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from auditor.report import DEFAULT_OPTIONS, ReportOptions
from auditor.result import AuditResult, Response, Status

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "fingerprint",
    "rule_id",
    "severity",
    "status",
    "waived",
    "asset_id",
    "asset_kind",
    "file",
    "line",
    "column",
    "message",
    "missing",
    "graph_path",
    "evidence",
    "response_owner",
    "response_due",
    "response_status",
    "response_overdue",
    "response",
)
# waivers.csv, the waiver register: one row per waiver; `covers` lists the fingerprints it waives.
WAIVER_COLUMNS = (
    "rule",
    "assets",
    "justification",
    "approver",
    "created",
    "expires",
    "days_left",
    "state",
    "matched",
    "covers",
    "location",
)


def neutralised(value: object) -> object:
    """Text a spreadsheet shows as text, never evaluates; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _table(header: tuple[str, ...], rows: Iterable[list[object]], options: ReportOptions) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([neutralised(value) for value in row] for row in rows)
    return ("\ufeff" if options.csv_bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8")


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    return _table(COLUMNS, _finding_rows(result), options)


def render_waivers(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    """The waiver register: every waiver, its state at the audit date and the findings it covers."""
    rows = (
        [
            s.waiver.rule,
            s.waiver.assets,
            s.waiver.justification,
            s.waiver.approver,
            s.waiver.created or "",
            s.waiver.expires,
            s.days_left,
            s.register_state,
            s.matched,
            " ".join(s.covers),
            str(s.waiver.location),
        ]
        for s in result.waivers
    )
    return _table(WAIVER_COLUMNS, rows, options)


def _finding_rows(result: AuditResult) -> Iterator[list[object]]:
    for f in result.findings:
        if f.status is Status.PASS:
            continue
        row = [
            f.fingerprint,
            f.rule_id,
            f.severity,
            f.status.value,
            str(f.waived).lower(),
            f.asset_id,
            f.asset_kind,
            f.location.file,
            f.location.line,
            f.location.column,
            f.message,
            "; ".join(f.missing),
            " > ".join(f.graph_path),
            json.dumps(f.evidence, sort_keys=True, ensure_ascii=False),
            *_response_cells(f.response, result.as_of),
        ]
        yield row


def _response_cells(response: Response | None, as_of: str) -> list[object]:
    if response is None:
        return ["", "", "", "", ""]
    return [response.owner, response.due, response.status, str(response.overdue(as_of)).lower(), response.response]
