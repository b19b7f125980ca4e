"""The PDF evidence document: WeasyPrint over the HTML template, tagged PDF/A-3a with the data attached.

Same inputs and --as-of give the same bytes when the generation time shown on the cover comes from
SOURCE_DATE_EPOCH (docs/responses.md): the metadata dates are the audit date, element ids are
stable, and font subsets are stamped with the audit date instead of the clock.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from weasyprint import HTML, Attachment

from auditor.report import DEFAULT_OPTIONS, ReportOptions, csv_report, json_report
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


def _attachment(name: str, data: bytes, description: str, moment: datetime, fetcher: PackageFetcher) -> Attachment:
    return Attachment(
        string=data,
        name=name,
        description=description,
        created=moment,
        modified=moment,
        relationship="Data",
        url_fetcher=fetcher,
    )


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    document = render_document(result, screen=False, options=options)
    fetcher = PackageFetcher(TEMPLATE_DIR)
    moment = datetime.combine(date.fromisoformat(result.as_of), datetime.min.time(), tzinfo=UTC)
    attachments = [
        _attachment(
            "results.json", json_report.render(result, options), "Canonical audit result (JSON)", moment, fetcher
        ),
        _attachment(
            "findings.csv",
            csv_report.render(result, options),
            "Every failed, waived and not-evaluable result (CSV)",
            moment,
            fetcher,
        ),
        _attachment("waivers.csv", csv_report.render_waivers(result, options), "Waiver register", moment, fetcher),
    ]
    with _stamped(moment):
        return HTML(string=document, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf(
            pdf_variant="pdf/a-3a",  # level A: tagged (structure tree, reading order, alt text)
            pdf_identifier=hashlib.sha256(document.encode("utf-8")).hexdigest()[:32].encode(),
            attachments=attachments,
        )
