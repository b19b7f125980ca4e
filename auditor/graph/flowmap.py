"""The data-flow map for the report: places (sites, stores, compute, collection points, vendors) and flows.

Each flow is drawn between the map nodes its endpoints stand for (a workload stands at what it
runs on, a dataset at where it is stored), as are copies, backups and onward transfers to
sub-processors. A movement of personal data between countries is marked cross-border. Whether
it is a Chapter V transfer, and on what basis, is not decided here: it is read from the transfer
fact of the asset the data moves to, so the map says what the findings say.
"""

from __future__ import annotations

from typing import Any

from auditor.graph.build import AssetGraph
from auditor.graph.facts import Facts
from auditor.graph.transfers import NO_TRANSFER
from auditor.inventory.models import Flow

MAP_KINDS = ("site", "cluster", "compute", "storage", "collection_point", "vendor")
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
    by_asset = facts.by_asset
    for kind in MAP_KINDS:
        for asset in graph.inventory.by_kind.get(kind, []):
            place = by_asset[asset.id].jurisdiction
            sites = graph.targets(asset.id, "located_at")
            operators = graph.targets(asset.id, "operated_by") if kind == "storage" else []
            nodes.append(
                {
                    "id": asset.id,
                    "kind": kind,
                    "label": asset.name or asset.id,
                    "country": place.country if place else None,
                    "zone": (place.zone if place else None) or "unknown",
                    # a partial adequacy decision (US frameworks) covers only certified recipients
                    "adequacy_scope": place.adequacy_scope if place else None,
                    "certified": _certified(facts, asset.id),
                    "site": sites[0] if sites else None,
                    # what the map draws it inside: its site, else the vendor hosting the store
                    "host": sites[0] if sites else (operators[0] if operators else None),
                    "personal": _personal(facts, asset.id),
                }
            )
    _certified_by_host(nodes)
    # (label, map node of the source, map node of the target, what carries the data, where it arrives, datasets)
    movements: list[tuple[str, str | None, str | None, str, str, list[str]]] = []
    for flow in graph.inventory.by_kind.get("flow", []):
        assert isinstance(flow, Flow)
        source, target = _map_node(graph, flow.source), _map_node(graph, flow.destination)
        movements.append((flow.id, source, target, flow.id, flow.destination, sorted(flow.datasets)))
    for source, target, rel in graph.data.edges():
        if rel in _COPIES:
            movements.append((rel, source, target, target, target, []))
    edges = []
    for label, source, target, carrier, receiver, datasets in movements:
        if source is None or target is None or source == target:
            continue
        personal = _personal(facts, carrier)
        src, dst = by_asset[source].jurisdiction, by_asset[target].jurisdiction
        countries = (src.country if src else None, dst.country if dst else None)
        crosses = personal and None not in countries and countries[0] != countries[1]
        transfer = by_asset[receiver].transfer or by_asset[target].transfer or NO_TRANSFER
        if transfer.judged_at:  # one finding per transfer: read the asset where it is judged
            transfer = by_asset[transfer.judged_at].transfer or NO_TRANSFER
        reaches_outside = crosses or transfer.remote_access_third_countries or transfer.international_organisation
        chapter_v = transfer.required is True and bool(reaches_outside)
        edges.append(
            {
                "flow": label,
                "datasets": datasets,
                "source": source,
                "target": target,
                "personal": personal,
                "cross_border": bool(crosses),
                "transfer": chapter_v,
                "basis": transfer.basis if chapter_v else None,
            }
        )
    return {"nodes": nodes, "edges": edges}


def _certified(facts: Facts, asset_id: str) -> bool | None:
    """Whether the asset's recipient is certified; None when nothing was judged (e.g. a compute node)."""
    transfer = facts.by_asset[asset_id].transfer
    return None if transfer is None or transfer.certified is None else transfer.certified


def _certified_by_host(nodes: list[dict[str, Any]]) -> None:
    """A node with no certification of its own (own compute at a cloud site) stands with what it shares a
    site or hosting vendor with, when those agree: drawn under "not certified" it would claim a transfer
    to an uncertified recipient that no one judged."""
    known: dict[str, set[bool]] = {}
    for node in nodes:
        if node["host"] is not None and node["certified"] is not None:
            known.setdefault(node["host"], set()).add(node["certified"])
    for node in nodes:
        answers = known.get(node["host"], set()) if node["certified"] is None else set()
        if len(answers) == 1:
            node["certified"] = next(iter(answers))


def _personal(facts: Facts, asset_id: str) -> bool:
    fact = facts.by_asset[asset_id].personal_data
    return bool(fact and fact.present)
