"""Turn the inventory's references into graph edges."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from auditor.inventory.loader import Inventory, ref_fields
from auditor.inventory.models import AssetBase

_NONE: list[str] = []


@dataclass
class AssetGraph:
    """The inventory's references, indexed both ways per relation, and the data-movement graph.

    `targets`/`sources` answer "what does this asset name under relation R" and the reverse in
    constant time; `data` is a networkx DiGraph of the edges personal data moves along, in the
    direction it moves (edge attribute `rel`).
    """

    inventory: Inventory
    data: nx.DiGraph
    _out: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _in: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def asset(self, asset_id: str) -> AssetBase:
        return self.inventory.assets[asset_id]

    def targets(self, asset_id: str, rel: str) -> list[str]:
        """Assets this one names under `rel`, sorted."""
        return self._out.get(rel, {}).get(asset_id, _NONE)

    def sources(self, asset_id: str, rel: str) -> list[str]:
        """Assets naming this one under `rel`, sorted."""
        return self._in.get(rel, {}).get(asset_id, _NONE)


def build_graph(inventory: Inventory) -> AssetGraph:
    data = nx.DiGraph()
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    inn: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    data.add_nodes_from((asset_id, {"kind": a.kind}) for asset_id, a in inventory.assets.items())
    data_edges = []
    for asset_id, asset in inventory.assets.items():
        for spec in ref_fields(type(asset)):
            for target in spec.targets(asset):
                out[spec.rel][asset_id].add(target)
                inn[spec.rel][target].add(asset_id)
                if spec.lineage == "forward":
                    data_edges.append((asset_id, target, {"rel": spec.rel}))
                elif spec.lineage == "reverse":
                    data_edges.append((target, asset_id, {"rel": spec.rel}))
    data.add_edges_from(data_edges)
    return AssetGraph(
        inventory,
        data,
        {rel: {k: sorted(v) for k, v in by.items()} for rel, by in out.items()},
        {rel: {k: sorted(v) for k, v in by.items()} for rel, by in inn.items()},
    )
