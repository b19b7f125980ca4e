"""Findings as CSV (every non-passing result), for spreadsheets and the PDF's attachment.

A text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
return: OWASP's CSV-injection list) gets a leading apostrophe, which Excel and LibreOffice show
as text. `--csv-bom` starts the file with a byte-order mark, so that Excel reads it as UTF-8.
"""

from __future__ import annotations

import csv
import io
import json

from auditor.report import DEFAULT_OPTIONS, ReportOptions
from auditor.result import AuditResult, Status

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
)


def neutralised(value: object) -> object:
    """Text a spreadsheet shows as text, never evaluates; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
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
        ]
        writer.writerow([neutralised(value) for value in row])
    return ("\ufeff" if options.csv_bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8")
