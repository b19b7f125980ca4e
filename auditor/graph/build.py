"""Turn the inventory's references into graph edges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, TypeVar, cast

from auditor.inventory.loader import Inventory, RefField, ref_fields
from auditor.inventory.models import AssetBase

_NONE: tuple[str, ...] = ()
_NO_EDGES: list[int] = []
_NO_RELS: list[str] = []
_NO_ASSETS: list[AssetBase] = []
A = TypeVar("A", bound=AssetBase)


class DataGraph:
    """The edges personal data moves along, over the assets numbered in inventory order: `targets[n]`
    holds the numbers of the assets asset n's data moves to and `rels[n]` each edge's relation.

    Lineage runs one search per personal dataset over these edges; lists of ints and flag arrays
    indexed by number keep its reads close together in memory, where dicts keyed by string ids
    made every step a hash lookup into tables of a million entries (bench/README.md, "The graph on
    numbered assets": the search alone 3.8 -> 2.4 s at 1M assets). Not networkx: importing it cost
    0.2 s, a third of a CI-gate run (the PDF figures still use it). Order as its DiGraph gave it:
    each asset's targets as first added; an edge added again keeps its place and takes the new relation.
    """

    __slots__ = ("ids", "index", "rels", "targets")

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.index = {asset_id: number for number, asset_id in enumerate(ids)}
        # An asset without edges shares one empty list, which only build_graph replaces, never extends.
        self.targets: list[list[int]] = [_NO_EDGES] * len(ids)
        self.rels: list[list[str]] = [_NO_RELS] * len(ids)

    def edges(self) -> Iterator[tuple[str, str, str]]:
        """(source id, target id, relation) of every edge, in order."""
        ids = self.ids
        for source, (targets, rels) in enumerate(zip(self.targets, self.rels, strict=True)):
            for target, rel in zip(targets, rels, strict=True):
                yield ids[source], ids[target], rel


@dataclass
class AssetGraph:
    """The inventory's references, indexed both ways per relation, and the data-movement graph.

    `targets`/`sources` answer "what does this asset name under relation R" and the reverse in
    constant time; a relation's reverse index is made when it is first asked for (the analyses and
    rules ask for a few relations: at 100k declared assets, 7 of the 19 the inventory uses, 77k of
    its 203k references). `data` is the graph of the edges personal data moves along, in the
    direction it moves. The name lists are read-only sequences: a field's own list where it already
    is the answer, a tuple for a single name, a list of the graph's own only where names are
    combined or sorted (no copy per reference: 129 MB less at 1M assets, bench/README.md, 7
    December, 23:53 run).
    """

    inventory: Inventory
    data: DataGraph
    _out: dict[str, dict[str, Sequence[str]]] = field(default_factory=dict)
    _in: dict[str, dict[str, Sequence[str]]] = field(default_factory=dict)

    def asset(self, asset_id: str) -> AssetBase:
        return self.inventory.assets[asset_id]

    def of_kind(self, model: type[A]) -> list[A]:
        """The inventory's assets of `model`'s kind, in inventory order: loops over one kind read this
        rather than test `isinstance` per asset (a loaded asset is a struct, matched by a metaclass hook)."""
        return cast(list[A], self.inventory.by_kind.get(model.kind, _NO_ASSETS))

    def targets(self, asset_id: str, rel: str) -> Sequence[str]:
        """Assets this one names under `rel`, sorted."""
        return self._out.get(rel, {}).get(asset_id, _NONE)

    def relation(self, rel: str) -> dict[str, Sequence[str]]:
        """Every asset's targets under `rel`, sorted (for loops that would call `targets` per asset)."""
        return self._out.get(rel, {})

    def sources(self, asset_id: str, rel: str) -> Sequence[str]:
        """Assets naming this one under `rel`, sorted."""
        by_target = self._in.get(rel)
        if by_target is None:
            by_target = self._in[rel] = _reversed(self._out.get(rel, {}))
        return by_target.get(asset_id, _NONE)


def _reversed(by_source: dict[str, Sequence[str]]) -> dict[str, Sequence[str]]:
    """Each target's sources under one relation, sorted and once each (a single source as a tuple)."""
    found: dict[str, Sequence[str]] = {}
    several: list[str] = []
    for source, targets in by_source.items():
        for target in targets:
            sources = found.get(target)
            if sources is None:
                found[target] = (source,)
            elif len(sources) == 1:
                found[target] = [sources[0], source]
                several.append(target)
            else:
                cast(list[str], sources).append(source)
    for target in several:
        found[target] = sorted(set(found[target]))
    return found


# How one model's reference fields are read: `read` gives its top-level reference values in one call,
# and each spec says where its value is (an index into them, or -1: nested, read through the spec), whether
# it holds many names, whether its relation is the only one of that name in the model (so an asset's
# list under it starts empty), its lineage direction, its relation's index and the relation's name.
_Spec = tuple[int, RefField, bool, bool, str | None, dict[str, Sequence[str]], str]
_Plan = tuple[Callable[[AssetBase], tuple[Any, ...]], list[_Spec]]


def _plan(model: type, out: dict[str, dict[str, Sequence[str]]]) -> _Plan:
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
        unique = rels.count(spec.rel) == 1
        plan.append((at, spec, spec.many, unique, spec.lineage, out[spec.rel], spec.rel))
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
    """The targets' index and the data graph in one pass over the references (each model's reference
    fields read in one call; a list is sorted only when it holds more than one name)."""
    data = DataGraph(list(inventory.assets))
    index, targets_of, rels_of = data.index, data.targets, data.rels
    several: list[int] = []  # assets given a second data edge: an edge may have been added twice
    out: dict[str, dict[str, Sequence[str]]] = defaultdict(dict)
    unsorted: list[tuple[dict[str, Sequence[str]], str]] = []  # lists of more than one name, sorted at the end
    plans: dict[type, _Plan] = {}
    for number, (asset_id, asset) in enumerate(inventory.assets.items()):
        plan = plans.get(type(asset))
        if plan is None:
            plan = plans[type(asset)] = _plan(type(asset), out)
        read, specs = plan
        values = read(asset)
        for at, spec, many, unique, lineage, out_rel, rel in specs:
            value = values[at] if at >= 0 else spec.value(asset)
            if not value:
                continue  # None, or an empty list or mapping (ids are never empty)
            # The asset's own list is shared (the graph's lists are only read); a mapping names assets by its keys.
            targets = (list(value) if type(value) is dict else value) if many else (value,)
            if unique:  # the asset's first names under this relation
                out_rel[asset_id] = targets
                if len(targets) > 1:
                    unsorted.append((out_rel, asset_id))
            else:  # several fields name this relation: their names in one list of the graph's own
                names = out_rel.get(asset_id)
                if names is None:
                    out_rel[asset_id] = targets
                    if len(targets) > 1:
                        unsorted.append((out_rel, asset_id))
                else:
                    if len(names) == 1:
                        unsorted.append((out_rel, asset_id))
                    out_rel[asset_id] = [*names, *targets]
            if lineage is not None:  # data moves to the target ("forward") or from it
                for target in targets:
                    source, end = (number, index[target]) if lineage == "forward" else (index[target], number)
                    edges = targets_of[source]
                    if edges is _NO_EDGES:
                        targets_of[source] = [end]
                        rels_of[source] = [rel]
                    else:
                        if len(edges) == 1:
                            several.append(source)
                        edges.append(end)
                        rels_of[source].append(rel)
    for by_asset, key in unsorted:
        by_asset[key] = sorted(set(by_asset[key]))
    for source in several:
        edges = targets_of[source]
        if len(set(edges)) < len(edges):  # a dict keeps each key's first place and its last value
            last = dict(zip(edges, rels_of[source], strict=True))
            targets_of[source], rels_of[source] = list(last), list(last.values())
    return AssetGraph(inventory, data, _used(out))


def _used(by_rel: dict[str, dict[str, Sequence[str]]]) -> dict[str, dict[str, Sequence[str]]]:
    """The relations some asset uses (the others were only looked up)."""
    return {rel: by_asset for rel, by_asset in by_rel.items() if by_asset}
