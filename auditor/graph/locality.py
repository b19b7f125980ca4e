"""Where a job's data is against where its GPUs are.

A dataset is remote when none of the stores holding it is at a site the job's nodes are at. Its
bytes then cross a WAN: the link is a network of type wan or vpn (or internet) whose `connects`
or `peers` names both sites (or assets or networks at them); its declared bandwidth bounds the
job's read rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.graph.build import AssetGraph
from auditor.inventory.models import Compute, Dataset, Network

WAN_TYPES = frozenset({"wan", "vpn", "internet"})


@dataclass(frozen=True, slots=True)
class Locality:
    remote_datasets: list[str] = field(default_factory=list)
    reads_remote: bool | None = None
    wan_gbytes_s: float | None = None


def _site(graph: AssetGraph, asset_id: str) -> str | None:
    asset = graph.asset(asset_id)
    if getattr(asset, "kind", None) == "site":
        return asset_id
    direct = getattr(asset, "site", None)
    if direct is not None:
        return str(direct)
    for cluster in graph.targets(asset_id, "member_of"):
        return _site(graph, cluster)
    return None


def data_locality(graph: AssetGraph, nodes: list[Compute], datasets: list[Dataset]) -> Locality:
    job_sites = {_site(graph, node.id) for node in nodes}
    if not datasets:
        return Locality(reads_remote=False)
    if not nodes or None in job_sites:
        return Locality()
    remote: list[str] = []
    store_sites: set[str | None] = set()
    for dataset in datasets:
        sites = {_site(graph, store) for store in dataset.stored_in}
        if not sites or None in sites:
            return Locality()
        if not sites & job_sites:
            remote.append(dataset.id)
            store_sites |= sites
    if not remote:
        return Locality(reads_remote=False)
    return Locality(remote, True, _wan_gbytes_s(graph, job_sites, store_sites))  # type: ignore[arg-type]


def _wan_gbytes_s(graph: AssetGraph, job_sites: set[str], store_sites: set[str]) -> float | None:
    """The fastest declared link per pair of sites, and the slowest of those pairs, GB/s."""
    links = [
        network
        for network in graph.inventory.by_kind.get("network", [])
        if isinstance(network, Network) and network.type in WAN_TYPES
    ]
    slowest: float | None = None
    for job_site in job_sites:
        for store_site in store_sites:
            rates = [
                n.gbps / 8
                for n in links
                if n.gbps is not None and {job_site, store_site} <= {_site(graph, c) for c in (*n.connects, *n.peers)}
            ]
            if not rates:
                return None
            slowest = max(rates) if slowest is None else min(slowest, max(rates))
    return slowest
