"""Charts and the data-flow map, drawn with matplotlib to SVG text (deterministic, no fonts fetched).

Imported only by the HTML/PDF reporters: matplotlib never loads on the CI-gate path.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx

from auditor.result import AuditResult, Severity, Status

SEVERITY_COLOURS = {
    Severity.critical: "#7f1d1d",
    Severity.high: "#dc2626",
    Severity.medium: "#f59e0b",
    Severity.low: "#0ea5e9",
    Severity.info: "#9ca3af",
}
# Map columns, left to right. A partial adequacy decision (the US frameworks) covers only certified
# recipients: the others stand in a column of their own, never under "Adequacy decision".
ZONES = ("eea", "adequate", "certified", "uncertified", "third_country", "unknown")
ZONE_COLOURS = {
    "eea": "#2563eb",
    "adequate": "#16a34a",
    "certified": "#16a34a",
    "uncertified": "#b91c1c",
    "third_country": "#ea580c",
    "unknown": "#9ca3af",
}
ZONE_LABELS = {
    "eea": "EEA",
    "adequate": "Adequacy decision",
    "certified": "Adequacy: certified\nrecipients ({scopes})",
    "uncertified": "Not certified ({scopes}):\nno adequacy",
    "third_country": "Third country",
    "unknown": "Unknown",
}
SCOPE_NAMES = {"dpf": "DPF", "privacy_shield": "Privacy Shield", "safe_harbor": "Safe Harbor"}
KIND_MARKERS = {"site": "s", "cluster": "h", "compute": "^", "storage": "o", "collection_point": "P", "vendor": "D"}
MAX_MAP_NODES = 150
COLUMN_NODES = 28
LABEL_CHARS = 26
LABEL_POINTS = 7  # >= 7 pt at print size: the map is drawn at the width it is printed at
ROW_POINTS = 10  # vertical distance of two nodes in a column
COLUMN_INCHES = 1.75  # a marker and a label of LABEL_CHARS characters

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


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


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


def _map_subset(flow_map: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """At most MAX_MAP_NODES nodes: those on flows first, then personal-data holders, by degree."""
    nodes = flow_map.get("nodes", [])
    edges = flow_map.get("edges", [])
    degree = Counter([e["source"] for e in edges] + [e["target"] for e in edges])
    ranked = sorted(nodes, key=lambda n: (-degree[n["id"]], not n["personal"], n["kind"] != "site", n["id"]))
    keep = {n["id"] for n in ranked[:MAX_MAP_NODES]}
    shown = [n for n in nodes if n["id"] in keep]
    return shown, [e for e in edges if e["source"] in keep and e["target"] in keep], len(nodes)


def _zone(node: dict[str, Any]) -> str:
    """The map column of a node: its GDPR zone, split for partial (certified-only) adequacy."""
    if node["zone"] == "adequate" and node.get("adequacy_scope") in SCOPE_NAMES:
        return "certified" if node.get("certified") else "uncertified"
    return str(node["zone"])


def _zone_title(zone: str, nodes: list[dict[str, Any]]) -> str:
    scopes = sorted({SCOPE_NAMES[n["adequacy_scope"]] for n in nodes if n.get("adequacy_scope") in SCOPE_NAMES})
    return ZONE_LABELS[zone].format(scopes=", ".join(scopes))


def flow_map(result: AuditResult) -> tuple[str, int, int]:
    """The data-flow map as SVG, with how many nodes it shows out of how many."""
    nodes, edges, total = _map_subset(result.flow_map)
    graph = nx.MultiDiGraph()
    ordered = sorted(nodes, key=lambda n: (ZONES.index(_zone(n)), n["site"] or "", n["kind"], n["id"]))
    per_zone: Counter[str] = Counter()
    layers: dict[int, list[str]] = {}
    for node in ordered:  # a zone with many nodes is split into several columns
        zone = _zone(node)
        column = per_zone[zone] // COLUMN_NODES
        per_zone[zone] += 1
        layer = ZONES.index(zone) * 10 + column
        layers.setdefault(layer, []).append(node["id"])
        graph.add_node(node["id"], layer=layer, **{**node, "zone": zone})
    for edge in edges:
        graph.add_edge(edge["source"], edge["target"], **edge)
    rows = min(COLUMN_NODES, max(Counter(_zone(n) for n in nodes).values(), default=1))
    height = max(2.5, rows * ROW_POINTS / 72 + 1.0)
    width = max(6.0, COLUMN_INCHES * max(1, len(layers)) + 0.5)
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(width, height))
        axes.axis("off")
        if not nodes:
            axes.text(0.5, 0.5, "no sites, stores, compute or vendors in the inventory", ha="center")
            return _svg(figure), 0, total
        # Layers given as ordered lists: a node attribute would be grouped through a set, whose order
        # changes with Python's string hashing from one process to the next.
        positions = nx.multipartite_layout(graph, subset_key=layers, align="vertical", scale=1.0)
        for style, pick in (
            ({"edge_color": "#d1d5db", "width": 0.6}, lambda e: not e["personal"]),
            ({"edge_color": "#475569", "width": 0.9}, lambda e: e["personal"] and not e["cross_border"]),
            ({"edge_color": "#dc2626", "width": 1.8}, lambda e: e["cross_border"]),
        ):
            chosen = [(u, v) for u, v, data in graph.edges(data=True) if pick(data)]
            for same_column, bend in ((False, 0.08), (True, 0.45)):  # bulge edges inside a column outwards
                group = [(u, v) for u, v in chosen if bool(positions[u][0] == positions[v][0]) == same_column]
                nx.draw_networkx_edges(
                    graph,
                    positions,
                    edgelist=group,
                    ax=axes,
                    arrows=True,
                    arrowsize=6,
                    node_size=30,
                    connectionstyle=f"arc3,rad={bend}",
                    **style,
                )
        for kind, marker in KIND_MARKERS.items():
            members = [n for n, data in graph.nodes(data=True) if data["kind"] == kind]
            nx.draw_networkx_nodes(
                graph,
                positions,
                nodelist=members,
                node_shape=marker,
                node_size=30,
                ax=axes,
                node_color=[ZONE_COLOURS[graph.nodes[n]["zone"]] for n in members],
                edgecolors=["#111827" if graph.nodes[n]["personal"] else "none" for n in members],
            )
        for node_id, (x, y) in positions.items():  # beside its marker, whatever the axes' scale
            axes.annotate(
                _short(node_id),
                (x, y),
                xytext=(5, 0),
                textcoords="offset points",
                fontsize=LABEL_POINTS,
                va="center",
            )
        for index, zone in enumerate(ZONES):
            xs = [positions[n][0] for n, d in graph.nodes(data=True) if d["layer"] // 10 == index]
            if xs:
                axes.text(
                    min(xs),
                    1.02,
                    _zone_title(zone, [n for n in nodes if _zone(n) == zone]),
                    ha="left",
                    va="bottom",
                    fontsize=8,
                    weight="bold",
                    color=ZONE_COLOURS[zone],
                    transform=axes.get_xaxis_transform(),
                )
        handles = [
            plt.Line2D([], [], marker=m, linestyle="", color="#6b7280", label=k) for k, m in KIND_MARKERS.items()
        ]
        handles.append(plt.Line2D([], [], color="#dc2626", lw=1.8, label="cross-border personal data"))
        handles.append(plt.Line2D([], [], color="#475569", lw=0.9, label="personal data"))
        axes.legend(handles=handles, ncols=7, loc="upper center", bbox_to_anchor=(0.5, -0.01), frameon=False)
        return _svg(figure), len(nodes), total
