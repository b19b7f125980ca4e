"""GDPR Chapter V: where EEA personal data reaches a place outside the EEA, and on what basis.

For every asset that holds or processes personal data of EEA data subjects, the destination
country is classified: EEA (no transfer), adequate (a decision in force at the audit date and,
for the US, a DPF-certified recipient), an Art. 46 safeguard (SCCs, BCRs ...) declared on the
flow that carried the data across or on the recipient vendor, an Art. 49 derogation, or none.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog import jurisdictions
from auditor.graph.build import AssetGraph
from auditor.graph.lineage import Lineage
from auditor.inventory.models import Flow, Vendor

TRANSFER_KINDS = frozenset({"storage", "compute", "cluster", "workload", "vendor"})
SAFEGUARDS = frozenset({"scc", "bcr", "code_of_conduct", "certification", "ad_hoc_clauses"})


def analyse_transfers(
    graph: AssetGraph,
    lineage: Lineage,
    places: dict[str, dict[str, Any]],
    personal: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Fact `transfer` for assets of TRANSFER_KINDS reached by EEA personal data."""
    catalog = jurisdictions()
    eea_origin = {
        dataset.id: any(
            catalog.is_eea(r.split("-")[0]) for r in getattr(dataset, "subject_jurisdictions", [])
        )
        for dataset in graph.inventory.by_kind.get("dataset", [])
    }
    facts: dict[str, dict[str, Any]] = {}
    for asset_id, asset in graph.inventory.assets.items():
        if asset.kind not in TRANSFER_KINDS:
            continue
        eea_origins = [origin for origin in personal[asset_id]["origins"] if eea_origin[origin]]
        if not eea_origins:
            facts[asset_id] = {"required": False, "basis": None}
            continue
        origin = eea_origins[0]
        path = lineage.path(asset_id, origin)
        place = places[asset_id]
        country = place["country"]
        fact: dict[str, Any] = {
            "origin": origin,
            "path": path,
            "country": country,
            "zone": place["zone"],
            "required": None if country is None else place["zone"] != "eea",
        }
        if fact["required"]:
            fact.update(_basis(graph, asset_id, path, place))
        else:
            fact["basis"] = None
        facts[asset_id] = fact
    return facts


def _recipient(graph: AssetGraph, asset_id: str) -> Vendor | None:
    """The vendor that receives the data at this asset, if any."""
    asset = graph.asset(asset_id)
    if isinstance(asset, Vendor):
        return asset
    for target in graph.targets(asset_id, "operated_by"):
        return graph.asset(target)  # type: ignore[return-value]
    for site in graph.targets(asset_id, "located_at"):
        for target in graph.targets(site, "operated_by"):
            return graph.asset(target)  # type: ignore[return-value]
    return None


def _crossing_flow(graph: AssetGraph, path: list[str]) -> Flow | None:
    """The last flow on the path: the one that carried the data to its destination."""
    for asset_id in reversed(path):
        asset = graph.asset(asset_id)
        if isinstance(asset, Flow):
            return asset
    return None


def _basis(graph: AssetGraph, asset_id: str, path: list[str], place: dict[str, Any]) -> dict[str, Any]:
    recipient = _recipient(graph, asset_id)
    flow = _crossing_flow(graph, path)
    result: dict[str, Any] = {
        "recipient": recipient.id if recipient else None,
        "flow": flow.id if flow else None,
        "adequacy_decision": place["adequacy_decision"],
    }
    if place["zone"] == "adequate":
        if place["adequacy_scope"] != "dpf":
            return {**result, "basis": "adequacy", "mechanism": "adequacy"}
        if recipient is not None and recipient.dpf_certified:
            return {**result, "basis": "adequacy", "mechanism": "dpf"}
    mechanism = (flow.transfer_mechanism if flow else None) or (
        recipient.transfer_mechanism if recipient else None
    )
    if mechanism in SAFEGUARDS:
        basis = "safeguard"
    elif mechanism == "derogation":
        basis = "derogation"
    else:
        basis = "none"
    return {**result, "basis": basis, "mechanism": mechanism}
