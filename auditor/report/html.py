"""The audit report as one self-contained HTML file, from the same template pack as the PDF."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from auditor.report import figures
from auditor.report.context import build_context
from auditor.result import AuditResult

TEMPLATE_DIR = Path(__file__).parent / "templates" / "audit"


@cache
def template_pack() -> dict[str, Any]:
    return yaml.safe_load((TEMPLATE_DIR / "meta.yaml").read_text(encoding="utf-8"))


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
    )


def _figures(result: AuditResult) -> dict[str, Any]:
    """SVG drawn by matplotlib, which escapes every label: safe to inline as markup."""
    map_svg, shown, total = figures.flow_map(result)
    return {
        "by_framework": Markup(figures.findings_by_framework(result)),
        "by_kind": Markup(figures.findings_by_kind(result)),
        "map": Markup(map_svg),
        "map_shown": shown,
        "map_total": total,
        "transfers": [e for e in result.flow_map.get("edges", []) if e["cross_border"]],
    }


def render_document(result: AuditResult, *, inline_css: bool) -> str:
    pack = template_pack()
    context = build_context(result, _figures(result), pack["limits"])
    css = (TEMPLATE_DIR / pack["stylesheet"]).read_text(encoding="utf-8") if inline_css else None
    return _environment().get_template(pack["template"]).render(**context, inline_css=css)


def render(result: AuditResult) -> bytes:
    return render_document(result, inline_css=True).encode("utf-8")
