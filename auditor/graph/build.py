"""Turn the inventory's references into graph edges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar, cast

from auditor.inventory.loader import Inventory, RefField, ref_fields
from auditor.inventory.models import AssetBase

_NONE: list[str] = []
_NO_ASSETS: list[AssetBase] = []
A = TypeVar("A", bound=AssetBase)


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

    def of_kind(self, model: type[A]) -> list[A]:
        """The inventory's assets of `model`'s kind, in inventory order: loops over one kind read this
        rather than test `isinstance` per asset (a loaded asset is a struct, matched by a metaclass hook)."""
        return cast(list[A], self.inventory.by_kind.get(model.kind, _NO_ASSETS))

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
    """Both indexes and the data graph in one pass over the references (each model's reference
    fields looked up once; a list is sorted only when it holds more than one name)."""
    data = DataGraph(inventory.assets)
    adj = data.adj
    # One attribute dict per relation, shared by its edges: an edge added again takes the new
    # relation's dict in its place, as `add_edge` would update it (edge attributes are only read).
    rel_attrs: dict[str, dict[str, str]] = {}
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    inn: dict[str, dict[str, list[str]]] = defaultdict(dict)
    unsorted: list[tuple[dict[str, list[str]], str]] = []  # lists of more than one name, sorted at the end
    specs_of: dict[type, list[tuple[RefField, str | None, dict[str, list[str]], dict[str, list[str]], dict[str, str]]]]
    specs_of = {}
    for asset_id, asset in inventory.assets.items():
        specs = specs_of.get(type(asset))
        if specs is None:
            specs = specs_of[type(asset)] = [
                (
                    spec,
                    spec.path[0] if len(spec.path) == 1 else None,  # a top-level field: read it directly
                    out[spec.rel],
                    inn[spec.rel],
                    rel_attrs.setdefault(spec.rel, {"rel": spec.rel}),
                )
                for spec in ref_fields(type(asset))
            ]
        for spec, name, out_rel, in_rel, attrs in specs:
            if name is None:
                targets: Iterable[str] = spec.targets(asset)
            else:
                value = getattr(asset, name)
                if not value:
                    continue  # None, or an empty list or mapping (ids are never empty)
                targets = value if spec.many else (value,)
            for target in targets:  # a second name in a list marks it for sorting at the end
                names = out_rel.get(asset_id)
                if names is None:
                    out_rel[asset_id] = [target]
                else:
                    if len(names) == 1:
                        unsorted.append((out_rel, asset_id))
                    names.append(target)
                names = in_rel.get(target)
                if names is None:
                    in_rel[target] = [asset_id]
                else:
                    if len(names) == 1:
                        unsorted.append((in_rel, target))
                    names.append(asset_id)
                if spec.lineage == "forward":
                    adj[asset_id][target] = attrs
                    adj.setdefault(target, {})
                elif spec.lineage == "reverse":
                    adj.setdefault(target, {})[asset_id] = attrs
    for by_asset, key in unsorted:
        by_asset[key] = sorted(set(by_asset[key]))
    return AssetGraph(inventory, data, _used(out), _used(inn))


def _used(by_rel: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """The relations some asset uses (the others were only looked up)."""
    return {rel: by_asset for rel, by_asset in by_rel.items() if by_asset}
