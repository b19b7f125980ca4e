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
from matplotlib.ticker import MaxNLocator

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


# Every series of a trend panel differs in colour, marker and dash: equal counts draw lines on top
# of each other, and the hollow markers and dashes of the hidden ones still show through.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
DASHES = ("-", "--", "-.", ":")
LABEL_GAP = 9.0  # points between two end labels


def _end_labels(figure: Any, axes: Any, x: float, ends: dict[str, int]) -> None:
    """At the right end of the lines, one label per value naming every series that ends there, moved
    apart so that no two labels overlap (with a leader line to the value when moved)."""
    by_value: dict[int, list[str]] = {}
    for name, value in ends.items():
        by_value.setdefault(value, []).append(name)
    low, high = axes.get_ylim()
    points_per_unit = axes.get_position().height * figure.get_figheight() * 72 / (high - low)
    placed = -float("inf")
    for value in sorted(by_value):
        at = max(value * points_per_unit, placed + LABEL_GAP)
        placed = at
        axes.annotate(
            f"{value}: {', '.join(by_value[value])}",
            xy=(x, value),
            xytext=(8, at - value * points_per_unit),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color="#111827",
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "linewidth": 0.4, "color": "#6b7280", "shrinkA": 0, "shrinkB": 2},
        )


Series = list[tuple[str, list[int], str | None]]  # name, count per run, colour (None: the colour cycle)


def _trend_panel(figure: Any, axes: Any, labels: list[str], series: Series) -> None:
    for index, (name, counts, colour) in enumerate(series):
        axes.plot(
            range(len(labels)),
            counts,
            label=name,
            gid=f"trend-{name}",
            color=colour,
            marker=MARKERS[index % len(MARKERS)],
            markersize=5,
            markerfacecolor="none",
            linestyle=DASHES[index % len(DASHES)],
            linewidth=1.1,
        )
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylim(bottom=0, top=max(1, *(max(counts) for _, counts, _ in series)) * 1.08)
    axes.margins(x=0.04)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts
    _end_labels(figure, axes, len(labels) - 1, {name: counts[-1] for name, counts, _ in series})
    axes.legend(frameon=False, fontsize=7, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.3))


def trend_chart(trend: Trend) -> str:
    """Open failures per framework and per severity, one point per recorded run; every line labelled at
    its end with the value, and series of equal values named together."""
    labels = [f"{p.run}\n{p.as_of}" for p in trend.points]
    frameworks = sorted({name for p in trend.points for name, _ in p.by_framework})
    by_framework: Series = [
        (name, [dict(p.by_framework).get(name, 0) for p in trend.points], None) for name in frameworks
    ]
    by_severity: Series = [
        (s.value, [dict(p.by_severity).get(s.value, 0) for p in trend.points], SEVERITY_COLOURS[s])
        for s in Severity.worst_first()
    ]
    with plt.rc_context(STYLE):
        figure, (top, bottom) = plt.subplots(2, 1, figsize=(6.8, 5.4))
        figure.subplots_adjust(left=0.08, right=0.62, hspace=0.75)
        for axes, title, series in ((top, "per framework", by_framework), (bottom, "per severity", by_severity)):
            axes.set_title(f"open failures {title}", fontsize=7)
            _trend_panel(figure, axes, labels, series)
        return _svg(figure)
