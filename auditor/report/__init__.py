"""Reporters: each module renders an AuditResult to bytes; none depends on another.

Modules are imported only when their format is asked for, so the CI-gate path (JSON, SARIF)
never loads what the PDF needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from auditor.result import AuditResult

# format name -> (module, output file name)
REPORTERS: dict[str, tuple[str, str]] = {
    "json": ("auditor.report.json_report", "results.json"),
    "sarif": ("auditor.report.sarif", "results.sarif"),
    "junit": ("auditor.report.junit", "results.junit.xml"),
    "markdown": ("auditor.report.markdown", "summary.md"),
    "csv": ("auditor.report.csv_report", "findings.csv"),
    "html": ("auditor.report.html", "report.html"),
    "pdf": ("auditor.report.pdf", "report.pdf"),
}


class ReporterUnavailable(RuntimeError):
    """A format whose optional dependencies are not installed."""


def renderer(name: str) -> Callable[[AuditResult], bytes]:
    module, _ = REPORTERS[name]
    try:
        return importlib.import_module(module).render  # type: ignore[no-any-return]
    except ImportError as exc:
        raise ReporterUnavailable(
            f"the {name} format needs the 'pdf' extra ({exc.name} is missing): pip install 'ai-infra-auditor[pdf]'"
        ) from None
