"""Per-flow facts: the purposes its data was collected for, unjustified fields, the recipient's contract."""

from __future__ import annotations

from typing import Any

from auditor.graph.build import AssetGraph
from auditor.inventory.models import Dataset, Flow, Vendor


def analyse_flows(graph: AssetGraph, personal: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Fact `flow` for every flow."""
    facts: dict[str, dict[str, Any]] = {}
    for flow in graph.inventory.by_kind.get("flow", []):
        assert isinstance(flow, Flow)
        carried = flow.datasets or personal[flow.id]["origins"]
        datasets = [graph.asset(d) for d in carried]
        purposes = sorted({p for d in datasets if isinstance(d, Dataset) for p in d.purposes})
        destination = graph.asset(flow.destination)
        vendor = destination if isinstance(destination, Vendor) else None
        facts[flow.id] = {
            "datasets": sorted(carried),
            "collection_purposes": purposes,
            "unjustified_fields": None
            if flow.fields is None
            else sorted(f.name for f in flow.fields if not f.justification),
            "to_vendor": vendor is not None,
            "vendor_has_ccpa_contract": None if vendor is None else vendor.ccpa_contract_ref is not None,
        }
    return facts
