"""Rack power per site: the maximum draw of the nodes in each rack against its budget and cooling."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.inventory.models import Compute, Site


@dataclass(slots=True)
class RackLoad:
    """One rack of a site: the draw of its nodes against its budget."""

    rack: str = described("Rack id as declared on the site.", "")
    load_kw: float | None = described("Maximum draw of the nodes in the rack (None: a node's power is undeclared).")
    budget_kw: float | None = described("The rack's power budget.")
    cooling: str | None = described("air, liquid or hybrid.")
    load_ratio: float | None = described("load_kw / budget_kw.")


@dataclass(slots=True)
class PowerFact:
    """Rack power of a site."""

    racks: list[RackLoad] = described("Every declared rack with its load.", factory=list)
    max_load_ratio: float | None = described("The highest load/budget ratio (None when any is unknown).")
    max_air_rack_kw: float | None = described("The highest load of an air-cooled rack (0 when none is air-cooled).")


def _highest(values: list[float | None]) -> float | None:
    """The largest value, or None when any is unknown."""
    known = [v for v in values if v is not None]
    return max(known) if known and len(known) == len(values) else None


def analyse_power(graph: AssetGraph) -> dict[str, PowerFact]:
    """Fact `power` for every site with racks: per-rack load, worst budget ratio, air-cooled peak."""
    load: dict[tuple[str, str], float | None] = defaultdict(float)
    for node in graph.of_kind(Compute):
        if node.rack is None:
            continue
        for site_id in graph.targets(node.id, "located_at"):
            key = (site_id, node.rack)
            current = load[key]
            load[key] = None if current is None or node.power_kw is None else current + node.power_kw * node.count
    facts: dict[str, PowerFact] = {}
    for site in graph.of_kind(Site):
        if not site.racks:
            continue
        racks: list[RackLoad] = []
        for rack in site.racks:
            kw = load.get((site.id, rack.id), 0.0)
            ratio = kw / rack.power_budget_kw if kw is not None and rack.power_budget_kw else None
            racks.append(RackLoad(rack.id, kw, rack.power_budget_kw, rack.cooling, ratio))
        air: list[float | None] = [r.load_kw for r in racks if r.cooling == "air"]
        cooling_known = all(r.cooling is not None for r in racks)
        facts[site.id] = PowerFact(
            racks=racks,
            max_load_ratio=_highest([r.load_ratio for r in racks]),
            max_air_rack_kw=(_highest(air) if air else 0.0) if cooling_known else None,
        )
    return facts
