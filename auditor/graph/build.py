"""Turn the inventory's references into graph edges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from auditor.inventory.loader import Inventory, ref_fields
from auditor.inventory.models import AssetBase

_NONE: list[str] = []


class DataGraph:
    """The edges personal data moves along: `adj[source][target]` holds the edge's attributes.

    The analyses ask only for an asset's successors and for every edge, which a dict of dicts
    answers; importing networkx for it cost 0.2 s, a third of a CI-gate run (the PDF figures
    still use networkx). Order as networkx's DiGraph: nodes as added, then each node's targets
    as first added; an edge added again keeps its place and takes the new attributes.
    """

    __slots__ = ("adj",)

    def __init__(self, nodes: Iterable[str]) -> None:
        self.adj: dict[str, dict[str, dict[str, str]]] = {node: {} for node in nodes}

    def add_edge(self, source: str, target: str, attrs: dict[str, str]) -> None:
        targets = self.adj.setdefault(source, {})
        self.adj.setdefault(target, {})
        targets.setdefault(target, {}).update(attrs)

    def edges(self) -> Iterator[tuple[str, str, dict[str, str]]]:
        for source, targets in self.adj.items():
            for target, attrs in targets.items():
                yield source, target, attrs


@dataclass
class AssetGraph:
    """The inventory's references, indexed both ways per relation, and the data-movement graph.

    `targets`/`sources` answer "what does this asset name under relation R" and the reverse in
    constant time; `data` is the graph of the edges personal data moves along, in the direction
    it moves (edge attribute `rel`).
    """

    inventory: Inventory
    data: DataGraph
    _out: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _in: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def asset(self, asset_id: str) -> AssetBase:
        return self.inventory.assets[asset_id]

    def targets(self, asset_id: str, rel: str) -> list[str]:
        """Assets this one names under `rel`, sorted."""
        return self._out.get(rel, {}).get(asset_id, _NONE)

    def relation(self, rel: str) -> dict[str, list[str]]:
        """Every asset's targets under `rel`, sorted (for loops that would call `targets` per asset)."""
        return self._out.get(rel, {})

    def sources(self, asset_id: str, rel: str) -> list[str]:
        """Assets naming this one under `rel`, sorted."""
        return self._in.get(rel, {}).get(asset_id, _NONE)


def build_graph(inventory: Inventory) -> AssetGraph:
    data = DataGraph(inventory.assets)
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    inn: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for asset_id, asset in inventory.assets.items():
        for spec in ref_fields(type(asset)):
            for target in spec.targets(asset):
                out[spec.rel][asset_id].add(target)
                inn[spec.rel][target].add(asset_id)
                if spec.lineage == "forward":
                    data.add_edge(asset_id, target, {"rel": spec.rel})
                elif spec.lineage == "reverse":
                    data.add_edge(target, asset_id, {"rel": spec.rel})
    return AssetGraph(
        inventory,
        data,
        {rel: {k: sorted(v) for k, v in by.items()} for rel, by in out.items()},
        {rel: {k: sorted(v) for k, v in by.items()} for rel, by in inn.items()},
    )
