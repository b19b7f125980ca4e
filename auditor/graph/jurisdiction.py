"""Where each asset is: its country and that country's GDPR zone at the audit date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from auditor.catalog import Jurisdictions, jurisdictions
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.inventory.loader import ref_fields
from auditor.inventory.models import MODEL_BY_KIND

# Relations followed, in order, to find the country of an asset that does not state one.
_PLACED_BY = ("located_at", "member_of", "runs_on", "stored_in", "to", "operated_by")
# Kinds resolved before the kinds that lean on them.
_ORDER = (
    "organization",
    "vendor",
    "site",
    "cluster",
    "compute",
    "network",
    "storage",
    "workload",
    "dataset",
    "collection_point",
    "flow",
)


@dataclass(slots=True)
class JurisdictionFact:
    """Where an asset is, and that place's GDPR zone at the audit date."""

    country: str | None = described("The one country of the asset (None when unknown or several).")
    countries: list[str] = described(
        "Every country found for the asset (its own, or through its site, cluster, host...).", factory=list
    )
    zone: str | None = described(
        "GDPR zone of the country at the audit date: eea, adequate (an adequacy decision or, for the UK"
        " from 2021-01-01 to 2021-06-27, the TCA bridge) or third_country."
    )
    adequacy_decision: str | None = described("The adequacy decision (or TCA bridge) in force for the country, if any.")
    adequacy_scope: str | None = described(
        "Limit of that decision: safe_harbor, privacy_shield, dpf (certified US recipients only), pipeda, appi, pipa."
    )
    eea_basis: str | None = described(
        "Why the country is EEA at the audit date: EU member state, EEA EFTA state or the UK's transition period."
    )


def analyse_jurisdiction(graph: AssetGraph, as_of: date) -> dict[str, JurisdictionFact]:
    """Fact `jurisdiction` for every asset, in inventory order (assets in the same places share one fact)."""
    catalog = jurisdictions()
    countries: dict[str, tuple[str, ...]] = dict.fromkeys(graph.inventory.assets, ())  # in inventory order
    for kind in _ORDER:
        own = {spec.rel for spec in ref_fields(MODEL_BY_KIND[kind])}  # the relations this kind can name
        placed_by = [graph.relation(rel) for rel in _PLACED_BY if rel in own]
        for asset in graph.inventory.by_kind.get(kind, []):
            if asset.country:
                countries[asset.id] = (asset.country,)
                continue
            found: set[str] = set()
            for targets in placed_by:
                for target in targets.get(asset.id, ()):
                    found.update(countries.get(target, ()))
                if found:
                    break
            countries[asset.id] = tuple(sorted(found))
    shared: dict[tuple[str, ...], JurisdictionFact] = {}
    facts: dict[str, JurisdictionFact] = {}
    for asset_id, places in countries.items():
        fact = shared.get(places)
        if fact is None:
            fact = shared[places] = _placed(catalog, list(places), as_of)
        facts[asset_id] = fact
    return facts


def _placed(catalog: Jurisdictions, places: list[str], as_of: date) -> JurisdictionFact:
    country = places[0] if len(places) == 1 else None
    if country is None:
        return JurisdictionFact(None, places)
    decision = catalog.decision(country, as_of)
    membership = catalog.membership(country, as_of)
    return JurisdictionFact(
        country,
        places,
        catalog.zone(country, as_of),
        decision.decision if decision else None,
        decision.scope if decision else None,
        membership.basis if membership else None,
    )
