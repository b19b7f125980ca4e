"""Internet exposure: what can be reached from the internet, and through which path.

The internet reaches internet-facing networks and assets with a public address or public
access; a network reaches the assets attached to it and the networks it peers with; a
gateway reaches the assets it forwards to. One breadth-first search over the whole graph.
"""

from __future__ import annotations

from collections import deque
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
    entries = []
    for asset_id, asset in graph.inventory.assets.items():
        public_network = isinstance(asset, Network) and (asset.internet_facing or asset.type == "internet")
        public_store = isinstance(asset, Storage) and asset.public_access
        public_node = isinstance(asset, Compute) and asset.public_ip
        if public_network or public_store or public_node:
            entries.append(asset_id)
    return entries


def _next_hops(graph: AssetGraph, asset_id: str) -> list[str]:
    asset = graph.asset(asset_id)
    if isinstance(asset, Network):
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
    facts: dict[str, ExposureFact] = {}
    for asset_id, asset in graph.inventory.assets.items():
        if asset_id in parents:
            path = [asset_id]
            while path[-1] != INTERNET:
                path.append(parents[path[-1]])
            facts[asset_id] = ExposureFact(internet=True, path=path[::-1])
            continue
        unknown_flag = (
            "public_access"
            if isinstance(asset, Storage) and asset.public_access is None
            else "public_ip"
            if isinstance(asset, Compute) and asset.public_ip is None
            else None
        )
        facts[asset_id] = _UNKNOWN[unknown_flag] if unknown_flag else _CLOSED
    return facts


# One fact per undeclared flag, shared by every asset that leaves it undeclared (facts are only read).
_UNKNOWN = {
    flag: ExposureFact(internet=None, unknown_because=f"{flag} is not declared")
    for flag in ("public_access", "public_ip")
}
