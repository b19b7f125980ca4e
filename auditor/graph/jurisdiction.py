"""Where each asset is: its country and that country's GDPR zone at the audit date."""

from __future__ import annotations

from datetime import date
from typing import Any

from auditor.catalog import jurisdictions
from auditor.graph.build import AssetGraph

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
    "flow",
)


def analyse_jurisdiction(graph: AssetGraph, as_of: date) -> dict[str, dict[str, Any]]:
    """Fact `jurisdiction`: country (None when unknown or several), countries, zone, decision."""
    catalog = jurisdictions()
    countries: dict[str, list[str]] = {}
    for kind in _ORDER:
        for asset in graph.inventory.by_kind.get(kind, []):
            if asset.country:
                countries[asset.id] = [asset.country]
                continue
            found: set[str] = set()
            for rel in _PLACED_BY:
                for target in graph.targets(asset.id, rel):
                    found.update(countries.get(target, []))
                if found:
                    break
            countries[asset.id] = sorted(found)
    per_country: dict[str | None, dict[str, Any]] = {
        None: {"zone": None, "adequacy_decision": None, "adequacy_scope": None}
    }
    facts: dict[str, dict[str, Any]] = {}
    for asset_id, places in countries.items():
        country = places[0] if len(places) == 1 else None
        if country is not None and country not in per_country:
            decision = catalog.decision(country, as_of)
            per_country[country] = {
                "zone": catalog.zone(country, as_of),
                "adequacy_decision": decision.decision if decision else None,
                "adequacy_scope": decision.scope if decision else None,
            }
        facts[asset_id] = {"country": country, "countries": places, **per_country[country]}
    return facts
