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
}


def renderer(name: str) -> Callable[[AuditResult], bytes]:
    module, _ = REPORTERS[name]
    return importlib.import_module(module).render  # type: ignore[no-any-return]
