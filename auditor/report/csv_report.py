"""Findings as CSV (every non-passing result), for spreadsheets and the PDF's attachment."""

from __future__ import annotations

import csv
import io
import json

from auditor.result import AuditResult, Status

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


def render(result: AuditResult) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in result.findings:
        if f.status is Status.PASS:
            continue
        writer.writerow(
            [
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
        )
    return buffer.getvalue().encode("utf-8")
