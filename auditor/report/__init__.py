"""Reporters: each module renders an AuditResult to bytes; none depends on another.

Modules are imported only when their format is asked for, so the CI-gate path (JSON, SARIF)
never loads what the PDF needs. A module that also has `write(result, options, out)` (JSON,
SARIF) streams its report into the file: the report set's writer (report.write.publish) takes
it as a function of the open staging file, and the whole text is never held in memory.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from auditor.gc_pause import collector_paused
from auditor.result import AuditResult, Severity

if TYPE_CHECKING:
    from auditor.history.trend import Trend

# format name -> (module, output file name)
REPORTERS: dict[str, tuple[str, str]] = {
    "json": ("auditor.report.json_report", "results.json"),
    "sarif": ("auditor.report.sarif", "results.sarif"),
    "junit": ("auditor.report.junit", "results.junit.xml"),
    "markdown": ("auditor.report.markdown", "summary.md"),
    "csv": ("auditor.report.csv_report", "findings.csv"),
    "html": ("auditor.report.html", "report.html"),
    "pdf": ("auditor.report.pdf", "report.pdf"),
    "oscal": ("auditor.report.oscal", "assessment-results.json"),
}
# format name -> further files it writes: (function of the same module, output file name)
COMPANIONS: dict[str, tuple[tuple[str, str], ...]] = {"csv": (("render_waivers", "waivers.csv"),)}
# Every file a report set can hold (a report folder's files the tool may replace).
OUTPUT_FILES = (*(file for _, file in REPORTERS.values()), *(f for extra in COMPANIONS.values() for _, f in extra))


@dataclass(frozen=True)
class ReportOptions:
    """What the command line decides about the outputs; the defaults are the CLI's defaults."""

    fail_on: Severity | None = Severity.high  # the gate: JUnit counts only what fails it as failures
    source_root: str | None = None  # absolute folder the file names are relative to (SARIF %SRCROOT%)
    sarif_include_undecided: bool = False  # NOT_EVALUABLE results in SARIF (code-scanning noise otherwise)
    sarif_max_results: int = 5000  # GitHub shows at most 5,000 results per run
    csv_bom: bool = False  # a UTF-8 byte-order mark, so that Excel reads the file as UTF-8
    # When the reports were generated (ISO UTC): the CLI takes SOURCE_DATE_EPOCH, else the clock. Read
    # from the clock, only the PDF/HTML show it: the other formats stay byte-identical between runs.
    generated_at: str | None = None
    generated_by_clock: bool = False

    @property
    def reproducible_generated_at(self) -> str | None:
        """The generation time the machine-read formats carry: only one taken from SOURCE_DATE_EPOCH."""
        return None if self.generated_by_clock else self.generated_at

    docs_url: str | None = None  # where docs/rules.md is published: SARIF helpUri = docs_url#<rule anchor>
    trend: Trend | None = None  # with --record: the recorded runs, charted in the HTML and PDF


DEFAULT_OPTIONS = ReportOptions()
Renderer = Callable[[AuditResult, ReportOptions], bytes]
Streamer = Callable[[AuditResult, ReportOptions, BinaryIO], None]
FileWriter = Callable[[BinaryIO], None]  # writes one report into an open binary file
Report = bytes | FileWriter  # what publish writes: the report's bytes, or a function that writes them
Output = Callable[[AuditResult, ReportOptions], Report]


class ReporterUnavailable(RuntimeError):
    """A format whose optional dependencies are not installed."""


def outputs(name: str) -> dict[str, Output]:
    """Output file name -> function of the result giving the report to publish, for every file the
    format writes (see COMPANIONS): its bytes, rendered at once, or where the format streams
    (a `write` function) a FileWriter that renders it into the file when publish opens it."""
    file = REPORTERS[name][1]
    render = renderer(name)  # ReporterUnavailable when the format's dependencies are missing
    stream = streamer(name)
    files: dict[str, Output] = {file: render if stream is None else functools.partial(_deferred, stream)}
    for function, extra in COMPANIONS.get(name, ()):
        files[extra] = renderer(name, function)
    return files


def _deferred(stream: Streamer, result: AuditResult, options: ReportOptions) -> FileWriter:
    return functools.partial(stream, result, options)


def renderer(name: str, function: str = "render") -> Renderer:
    """The format's render function, run with the garbage collector paused (auditor.gc_pause)."""
    module, _ = REPORTERS[name]
    try:
        render: Renderer = getattr(importlib.import_module(module), function)
    except ImportError as exc:
        raise ReporterUnavailable(
            f"the {name} format needs the 'pdf' extra ({exc.name} is missing): pip install 'ai-infra-auditor[pdf]'"
        ) from None

    @functools.wraps(render)
    def paused(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
        with collector_paused():
            return render(result, options)

    return paused


def streamer(name: str) -> Streamer | None:
    """The format's `write` (renders into an open file), run with the collector paused; None
    for a format that only renders bytes."""
    write: Streamer | None = getattr(importlib.import_module(REPORTERS[name][0]), "write", None)
    if write is None:
        return None

    @functools.wraps(write)
    def paused(result: AuditResult, options: ReportOptions, out: BinaryIO) -> None:
        with collector_paused():
            write(result, options, out)

    return paused
