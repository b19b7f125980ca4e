"""Run every analysis once and gather the derived facts per asset, for the rules to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.graph.build import AssetGraph
from auditor.graph.capacity import analyse_capacity, analyse_catalog_coverage
from auditor.graph.exposure import analyse_exposure
from auditor.graph.flows import analyse_flows
from auditor.graph.jurisdiction import analyse_jurisdiction
from auditor.graph.lineage import Lineage, personal_data_facts, trace_lineage
from auditor.graph.organization import analyse_organization
from auditor.graph.power import analyse_power
from auditor.graph.transfers import analyse_transfers


@dataclass
class Facts:
    by_asset: dict[str, dict[str, Any]]
    lineage: Lineage


def derive_facts(graph: AssetGraph, as_of: date) -> Facts:
    places = analyse_jurisdiction(graph, as_of)
    lineage = trace_lineage(graph)
    personal = personal_data_facts(graph, lineage)
    named = {
        "jurisdiction": places,
        "personal_data": personal,
        "transfer": analyse_transfers(graph, lineage, places, personal, as_of),
        "exposure": analyse_exposure(graph),
        "capacity": analyse_capacity(graph),
        "catalog": analyse_catalog_coverage(graph),
        "flow": analyse_flows(graph, personal),
        "power": analyse_power(graph),
    }
    by_asset: dict[str, dict[str, Any]] = {asset_id: {} for asset_id in graph.inventory.assets}
    for name, facts in named.items():
        for asset_id, fact in facts.items():
            by_asset[asset_id][name] = fact
    for asset_id, org_facts in analyse_organization(graph, as_of).items():
        by_asset[asset_id].update(org_facts)
    return Facts(by_asset, lineage)
