"""GDPR Chapter V: where EEA personal data reaches a place outside the EEA, and on what basis.

For every asset that holds or processes personal data of EEA data subjects, the destination
country is classified: EEA (no transfer), adequate (a decision in force at the audit date; for
the US only a DPF-certified recipient, whose certification must cover HR data when HR data is
sent), an Art. 46 safeguard (SCCs, BCRs ...) declared on the flow that carried the data across or
on the recipient vendor, an Art. 49 derogation, or none. A vendor whose staff reach the data
from third countries (remote access, EDPB Guidelines 05/2021) makes a transfer too, as does an
onward transfer to a sub-processor (lineage follows sub-processor edges).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from auditor.catalog import jurisdictions
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.jurisdiction import JurisdictionFact
from auditor.graph.lineage import Lineage, PersonalDataFact
from auditor.inventory.models import Flow, Vendor

TRANSFER_KINDS = frozenset({"storage", "compute", "cluster", "workload", "vendor"})
SAFEGUARDS = frozenset({"scc", "bcr", "code_of_conduct", "certification", "ad_hoc_clauses"})
HR_SUBJECTS = frozenset({"employee", "applicant", "contractor_staff"})


@dataclass(slots=True)
class TransferFact:
    """Whether EEA personal data reaching the asset makes a Chapter V transfer, and on what basis."""

    required: bool | None = described(
        "EEA personal data reaches a place outside the EEA here (None: the asset's country is unknown).", False
    )
    basis: str | None = described("adequacy, safeguard, derogation or none (None when no transfer is made).")
    remote_access_third_countries: list[str] = described(
        "Third countries from which a vendor's staff reach the data, not covered by adequacy.", factory=list
    )
    origin: str | None = described("The first EEA personal dataset reaching the asset.")
    path: list[str] = described("Asset ids from that dataset to this asset.", factory=list)
    country: str | None = described("The asset's country.")
    zone: str | None = described("The asset's GDPR zone (eea, adequate, third_country).")
    hr_data: bool = described("HR data (employees, applicants, contractor staff) is transferred.", False)
    recipient: str | None = described("The vendor receiving the data here, if any.")
    flow: str | None = described("The last flow on the path: the one that carried the data across.")
    adequacy_decision: str | None = described("The adequacy decision in force for the country, if any.")
    mechanism: str | None = described("The transfer mechanism relied on (dpf, scc, bcr, derogation ...).")
    mechanism_declared_on: str | None = described("The flow or vendor that declares the mechanism.")
    scc_version: str | None = described("The SCC version declared with an SCC mechanism.")
    tia_ref: str | None = described("Transfer impact assessment declared with an Art. 46 safeguard.")


NO_TRANSFER = TransferFact()


def analyse_transfers(
    graph: AssetGraph,
    lineage: Lineage,
    places: dict[str, JurisdictionFact],
    personal: dict[str, PersonalDataFact],
    as_of: date,
) -> dict[str, TransferFact]:
    """Fact `transfer` for assets of TRANSFER_KINDS (reached by EEA personal data or not)."""
    catalog = jurisdictions()
    eea_origin = {
        dataset.id: any(catalog.is_eea(r.split("-")[0]) for r in getattr(dataset, "subject_jurisdictions", []))
        for dataset in graph.inventory.by_kind.get("dataset", [])
    }
    facts: dict[str, TransferFact] = {}
    for asset_id, asset in graph.inventory.assets.items():
        if asset.kind not in TRANSFER_KINDS:
            continue
        eea_origins = [origin for origin in personal[asset_id].origins if eea_origin[origin]]
        if not eea_origins:
            facts[asset_id] = NO_TRANSFER
            continue
        origin = eea_origins[0]
        path = lineage.path(asset_id, origin)
        place = places[asset_id]
        hr_data = bool(HR_SUBJECTS.intersection(personal[asset_id].data_subjects or ()))
        remote = _remote_third_countries(asset, hr_data, as_of)
        outside = None if place.country is None else place.zone != "eea"
        fact = TransferFact(
            required=True if remote else outside,
            remote_access_third_countries=remote,
            origin=origin,
            path=path,
            country=place.country,
            zone=place.zone,
            hr_data=hr_data,
        )
        facts[asset_id] = _with_basis(graph, fact, asset_id, place) if fact.required else fact
    return facts


def _dpf_covers(vendor: Vendor | None, hr_data: bool) -> bool:
    return bool(vendor and vendor.dpf_certified and (not hr_data or vendor.dpf_covers_hr))


def _remote_third_countries(asset: object, hr_data: bool, as_of: date) -> list[str]:
    """Countries a vendor's staff reach the data from that are neither EEA nor adequate for it."""
    if not isinstance(asset, Vendor):
        return []
    catalog = jurisdictions()
    found = []
    for country in asset.remote_access_countries:
        decision = catalog.decision(country, as_of)
        covered = catalog.is_eea(country) or (
            decision is not None and (decision.scope != "dpf" or _dpf_covers(asset, hr_data))
        )
        if not covered:
            found.append(country)
    return sorted(found)


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


def _with_basis(graph: AssetGraph, fact: TransferFact, asset_id: str, place: JurisdictionFact) -> TransferFact:
    """The transfer fact completed with its recipient, carrying flow and basis."""
    recipient = _recipient(graph, asset_id)
    flow = _crossing_flow(graph, fact.path)
    fact = replace(
        fact,
        recipient=recipient.id if recipient else None,
        flow=flow.id if flow else None,
        adequacy_decision=place.adequacy_decision,
    )
    if place.zone in ("adequate", "eea") and not fact.remote_access_third_countries:
        if place.adequacy_scope != "dpf":
            return replace(fact, basis="adequacy", mechanism="adequacy")
        if _dpf_covers(recipient, fact.hr_data):
            return replace(fact, basis="adequacy", mechanism="dpf")
    source: Flow | Vendor | None = flow if flow is not None and flow.transfer_mechanism else recipient
    mechanism = source.transfer_mechanism if source is not None else None
    if mechanism in SAFEGUARDS:
        basis = "safeguard"
    elif mechanism == "derogation":
        basis = "derogation"
    else:
        basis = "none"
    return replace(
        fact,
        basis=basis,
        mechanism=mechanism,
        mechanism_declared_on=source.id if source is not None and mechanism else None,
        scc_version=source.scc_version if source is not None and mechanism == "scc" else None,
        tia_ref=source.tia_ref if source is not None and basis == "safeguard" else None,
    )
