"""The drawn data-flow map: labels >= 7 pt that do not overlap, columns by certification, split onto pages."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont

from auditor.report import flow_layout
from tests.conftest import AS_OF, EXAMPLE, audit_data, checked
from tests.test_flow_map import INVENTORY

TEXT = re.compile(
    r'<text [^>]*text-anchor="(\w+)" x="([-\d.]+)" y="([-\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>'
)
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


def assert_readable(pages: list[flow_layout.MapPage]) -> None:
    for page in pages:
        size = SIZE.search(page.svg)
        assert size is not None
        width, height, view_w, view_h = map(float, size.groups())
        assert (width, height) == (view_w, view_h)  # 1 user unit = 1 pt: font sizes are print sizes
        assert width <= flow_layout.PAGE_WIDTH and height <= flow_layout.PAGE_HEIGHT
        boxes = label_boxes(page.svg)
        assert boxes and min(points for *_, points in boxes) >= 7
        assert overlaps(page.svg) == []


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
    texts = [text.strip() for *_, text, _ in label_boxes(pages[0].svg)]
    assert "Not certified (DPF): no adequacy" in texts and "Adequacy: certified recipients (DPF)" in texts
    assert texts[texts.index("certified") :][:3] == ["certified", "eu-customers", "transfer, basis: adequacy"]
    assert_readable(pages)


def test_the_example_map_is_readable_at_print_size_and_draws_every_flow() -> None:
    from auditor.engine import AuditRequest, run_audit
    from auditor.policy.loader import default_policies_dir

    result = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))
    pages, left_off = flow_layout.flow_maps(result.flow_map)
    assert left_off == 0 and len(pages) == 4
    assert sum(page.edges for page in pages) == len(result.flow_map["edges"])
    assert [page.note.split(":")[0] for page in pages if page.note] == [f"Map {n} of 4" for n in range(1, 5)]
    assert_readable(pages)


def test_a_larger_inventory_is_split_onto_pages_that_each_stay_readable() -> None:
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
    pages, left_off = flow_layout.flow_maps({"nodes": nodes, "edges": edges})
    assert left_off == 0 and len(pages) > 1
    assert sum(page.edges for page in pages) == len(edges)
    drawn = {text.strip() for page in pages for *_, text, _ in label_boxes(page.svg)}
    assert {e["flow"] for e in edges} <= drawn and {s["id"] for s in stores} <= drawn
    assert_readable(pages)
