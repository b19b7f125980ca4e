"""The drawn data-flow map: labels >= 7 pt that do not overlap, columns by certification, split onto pages."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont

from auditor.report import flow_layout, flow_titles
from tests.conftest import AS_OF, EXAMPLE, audit_data, checked
from tests.test_flow_map import INVENTORY

TEXT = re.compile(
    r'<text [^>]*text-anchor="(\w+)" x="([-\d.]+)" y="([-\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>'
)
NODE = re.compile(r'<g id="[^"]*" class="node">\n<title>[^<]*</title>\n(.*?)</g>', re.S)
PAIR = re.compile(r"(-?[\d.]+),(-?[\d.]+)")
NODE_NAME = re.compile(r'<g id="[^"]*" class="node">\n<title>([^<]*)</title>')
BOX_ID = re.compile(r'<g id="(box:[^"]*)" class="cluster">')
SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="0.00 0.00 ([\d.]+) ([\d.]+)"')
_FONT = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")  # the report's font
_ADVANCE, _CMAP, _EM = _FONT["hmtx"], _FONT.getBestCmap(), _FONT["head"].unitsPerEm
ENTITIES = {"&#45;": "-", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#160;": "\u00a0"}


def _unescape(text: str) -> str:
    for entity, char in ENTITIES.items():
        text = text.replace(entity, char)
    return text


def _width(text: str, size: float) -> float:
    return sum(_ADVANCE[_CMAP.get(ord(c), ".notdef")][0] for c in text) / _EM * size


def label_boxes(svg: str) -> list[tuple[float, float, float, float, str, float]]:
    """Every text's box (left, top, right, bottom) from the drawing, with DejaVu Sans advance widths."""
    boxes = []
    for anchor, x, y, size, raw in TEXT.findall(svg):
        text, points = _unescape(raw), float(size)
        if not text.strip():
            continue
        width = _width(text, points)
        left = {"start": float(x), "middle": float(x) - width / 2, "end": float(x) - width}[anchor]
        boxes.append((left, float(y) - 0.93 * points, left + width, float(y) + 0.24 * points, text, points))
    return boxes


def overlaps(svg: str) -> list[tuple[str, str]]:
    boxes = label_boxes(svg)
    return [
        (a[4], b[4])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]


def column_titles(svg: str) -> list[tuple[list[str], tuple[float, float, float, float]]]:
    """Each column title (the 8 pt texts) with its lines and its box, left to right."""
    lines: dict[float, list[tuple[float, float, float, float, str, float]]] = {}
    for box in label_boxes(svg):
        if box[5] == flow_titles.TITLE_POINTS:
            lines.setdefault(round((box[0] + box[2]) / 2, 1), []).append(box)
    return [
        ([b[4] for b in title], (min(b[0] for b in title), title[0][1], max(b[2] for b in title), title[-1][3]))
        for _, title in sorted(lines.items())
    ]


def drawn_tops(svg: str) -> list[tuple[float, float, float]]:
    """The top of every node outline and edge label: (left, right, top)."""
    tops = [(left, right, top) for left, top, right, _, _, points in label_boxes(svg) if points == flow_layout.POINTS]
    for group in NODE.findall(svg):
        pairs = [(float(x), float(y)) for x, y in PAIR.findall(group)]
        if pairs:  # a box title is text only: among the label boxes
            tops.append((min(x for x, _ in pairs), max(x for x, _ in pairs), min(y for _, y in pairs)))
    return tops


def assert_titles_on_top(svg: str) -> None:
    titles = column_titles(svg)
    assert titles
    assert len({box[1] for _, box in titles}) == 1  # one baseline across the columns
    for _, (left, _, right, bottom) in titles:
        below = [top for x0, x1, top in drawn_tops(svg) if x0 < right and left < x1]
        assert below and bottom < min(below)


def assert_readable(pages: list[flow_layout.MapPage]) -> None:
    for number, page in enumerate(pages, start=1):
        size = SIZE.search(page.svg)
        assert size is not None
        width, height, view_w, view_h = map(float, size.groups())
        assert (width, height) == (view_w, view_h)  # 1 user unit = 1 pt: font sizes are print sizes
        limit = flow_layout.FIRST_PAGE_HEIGHT if number == 1 else flow_layout.PAGE_HEIGHT
        assert width <= flow_layout.PAGE_WIDTH and height <= limit
        boxes = label_boxes(page.svg)
        assert boxes and min(points for *_, points in boxes) >= 7
        assert overlaps(page.svg) == []
        assert_titles_on_top(page.svg)


def test_a_us_recipient_without_certification_is_not_under_the_adequacy_decision(tmp_path: Path) -> None:
    data = {**INVENTORY, "vendors": [*INVENTORY["vendors"], {"id": "dpf-us", "country": "US", "dpf_certified": True}]}
    data["flows"] = [
        *data["flows"],
        {"id": "certified", "source": "crm-eu", "destination": "dpf-us", "datasets": ["eu-customers"]},
    ]
    result = audit_data(tmp_path, data)
    zones = {node["id"]: flow_layout.column(node) for node in result.flow_map["nodes"]}
    assert (zones["helpdesk-us"], zones["analytics-us"], zones["dpf-us"]) == ("uncertified", "uncertified", "certified")
    assert (zones["crm-eu"], zones["callcenter-ph"]) == ("eea", "third_country")
    pages, left_off = flow_layout.flow_maps(result.flow_map)
    assert (len(pages), left_off) == (1, 0)
    assert [lines for lines, _ in column_titles(pages[0].svg)] == [
        ["EEA"],
        ["Adequacy decision:", "certified recipients (DPF)"],
        ["Not certified (DPF):", "no adequacy"],
        ["Third country", "(no adequacy)"],
    ]
    texts = [text.strip() for *_, text, _ in label_boxes(pages[0].svg)]
    assert texts[texts.index("certified") :][:3] == ["certified", "eu-customers", "transfer, basis: adequacy"]
    assert_readable(pages)


def node_names(svg: str) -> list[str]:
    """The nodes drawn, and the boxes as "box:<site or vendor>" ("box:<id>@<column>" when a box
    reaches a second column)."""
    return [_unescape(name) for name in NODE_NAME.findall(svg) + BOX_ID.findall(svg)]


def test_the_example_map_is_readable_at_print_size_and_draws_every_flow() -> None:
    from auditor.engine import AuditRequest, run_audit
    from auditor.policy.loader import default_policies_dir

    result = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))
    pages, left_off = flow_layout.flow_maps(result.flow_map)
    assert left_off == 0 and len(pages) == 3
    assert sum(page.edges for page in pages) == len(result.flow_map["edges"])
    assert [page.note.split(":")[0] for page in pages if page.note] == [f"Map {n} of 3" for n in range(1, 4)]
    assert_readable(pages)
    assert_whole_boxes(result.flow_map, pages)
    # the copy to the US replica leaves fra-dc1 on map 2 and ends in a stub naming its map
    stub = next(text for *_, text, _ in label_boxes(pages[1].svg) if "aws-us-east-1" in text)
    assert stub.strip() == "in aws-us-east-1, map 3"
    assert "copy_of from fra-model-registry in fra-dc1 (map 2) to s3-us-model-replica" in pages[2].lists[-1]
    # own compute at the AWS site: no transfer judged on it, so it stands with the site's DPF-certified stores
    zones = {node["id"]: flow_layout.column(node) for node in result.flow_map["nodes"]}
    assert (zones["us-infer-g6e"], zones["s3-us-inference-logs"]) == ("certified", "certified")


def assert_whole_boxes(flow_map: dict, pages: list[flow_layout.MapPage]) -> None:
    """Every site or vendor box on exactly one map, with all its drawn nodes; every flow on the map of
    its source (edge, stub or listed) and, when it arrives on another map, listed there."""
    home: dict[str, int] = {}
    for number, page in enumerate(pages, start=1):
        for name in node_names(page.svg):
            if not name.startswith(("stub:", "head", "tail", "empty:")):
                assert home.setdefault(name.split("@")[0], number) == number, f"{name} on two maps"
    nodes = {n["id"]: n for n in flow_map["nodes"]}
    for node_id, node in nodes.items():
        if node_id in home and node.get("host") in nodes:
            assert home[node_id] == home["box:" + node["host"]], f"{node_id} away from its box"
    for edge in flow_map["edges"]:
        source, target = pages[home[edge["source"]] - 1], pages[home[edge["target"]] - 1]
        texts = {text.strip() for *_, text, _ in label_boxes(source.svg)}
        leaving = [text for text in source.lists if text.startswith("Leaving")]
        assert edge["flow"] in texts or f"{edge['flow']} from {edge['source']} to {edge['target']}" in leaving[0]
        if target is not source:
            arriving = next(text for text in target.lists if text.startswith("Arriving"))
            assert f"{edge['flow']} from {edge['source']}" in arriving


def _estate() -> dict:
    """Four sites of twelve stores each, 48 flows mostly between sites: too large for one map."""
    sites = [{"id": f"site-{s}", "country": country} for s, country in enumerate(("DE", "FR", "US", "IN"))]
    stores = [{"id": f"store-{s}-{i}", "kind": "storage", "site": f"site-{s}"} for s in range(4) for i in range(12)]
    nodes = [
        {"id": n["id"], "kind": "site", "country": n["country"], "zone": "eea" if n["country"] in ("DE", "FR")
         else "third_country", "adequacy_scope": None, "certified": False, "site": None, "host": None,
         "personal": False}
        for n in sites
    ] + [
        {"id": n["id"], "kind": "storage", "country": sites[int(n["id"].split("-")[1])]["country"],
         "zone": "eea" if int(n["id"].split("-")[1]) < 2 else "third_country", "adequacy_scope": None,
         "certified": False, "site": n["site"], "host": n["site"], "personal": True}
        for n in stores
    ]
    edges = [
        {"flow": f"flow-{i}-to-{(i * 7) % len(stores)}", "datasets": [f"dataset-{i}"], "source": stores[i]["id"],
         "target": stores[(i * 7 + 13) % len(stores)]["id"], "personal": True, "cross_border": True,
         "transfer": True, "basis": "none"}
        for i in range(len(stores))
    ]
    return {"nodes": nodes, "edges": edges}


def test_a_larger_inventory_is_split_onto_pages_that_each_stay_readable() -> None:
    estate = _estate()
    pages, left_off = flow_layout.flow_maps(estate)
    assert left_off == 0 and len(pages) == 4
    assert sum(page.edges for page in pages) == len(estate["edges"])
    assert_readable(pages)


def test_a_split_map_keeps_each_site_whole_and_shows_every_flow() -> None:
    estate = _estate()
    pages, _ = flow_layout.flow_maps(estate)
    assert [sorted({n.split("@")[0] for n in node_names(page.svg) if n.startswith("box:")}) for page in pages] == [
        [f"box:site-{s}"] for s in range(4)
    ]
    for number, page in enumerate(pages):
        assert {n for n in node_names(page.svg) if n.startswith("store-")} == {f"store-{number}-{i}" for i in range(12)}
    assert_whole_boxes(estate, pages)
