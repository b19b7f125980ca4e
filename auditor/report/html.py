"""The audit report as one self-contained HTML file, from the same template pack as the PDF.

The HTML adds what a screen allows: a findings table sorted and filtered by a small inline
script. A Content-Security-Policy allows that script (by its hash), the inline styles and data:
images, and nothing else: the file loads nothing from the network.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from auditor.report import DEFAULT_OPTIONS, ReportOptions, figures, flow_layout
from auditor.report.context import build_context
from auditor.report.text import xml_safe
from auditor.result import AuditResult

TEMPLATE_DIR = Path(__file__).parent / "templates" / "audit"


@cache
def template_pack() -> dict[str, Any]:
    return yaml.safe_load((TEMPLATE_DIR / "meta.yaml").read_text(encoding="utf-8"))


@cache
def _environment() -> SandboxedEnvironment:
    """One per process: its loader keeps the compiled template (0.3 s to compile, the renders share it)."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
    )


def _figures(result: AuditResult, options: ReportOptions) -> dict[str, Any]:
    """SVG drawn by matplotlib and Graphviz, which both escape every label: safe to inline as markup."""
    maps, left_off = flow_layout.flow_maps(result.flow_map)
    return {
        "by_framework": Markup(figures.findings_by_framework(result)),
        "by_kind": Markup(figures.findings_by_kind(result)),
        "maps": [{"svg": Markup(page.svg), "note": page.note, "lists": page.lists} for page in maps],
        "map_left_off": left_off,
        "trend": None
        if options.trend is None
        else {
            "chart": Markup(figures.trend_chart(options.trend)),
            "points": options.trend.points,
            "since_last": options.trend.since_last,
        },
        "transfers": [e for e in result.flow_map.get("edges", []) if e["cross_border"]],
    }


def _script(pack: dict[str, Any]) -> tuple[Markup, str]:
    """The screen script and its CSP source expression ('sha256-...')."""
    text = (TEMPLATE_DIR / pack["script"]).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"'sha256-{digest}'"


def render_document(result: AuditResult, *, screen: bool, options: ReportOptions = DEFAULT_OPTIONS) -> str:
    """The document; `screen`: for a browser (inlined CSS, the script), else for WeasyPrint."""
    pack = template_pack()
    context = build_context(result, _figures(result, options), pack["limits"], options.generated_at)
    css = Markup((TEMPLATE_DIR / pack["stylesheet"]).read_text(encoding="utf-8")) if screen else None
    script, script_hash = _script(pack) if screen else (None, None)
    document = (
        _environment()
        .get_template(pack["template"])
        .render(**context, inline_css=css, script=script, script_hash=script_hash)
    )
    return xml_safe(document)  # inventory strings may hold control characters, which HTML and PDF cannot show


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> bytes:
    return render_document(result, screen=True, options=options).encode("utf-8")
