"""The data-flow map for the report: places (sites, stores, compute, vendors) and the flows between them.

Each flow is drawn between the map nodes its endpoints stand for (a workload stands at what it
runs on, a dataset at where it is stored), as are copies, backups and onward transfers to
sub-processors. A movement of personal data between countries is marked cross-border; one that
takes it out of the EEA is marked as a Chapter V transfer.
"""

from __future__ import annotations

from typing import Any

from auditor.graph.build import AssetGraph
from auditor.graph.facts import Facts
from auditor.inventory.models import Flow

MAP_KINDS = ("site", "cluster", "compute", "storage", "vendor")
_STANDS_AT = {"workload": "runs_on", "dataset": "stored_in", "network": "located_at"}
# Data-graph relations that move data between map nodes without a declared flow.
_COPIES = frozenset({"subprocessor", "copy_of", "backed_up_to"})


def _map_node(graph: AssetGraph, asset_id: str) -> str | None:
    asset = graph.asset(asset_id)
    if asset.kind in MAP_KINDS:
        return asset_id
    rel = _STANDS_AT.get(asset.kind)
    targets = graph.targets(asset_id, rel) if rel else []
    return targets[0] if targets else None


def build_flow_map(graph: AssetGraph, facts: Facts) -> dict[str, Any]:
    nodes = []
    for kind in MAP_KINDS:
        for asset in graph.inventory.by_kind.get(kind, []):
            place = facts.by_asset[asset.id]["jurisdiction"]
            sites = graph.targets(asset.id, "located_at")
            nodes.append(
                {
                    "id": asset.id,
                    "kind": kind,
                    "label": asset.name or asset.id,
                    "country": place["country"],
                    "zone": place["zone"] or "unknown",
                    "site": sites[0] if sites else None,
                    "personal": bool(facts.by_asset[asset.id]["personal_data"]["present"]),
                }
            )
    movements = []
    for flow in graph.inventory.by_kind.get("flow", []):
        assert isinstance(flow, Flow)
        personal = bool(facts.by_asset[flow.id]["personal_data"]["present"])
        movements.append((flow.id, _map_node(graph, flow.source), _map_node(graph, flow.destination), personal))
    for source, target, attrs in graph.data.edges(data=True):
        if attrs["rel"] in _COPIES:
            personal = bool(facts.by_asset[target]["personal_data"]["present"])
            movements.append((attrs["rel"], source, target, personal))
    edges = []
    for label, source, target, personal in movements:
        if source is None or target is None or source == target:
            continue
        src, dst = facts.by_asset[source]["jurisdiction"], facts.by_asset[target]["jurisdiction"]
        crosses = personal and None not in (src["country"], dst["country"]) and src["country"] != dst["country"]
        edges.append(
            {
                "flow": label,
                "source": source,
                "target": target,
                "personal": personal,
                "cross_border": bool(crosses),
                "transfer": bool(crosses and src["zone"] == "eea" and dst["zone"] != "eea"),
            }
        )
    return {"nodes": nodes, "edges": edges}
