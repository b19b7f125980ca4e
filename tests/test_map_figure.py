"""The drawn data-flow map: readable labels that do not overlap, US recipients placed by certification."""

from __future__ import annotations

import re
from pathlib import Path

from auditor.report import figures
from tests.conftest import AS_OF, EXAMPLE, audit_data, checked
from tests.test_flow_map import INVENTORY

LABEL = re.compile(r'<text style="font-size: ([\d.]+)px;[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)</text>')
CHAR_WIDTH = 0.62  # DejaVu Sans, average advance per em (ids are lower case, digits and hyphens)


def _labels(svg: str, names: set[str]) -> list[tuple[float, float, float, str]]:
    return [(float(s), float(x), float(y), t) for s, x, y, t in LABEL.findall(svg) if t in names]


def test_a_us_recipient_without_certification_is_not_under_the_adequacy_decision(tmp_path: Path) -> None:
    data = {**INVENTORY, "vendors": [*INVENTORY["vendors"], {"id": "dpf-us", "country": "US", "dpf_certified": True}]}
    data["flows"] = [
        *data["flows"],
        {"id": "certified", "source": "crm-eu", "destination": "dpf-us", "datasets": ["eu-customers"]},
    ]
    result = audit_data(tmp_path, data)
    zones = {node["id"]: figures._zone(node) for node in result.flow_map["nodes"]}
    assert (zones["helpdesk-us"], zones["analytics-us"], zones["dpf-us"]) == ("uncertified", "uncertified", "certified")
    assert (zones["crm-eu"], zones["callcenter-ph"]) == ("eea", "third_country")
    svg, shown, total = figures.flow_map(result)
    assert shown == total
    assert ">Not certified (DPF):<" in svg and ">no adequacy<" in svg and ">recipients (DPF)<" in svg


def test_map_labels_are_7_pt_and_do_not_overlap(tmp_path: Path) -> None:
    from auditor.engine import AuditRequest, run_audit
    from auditor.policy.loader import default_policies_dir

    result = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF)))
    svg, shown, _ = figures.flow_map(result)
    names = {figures._short(node["id"]) for node in result.flow_map["nodes"]}
    labels = _labels(svg, names)
    assert len(labels) == shown == len(result.flow_map["nodes"])
    assert {size for size, *_ in labels} == {figures.LABEL_POINTS}  # SVG user units are points (72 dpi)
    width = re.search(r'<svg[^>]* width="([\d.]+)pt"', svg)
    assert width is not None and float(width.group(1)) <= 10.4 * 72  # printed at most 1:1 on A4 landscape
    overlaps = []
    for i, (size, x, y, text) in enumerate(labels):
        for other_size, ox, oy, other in labels[i + 1 :]:
            apart_x = ox >= x + len(text) * size * CHAR_WIDTH or x >= ox + len(other) * other_size * CHAR_WIDTH
            if not apart_x and abs(y - oy) < max(size, other_size):
                overlaps.append((text, other))
    assert overlaps == []
