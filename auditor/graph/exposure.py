"""Internet exposure: what can be reached from the internet, and through which path.

The internet reaches internet-facing networks and assets with a public address or public
access; a network reaches the assets attached to it and the networks it peers with; a
gateway reaches the assets it forwards to. One breadth-first search over the whole graph.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.inventory.models import Compute, Network, Storage

INTERNET = "internet"


@dataclass(slots=True)
class ExposureFact:
    """Whether the internet reaches the asset, and how."""

    internet: bool | None = described("Reachable from the internet (None: a public flag on the way is undeclared).")
    path: list[str] = described("From 'internet' through the networks and gateways to the asset.", factory=list)
    unknown_because: str | None = described("The undeclared input that leaves the answer unknown.")


_CLOSED = ExposureFact(internet=False)


def _entry_points(graph: AssetGraph) -> list[str]:
    """Public networks, stores and nodes, in inventory order (the search's order: paths depend on it)."""
    public = {a.id for a in graph.of_kind(Network) if a.internet_facing or a.type == "internet"}
    public.update(a.id for a in graph.of_kind(Storage) if a.public_access)
    public.update(a.id for a in graph.of_kind(Compute) if a.public_ip)
    return [asset_id for asset_id in graph.inventory.assets if asset_id in public]


def _next_hops(graph: AssetGraph, asset_id: str) -> Sequence[str]:
    if graph.asset(asset_id).kind == "network":
        return sorted(
            {
                *graph.targets(asset_id, "connects"),
                *graph.sources(asset_id, "attached_to"),
                *graph.targets(asset_id, "peers"),
                *graph.sources(asset_id, "peers"),
            }
        )
    return graph.targets(asset_id, "forwards_to")


def analyse_exposure(graph: AssetGraph) -> dict[str, ExposureFact]:
    """Fact `exposure` for every asset."""
    parents: dict[str, str] = {}
    queue: deque[str] = deque()
    for entry in _entry_points(graph):
        parents[entry] = INTERNET
        queue.append(entry)
    while queue:
        current = queue.popleft()
        for nxt in _next_hops(graph, current):
            if nxt not in parents:
                parents[nxt] = current
                queue.append(nxt)
    undeclared = {a.id: _UNKNOWN["public_access"] for a in graph.of_kind(Storage) if a.public_access is None}
    undeclared.update((a.id, _UNKNOWN["public_ip"]) for a in graph.of_kind(Compute) if a.public_ip is None)
    facts: dict[str, ExposureFact] = {}
    for asset_id in graph.inventory.assets:
        if asset_id in parents:
            path = [asset_id]
            while path[-1] != INTERNET:
                path.append(parents[path[-1]])
            facts[asset_id] = ExposureFact(internet=True, path=path[::-1])
            continue
        facts[asset_id] = undeclared.get(asset_id, _CLOSED)
    return facts


# One fact per undeclared flag, shared by every asset that leaves it undeclared (facts are only read).
_UNKNOWN = {
    flag: ExposureFact(internet=None, unknown_because=f"{flag} is not declared")
    for flag in ("public_access", "public_ip")
}
