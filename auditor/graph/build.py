"""Turn the inventory's references into graph edges."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from auditor.inventory.loader import Inventory, ref_fields
from auditor.inventory.models import AssetBase


@dataclass
class AssetGraph:
    """Two views of one inventory.

    `refs` keeps every reference in the direction it was written (edge key = relation);
    `data` keeps only the edges personal data moves along, in the direction it moves.
    """

    inventory: Inventory
    refs: nx.MultiDiGraph
    data: nx.DiGraph

    def asset(self, asset_id: str) -> AssetBase:
        return self.inventory.assets[asset_id]

    def targets(self, asset_id: str, rel: str) -> list[str]:
        return sorted(v for _, v, key in self.refs.out_edges(asset_id, keys=True) if key == rel)

    def sources(self, asset_id: str, rel: str) -> list[str]:
        return sorted(u for u, _, key in self.refs.in_edges(asset_id, keys=True) if key == rel)


def build_graph(inventory: Inventory) -> AssetGraph:
    refs = nx.MultiDiGraph()
    data = nx.DiGraph()
    for asset_id, asset in inventory.assets.items():
        refs.add_node(asset_id, kind=asset.kind)
        data.add_node(asset_id, kind=asset.kind)
    for asset_id, asset in inventory.assets.items():
        for field in ref_fields(type(asset)):
            for target in field.targets(asset):
                refs.add_edge(asset_id, target, key=field.rel)
                if field.lineage == "forward":
                    data.add_edge(asset_id, target, rel=field.rel)
                elif field.lineage == "reverse":
                    data.add_edge(target, asset_id, rel=field.rel)
    return AssetGraph(inventory, refs, data)
