"""The structural lever of issue 14, measured on one analysis: lineage over numbered assets.

`python -m bench.lineage_numbered INVENTORY.json [RUNS]` traces personal-data lineage twice: with
auditor.graph.lineage.trace_lineage (string ids, dicts and sets keyed by them), and with the same
search over assets numbered in graph order (lists of ints for the edges, bytearrays for the gates,
a list per asset for the origins reaching it). It checks that both find the same origins, raw
origins and undeclared origins for every asset, and prints the seconds of each (median of RUNS,
default 3, collector off) and of numbering the graph. The numbering is paid once; in the structural
design the graph would be built numbered rather than converted.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections import deque
from pathlib import Path
from typing import cast

from auditor.graph.build import AssetGraph, build_graph
from auditor.graph.lineage import _declares_raw, _Gates, origin_datasets, trace_lineage
from auditor.inventory.loader import load_inventory
from auditor.inventory.models import Dataset, Flow

Origins = list[list[int] | None]


class Numbered:
    """The data graph with assets as their index in graph order, and each asset's gates as flags."""

    def __init__(self, graph: AssetGraph) -> None:
        self.ids = list(graph.data.adj)
        self.index = {asset_id: at for at, asset_id in enumerate(self.ids)}
        index = self.index
        self.targets = [[index[target] for target in targets] for targets in graph.data.adj.values()]
        self.writes = [[attrs["rel"] == "writes" for attrs in targets.values()] for targets in graph.data.adj.values()]
        gates = _Gates(graph)
        self.blocked, self.masking, self.writers = (bytearray(len(self.ids)) for _ in range(3))
        for flags, members in (
            (self.blocked, gates.blocked),
            (self.masking, gates.masking),
            (self.writers, gates.anonymising_writers),
        ):
            for asset_id in members:
                flags[index[asset_id]] = 1
        self.filters = {index[flow]: carried for flow, carried in gates.filters.items()}


def numbered_lineage(graph: AssetGraph, numbered: Numbered) -> tuple[Origins, Origins, Origins]:
    """Origins (reached, raw, unknown) per asset index, as trace_lineage finds them."""
    size = len(numbered.ids)
    reached: Origins = [None] * size
    raw_of: Origins = [None] * size
    unknown: Origins = [None] * size
    links: list[dict[int, int]] = []  # kept, as trace_lineage keeps its parents
    for dataset, personal, origin_carriers, declared_by in origin_datasets(graph):
        into = reached if personal else unknown
        links.append(
            _spread(graph, numbered, dataset, origin_carriers, declared_by, into, raw_of if personal else None)
        )
    return reached, raw_of, unknown


def _spread(
    graph: AssetGraph,
    numbered: Numbered,
    dataset: Dataset,
    origin_carriers: set[str],
    declared_by: list[str],
    into: Origins,
    raw_of: Origins | None,
) -> dict[int, int]:
    """lineage._spread over indexes: breadth-first from the dataset, then from each flow declaring it
    that was not reached; a node is visited again only to upgrade it to a raw arrival. Returns the
    parent links, as the original keeps them."""
    index, targets, writes = numbered.index, numbered.targets, numbered.writes
    blocked, masking, writers, filters = numbered.blocked, numbered.masking, numbered.writers, numbered.filters
    origin = index[dataset.id]
    start_raw = not dataset.pseudonymised
    seen: dict[int, bool] = {origin: start_raw}  # asset -> arrived raw
    parents: dict[int, int] = {}
    _add(into, origin, origin)
    if start_raw and raw_of is not None:
        _add(raw_of, origin, origin)
    queue: deque[tuple[int, bool]] = deque([(origin, start_raw)])

    def visit(nxt: int, parent: int, raw: bool, earlier: bool | None) -> None:
        if blocked[nxt]:
            return
        carried = filters.get(nxt)
        if carried is not None and origin_carriers.isdisjoint(carried):
            return
        arrives_raw = raw and not masking[nxt]
        if earlier is None:
            _add(into, nxt, origin)
        seen[nxt] = arrives_raw
        parents[nxt] = parent
        if arrives_raw and raw_of is not None:
            _add(raw_of, nxt, origin)
        queue.append((nxt, arrives_raw))

    def drain() -> None:
        while queue:
            current, raw = queue.popleft()
            blocked_writes = writers[current]
            for nxt, is_write in zip(targets[current], writes[current], strict=True):
                if blocked_writes and is_write:
                    continue
                earlier = seen.get(nxt)
                if earlier is True or (earlier is False and not raw):
                    continue
                visit(nxt, current, raw, earlier)

    drain()
    for flow_id in declared_by:
        if index[flow_id] not in seen:
            flow = cast(Flow, graph.asset(flow_id))
            visit(index[flow_id], origin, start_raw and _declares_raw(graph, flow, dataset.id, origin_carriers), None)
    drain()
    return parents


def _add(origins: Origins, at: int, origin: int) -> None:
    found = origins[at]
    if found is None:
        origins[at] = [origin]
    else:
        found.append(origin)


def same_origins(by_id: dict[str, set[str]], by_index: Origins, ids: list[str]) -> bool:
    from_index = {ids[at]: {ids[o] for o in found} for at, found in enumerate(by_index) if found}
    return from_index == {asset_id: origins for asset_id, origins in by_id.items() if origins}


def main() -> None:
    inventory, runs = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3
    gc.disable()
    graph = build_graph(load_inventory([inventory]))
    started = time.perf_counter()
    numbered = Numbered(graph)
    numbering = time.perf_counter() - started
    times: dict[str, list[float]] = {"string ids": [], "numbered": []}
    for _ in range(runs):  # alternated
        started = time.perf_counter()
        lineage = trace_lineage(graph)
        times["string ids"].append(time.perf_counter() - started)
        started = time.perf_counter()
        reached, raw, unknown = numbered_lineage(graph, numbered)
        times["numbered"].append(time.perf_counter() - started)
    ids = numbered.ids
    same = all(
        same_origins(by_id, by_index, ids)
        for by_id, by_index in ((lineage.reached, reached), (lineage.raw, raw), (lineage.unknown, unknown))
    )
    pairs = sum(len(found) for found in reached if found)
    print(f"{len(ids)} assets, {pairs} (asset, origin) pairs reached; same origins, raw and unknown: {same}")
    for name, seconds in times.items():
        print(f"{name:10} median {statistics.median(seconds):.3f} s ({', '.join(f'{s:.3f}' for s in seconds)})")
    print(f"numbering the graph: {numbering:.3f} s")


if __name__ == "__main__":
    main()
