"""Turn the inventory's references into graph edges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, TypeVar, cast

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


# How one model's reference fields are read: `read` gives its top-level reference values in one call,
# and each spec says where its value is (an index into them, or -1: nested, read through the spec), whether
# it holds many names, whether its relation is the only one of that name in the model (so an asset's
# list under it starts empty), its lineage direction, both indexes of its relation and its edge attributes.
_Spec = tuple[int, RefField, bool, bool, str | None, dict[str, list[str]], dict[str, list[str]], dict[str, str]]
_Plan = tuple[Callable[[AssetBase], tuple[Any, ...]], list[_Spec]]


def _plan(
    model: type,
    out: dict[str, dict[str, list[str]]],
    inn: dict[str, dict[str, list[str]]],
    rel_attrs: dict[str, dict[str, str]],
) -> _Plan:
    specs = ref_fields(model)
    top = [spec.path[0] for spec in specs if len(spec.path) == 1]
    rels = [spec.rel for spec in specs]
    plan: list[_Spec] = []
    index = 0
    for spec in specs:
        if len(spec.path) == 1:
            at, index = index, index + 1
        else:
            at = -1
        attrs = rel_attrs.setdefault(spec.rel, {"rel": spec.rel})
        unique = rels.count(spec.rel) == 1
        plan.append((at, spec, spec.many, unique, spec.lineage, out[spec.rel], inn[spec.rel], attrs))
    return _reader(top), plan


def _reader(names: list[str]) -> Callable[[AssetBase], tuple[Any, ...]]:
    """The values of `names` on an asset, as a tuple, in one call."""
    if len(names) > 1:
        return attrgetter(*names)
    single = attrgetter(*names) if names else None

    def read(asset: AssetBase) -> tuple[Any, ...]:  # attrgetter of one name gives the value itself
        return (single(asset),) if single is not None else ()

    return read


def build_graph(inventory: Inventory) -> AssetGraph:
    """Both indexes and the data graph in one pass over the references (each model's reference
    fields read in one call; a list is sorted only when it holds more than one name)."""
    data = DataGraph(inventory.assets)
    adj = data.adj
    # One attribute dict per relation, shared by its edges: an edge added again takes the new
    # relation's dict in its place, as `add_edge` would update it (edge attributes are only read).
    rel_attrs: dict[str, dict[str, str]] = {}
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    inn: dict[str, dict[str, list[str]]] = defaultdict(dict)
    unsorted: list[tuple[dict[str, list[str]], str]] = []  # lists of more than one name, sorted at the end
    plans: dict[type, _Plan] = {}
    for asset_id, asset in inventory.assets.items():
        plan = plans.get(type(asset))
        if plan is None:
            plan = plans[type(asset)] = _plan(type(asset), out, inn, rel_attrs)
        read, specs = plan
        values = read(asset)
        for at, spec, many, unique, lineage, out_rel, in_rel, attrs in specs:
            value = values[at] if at >= 0 else spec.value(asset)
            if not value:
                continue  # None, or an empty list or mapping (ids are never empty)
            targets = value if many else (value,)
            if unique:  # the asset's first names under this relation
                names = out_rel[asset_id] = list(targets)
                if len(names) > 1:
                    unsorted.append((out_rel, asset_id))
            else:
                names = out_rel.setdefault(asset_id, [])
                if len(names) == 1 or (not names and len(targets) > 1):
                    unsorted.append((out_rel, asset_id))
                names.extend(targets)
            for target in targets:  # a second name in a list marks it for sorting at the end
                sources = in_rel.get(target)
                if sources is None:
                    in_rel[target] = [asset_id]
                else:
                    if len(sources) == 1:
                        unsorted.append((in_rel, target))
                    sources.append(asset_id)
            if lineage == "forward":
                edges = adj[asset_id]
                for target in targets:
                    edges[target] = attrs
                    adj.setdefault(target, {})
            elif lineage == "reverse":
                for target in targets:
                    adj.setdefault(target, {})[asset_id] = attrs
    for by_asset, key in unsorted:
        by_asset[key] = sorted(set(by_asset[key]))
    return AssetGraph(inventory, data, _used(out), _used(inn))


def _used(by_rel: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """The relations some asset uses (the others were only looked up)."""
    return {rel: by_asset for rel, by_asset in by_rel.items() if by_asset}
