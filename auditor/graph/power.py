"""Rack power per site: the maximum draw of the nodes in each rack against its budget and cooling."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from auditor.graph.build import AssetGraph
from auditor.inventory.models import Compute, Site


def _highest(values: list[float | None]) -> float | None:
    """The largest value, or None when any is unknown."""
    known = [v for v in values if v is not None]
    return max(known) if known and len(known) == len(values) else None


def analyse_power(graph: AssetGraph) -> dict[str, dict[str, Any]]:
    """Fact `power` for every site with racks: per-rack load, worst budget ratio, air-cooled peak."""
    load: dict[tuple[str, str], float | None] = defaultdict(float)
    for node in graph.inventory.by_kind.get("compute", []):
        assert isinstance(node, Compute)
        if node.rack is None:
            continue
        for site_id in graph.targets(node.id, "located_at"):
            key = (site_id, node.rack)
            current = load[key]
            load[key] = None if current is None or node.power_kw is None else current + node.power_kw * node.count
    facts: dict[str, dict[str, Any]] = {}
    for site in graph.inventory.by_kind.get("site", []):
        assert isinstance(site, Site)
        if not site.racks:
            continue
        racks: list[dict[str, Any]] = []
        for rack in site.racks:
            kw = load.get((site.id, rack.id), 0.0)
            ratio = kw / rack.power_budget_kw if kw is not None and rack.power_budget_kw else None
            racks.append(
                {
                    "rack": rack.id,
                    "load_kw": kw,
                    "budget_kw": rack.power_budget_kw,
                    "cooling": rack.cooling,
                    "load_ratio": ratio,
                }
            )
        ratios: list[float | None] = [r["load_ratio"] for r in racks]
        air: list[float | None] = [r["load_kw"] for r in racks if r["cooling"] == "air"]
        cooling_known = all(r["cooling"] is not None for r in racks)
        facts[site.id] = {
            "racks": racks,
            "max_load_ratio": _highest(ratios),
            "max_air_rack_kw": (_highest(air) if air else 0.0) if cooling_known else None,
        }
    return facts
