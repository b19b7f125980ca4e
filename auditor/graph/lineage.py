"""Personal-data lineage: which personal datasets reach each asset, and along which path.

Data moves along the `data` view of the graph: from a dataset to where it is stored, to its
copies and backups, through flows to their destinations, into the workloads that read it and
from a training job into the model it writes. Anonymisation stops the spread: an anonymised
dataset, an anonymising flow and a workload whose output is anonymised pass nothing on.
One breadth-first search per personal dataset, so the cost is the reached subgraph per origin.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from auditor.catalog import jurisdictions
from auditor.graph.build import AssetGraph
from auditor.inventory.models import Dataset, Flow, Workload


@dataclass
class Lineage:
    """Origins reaching each asset, with the parent links that rebuild the path."""

    reached: dict[str, set[str]] = field(default_factory=dict)
    unknown: dict[str, set[str]] = field(default_factory=dict)
    parents: dict[tuple[str, str], str] = field(default_factory=dict)

    def path(self, asset_id: str, origin: str) -> list[str]:
        """Asset ids from `origin` to `asset_id` (both included)."""
        path = [asset_id]
        while path[-1] != origin:
            path.append(self.parents[(path[-1], origin)])
        return path[::-1]


def trace_lineage(graph: AssetGraph) -> Lineage:
    lineage = Lineage()
    datasets = graph.inventory.by_kind.get("dataset", [])
    carriers = _carriers(graph)
    for dataset in datasets:
        assert isinstance(dataset, Dataset)
        if dataset.anonymised or dataset.personal_data is False:
            continue
        into = lineage.reached if dataset.personal_data else lineage.unknown
        _spread(graph, dataset.id, carriers.get(dataset.id, {dataset.id}), into, lineage.parents)
    return lineage


def _carriers(graph: AssetGraph) -> dict[str, set[str]]:
    """Each dataset and the datasets derived from it (directly or not) that still carry it."""
    result: dict[str, set[str]] = {}
    for dataset in graph.inventory.by_kind.get("dataset", []):
        seen = {dataset.id}
        queue = deque([dataset.id])
        while queue:
            current = queue.popleft()
            for derived in graph.sources(current, "derived_from"):
                child = graph.asset(derived)
                if derived not in seen and not getattr(child, "anonymised", False):
                    seen.add(derived)
                    queue.append(derived)
        result[dataset.id] = seen
    return result


def _passes(graph: AssetGraph, node: str, origin_carriers: set[str]) -> bool:
    """May data of this origin enter `node`?"""
    asset = graph.asset(node)
    if isinstance(asset, Dataset):
        return not asset.anonymised
    if isinstance(asset, Flow):
        if asset.transformation == "anonymise":
            return False
        return not asset.datasets or bool(origin_carriers.intersection(asset.datasets))
    return True


def _spread(
    graph: AssetGraph,
    origin: str,
    origin_carriers: set[str],
    into: dict[str, set[str]],
    parents: dict[tuple[str, str], str],
) -> None:
    seen = {origin}
    into.setdefault(origin, set()).add(origin)
    queue = deque([origin])
    data = graph.data
    while queue:
        current = queue.popleft()
        current_asset = graph.asset(current)
        blocked_writes = isinstance(current_asset, Workload) and current_asset.output_anonymised
        for nxt, attrs in data.adj[current].items():
            if nxt in seen or (blocked_writes and attrs["rel"] == "writes"):
                continue
            if not _passes(graph, nxt, origin_carriers):
                continue
            seen.add(nxt)
            parents[(nxt, origin)] = current
            into.setdefault(nxt, set()).add(origin)
            queue.append(nxt)


_NO_PERSONAL_DATA: dict[str, Any] = {
    "present": False,
    "origins": [],
    "unknown_origins": [],
    "categories": [],
    "subject_jurisdictions": [],
    "eea_subjects": False,
    "ca_subjects": False,
    "unknown_because": None,
    "ccpa_8115_unredacted": False,
}


def personal_data_facts(graph: AssetGraph, lineage: Lineage) -> dict[str, dict[str, Any]]:
    """Fact `personal_data` for every asset: present (True/False/None when unknown) and what."""
    catalog = jurisdictions()
    facts: dict[str, dict[str, Any]] = {}
    for asset_id in graph.inventory.assets:
        if asset_id not in lineage.reached and asset_id not in lineage.unknown:
            facts[asset_id] = _NO_PERSONAL_DATA
            continue
        origins = sorted(lineage.reached.get(asset_id, ()))
        unknown = sorted(lineage.unknown.get(asset_id, ()))
        datasets = [graph.asset(origin) for origin in origins]
        categories = sorted({c for d in datasets for c in getattr(d, "data_categories", [])})
        regions = sorted({r for d in datasets for r in getattr(d, "subject_jurisdictions", [])})
        present: bool | None = True if origins else (None if unknown else False)
        facts[asset_id] = {
            "present": present,
            "origins": origins,
            "unknown_origins": unknown,
            "categories": categories,
            "subject_jurisdictions": regions,
            "eea_subjects": any(catalog.is_eea(r.split("-")[0]) for r in regions),
            "ca_subjects": "US-CA" in regions,
            "unknown_because": (
                f"personal_data is not declared on dataset(s) {', '.join(unknown)}"
                if present is None
                else None
            ),
            "ccpa_8115_unredacted": any(
                getattr(d, "contains_8115_elements", False) and not getattr(d, "redacted", False)
                for d in datasets
            ),
        }
    return facts
