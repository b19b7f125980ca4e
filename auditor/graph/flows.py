"""Per-flow facts: the purposes its data was collected for, unjustified fields, the recipient's contract."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.lineage import PersonalDataFact
from auditor.inventory.models import Dataset, Flow, Vendor


@dataclass(slots=True)
class FlowFact:
    """What a flow carries, for which purposes it was collected, and to whom."""

    datasets: list[str] = described("Datasets the flow carries (declared, or else reached by lineage).", factory=list)
    collection_purposes: list[str] = described("Purposes those datasets were collected for.", factory=list)
    unjustified_fields: list[str] | None = described("Fields sent without a justification (None: fields undeclared).")
    to_vendor: bool = described("The destination is a vendor.", False)
    vendor_has_ccpa_contract: bool | None = described("That vendor has a CCPA contract (None: not to a vendor).")


def analyse_flows(graph: AssetGraph, personal: dict[str, PersonalDataFact]) -> dict[str, FlowFact]:
    """Fact `flow` for every flow."""
    facts: dict[str, FlowFact] = {}
    for flow in graph.inventory.by_kind.get("flow", []):
        assert isinstance(flow, Flow)
        carried = flow.datasets or personal[flow.id].origins
        datasets = [graph.asset(d) for d in carried]
        purposes = sorted({p for d in datasets if isinstance(d, Dataset) for p in d.purposes})
        destination = graph.asset(flow.destination)
        vendor = destination if isinstance(destination, Vendor) else None
        facts[flow.id] = FlowFact(
            datasets=sorted(carried),
            collection_purposes=purposes,
            unjustified_fields=None
            if flow.fields is None
            else sorted(f.name for f in flow.fields if not f.justification),
            to_vendor=vendor is not None,
            vendor_has_ccpa_contract=None if vendor is None else vendor.ccpa_contract_ref is not None,
        )
    return facts
