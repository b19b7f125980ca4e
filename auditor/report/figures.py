"""The report's charts, drawn with matplotlib to SVG text (deterministic, no fonts fetched).

Imported only by the HTML/PDF reporters: matplotlib never loads on the CI-gate path.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from auditor.history.trend import Trend
from auditor.result import AuditResult, Severity, Status

SEVERITY_COLOURS = {
    Severity.critical: "#7f1d1d",
    Severity.high: "#dc2626",
    Severity.medium: "#f59e0b",
    Severity.low: "#0ea5e9",
    Severity.info: "#9ca3af",
}
STYLE: Any = {  # Any: matplotlib types rc keys as one long Literal
    "svg.fonttype": "none",  # keep text as text: smaller files, selectable in the PDF
    "svg.hashsalt": "ai-infra-auditor",  # stable element ids, so the same input gives the same bytes
    "text.parse_math": False,  # inventory names with '$' are text, not math
    "font.family": "DejaVu Sans",
    "font.size": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG is inlined in HTML


def findings_by_framework(result: AuditResult) -> str:
    """Stacked bars: open failures per framework, by severity."""
    rules_of = {fw.name: {rule for r in fw.requirements for rule in r.rules} for fw in result.frameworks}
    open_failures = result.open_failures()
    names = [fw.name for fw in result.frameworks]
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(6.8, 2.6))
        left = [0] * len(names)
        for severity in Severity.worst_first():
            counts = [
                sum(1 for f in open_failures if f.severity == severity and f.rule_id in rules_of[n]) for n in names
            ]
            axes.barh(names, counts, left=left, color=SEVERITY_COLOURS[severity], label=severity)
            left = [a + b for a, b in zip(left, counts, strict=True)]
        axes.invert_yaxis()
        axes.set_xlabel("open failures (a failure counts in every framework its rule serves)")
        axes.legend(ncols=5, loc="lower right", bbox_to_anchor=(1, 1), frameon=False)
        return _svg(figure)


def findings_by_kind(result: AuditResult) -> str:
    """Bars: open failures and not-evaluable results per asset kind."""
    failed = Counter(f.asset_kind for f in result.open_failures())
    undecided = Counter(f.asset_kind for f in result.with_status(Status.NOT_EVALUABLE))
    kinds = sorted(set(failed) | set(undecided))
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(6.8, 2.2))
        axes.bar(
            [i - 0.2 for i in range(len(kinds))], [failed[k] for k in kinds], width=0.4, color="#dc2626", label="failed"
        )
        axes.bar(
            [i + 0.2 for i in range(len(kinds))],
            [undecided[k] for k in kinds],
            width=0.4,
            color="#9ca3af",
            label="not evaluable",
        )
        axes.set_xticks(range(len(kinds)), kinds)
        axes.legend(frameon=False)
        return _svg(figure)


def trend_chart(trend: Trend) -> str:
    """Two small line charts: open failures per framework and per severity, one point per recorded run."""
    labels = [f"{p.run}\n{p.as_of}" for p in trend.points]
    frameworks = sorted({name for p in trend.points for name, _ in p.by_framework})
    with plt.rc_context(STYLE):
        figure, (left, right) = plt.subplots(1, 2, figsize=(6.8, 2.6))
        for name in frameworks:
            left.plot(labels, [dict(p.by_framework).get(name, 0) for p in trend.points], marker="o", label=name)
        for severity in Severity.worst_first():
            counts = [dict(p.by_severity).get(severity.value, 0) for p in trend.points]
            right.plot(labels, counts, marker="o", color=SEVERITY_COLOURS[severity], label=severity.value)
        for axes, title in ((left, "per framework"), (right, "per severity")):
            axes.set_title(f"open failures {title}", fontsize=7)
            axes.legend(frameon=False, fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.28))
            axes.set_ylim(bottom=0)
        return _svg(figure)
