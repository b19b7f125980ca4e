"""The PDF evidence document: WeasyPrint over the HTML template, PDF/A-3b with the data attached.

Same inputs and --as-of give the same bytes: dates come from the audit date, element ids are
stable, and font subsets are stamped with the audit date (SOURCE_DATE_EPOCH) instead of the clock.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from weasyprint import HTML, Attachment

from auditor.report import csv_report, json_report
from auditor.report.fetcher import PackageFetcher
from auditor.report.html import TEMPLATE_DIR, render_document
from auditor.result import AuditResult


@contextmanager
def _stamped(moment: datetime) -> Iterator[None]:
    """fontTools stamps subset fonts with SOURCE_DATE_EPOCH when set (reproducible builds)."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def render(result: AuditResult) -> bytes:
    document = render_document(result, inline_css=False)
    fetcher = PackageFetcher(TEMPLATE_DIR)
    moment = datetime.combine(date.fromisoformat(result.as_of), datetime.min.time(), tzinfo=UTC)
    attachments = [
        Attachment(
            string=json_report.render(result),
            name="results.json",
            url_fetcher=fetcher,
            description="Canonical audit result (JSON)",
            created=moment,
            modified=moment,
            relationship="Data",
        ),
        Attachment(
            string=csv_report.render(result),
            name="findings.csv",
            url_fetcher=fetcher,
            description="Every failed, waived and not-evaluable result (CSV)",
            created=moment,
            modified=moment,
            relationship="Data",
        ),
    ]
    with _stamped(moment):
        return HTML(string=document, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf(
            pdf_variant="pdf/a-3b",
            pdf_identifier=hashlib.sha256(document.encode("utf-8")).hexdigest()[:32].encode(),
            attachments=attachments,
        )
