"""What one node brings to a job: GPUs, their memory, scale-up domain and scale-out network.

The inventory's figures win; where it is silent the accelerator and cloud-instance catalogs fill
in (an instance type names its GPUs, NICs and GPUDirect mode; an accelerator its NVLink domain).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from auditor.catalog import find_accelerator, instances
from auditor.graph.build import AssetGraph
from auditor.inventory.models import Cluster, Compute

RDMA_FABRICS = frozenset({"infiniband", "roce", "efa"})
# EFA NICs: GPUDirect RDMA only on P-class instances, so a bare EFA NIC leaves it unknown.
GPU_DIRECT_BY_FABRIC = {"infiniband": "rdma", "roce": "rdma", "tcpx": "tcpx", "tcpxo": "tcpx", "ethernet": "none"}
# PCIe x16 throughput per direction by generation, GB/s (ml-engineering network notes, R9).
PCIE_GBYTES_S_UNIDIR = {"3": 16, "4": 31, "5": 63, "6": 126}


@dataclass(frozen=True, slots=True)
class NodeProfile:
    gpu_model: str | None
    spec: dict[str, Any] | None
    gpus: int | None
    gpu_memory_gb: float | None
    network_gbps: float | None
    rdma: bool | None
    gpu_direct: str | None
    scaleup_domain: int | None
    scaleup_gbytes_s_unidir: float | None
    nvme_tb: float | None


def profile_key(node: Compute, cluster: Cluster | None) -> tuple[object, ...]:
    """Everything `node_profile` reads: nodes with equal keys have equal profiles (the nested
    accelerator, NIC and fabric entries are frozen and compare by value; numbers load as floats)."""
    return (
        node.instance_type,
        node.accelerator,
        tuple(node.nics),
        node.gpu_direct,
        node.local_nvme_tb,
        node.nvlink_domain_gpus,
        node.nvlink_bridge,
        None if cluster is None else (cluster.fabric, cluster.nvlink_domain_gpus),
    )


def node_profile(node: Compute, cluster: Cluster | None) -> NodeProfile:
    """What `node` (a member of `cluster`, see `cluster_of`) brings to a job."""
    instance = instances().get(node.instance_type or "")
    model = node.accelerator.model if node.accelerator else (instance or {}).get("gpu_model")
    spec = find_accelerator(model) if model else None
    gpus = node.accelerator.count if node.accelerator else (instance or {}).get("gpu_count")
    memory = (node.accelerator.memory_gb if node.accelerator else None) or (
        spec["memory_gb"] if spec else (instance or {}).get("gpu_memory_gb")
    )
    compute_nics = [nic for nic in node.nics if nic.purpose == "compute"]
    network: float | None
    rdma: bool | None
    gpu_direct: str | None
    if compute_nics:
        network = sum(nic.gbps * nic.count for nic in compute_nics)
        rdma = any(nic.rdma or (nic.rdma is None and nic.fabric in RDMA_FABRICS) for nic in compute_nics)
        gpu_direct = _strongest(GPU_DIRECT_BY_FABRIC.get(nic.fabric) for nic in compute_nics)
    elif instance is not None:
        network, rdma, gpu_direct = instance["network_gbps"], instance["rdma"], instance["gpu_direct"]
    elif cluster is not None and cluster.fabric is not None:
        fabric = cluster.fabric
        network = fabric.gbps_per_gpu * gpus if fabric.gbps_per_gpu is not None and gpus else None
        rdma = fabric.rdma if fabric.rdma is not None else fabric.type in RDMA_FABRICS
        gpu_direct = fabric.gpu_direct or GPU_DIRECT_BY_FABRIC.get(fabric.type)
    else:
        network, rdma, gpu_direct = None, None, None
    if cluster is not None and cluster.fabric is not None and cluster.fabric.gpu_direct is not None:
        gpu_direct = cluster.fabric.gpu_direct
    nvme_tb = node.local_nvme_tb
    if nvme_tb is None and instance is not None and instance.get("local_nvme_gb") is not None:
        nvme_tb = instance["local_nvme_gb"] / 1000
    return NodeProfile(
        gpu_model=model,
        spec=spec,
        gpus=gpus,
        gpu_memory_gb=memory,
        network_gbps=network,
        rdma=rdma,
        gpu_direct=node.gpu_direct or gpu_direct,
        scaleup_domain=scaleup_domain(spec, gpus, node, cluster),
        scaleup_gbytes_s_unidir=_scaleup_unidir(spec, node),
        nvme_tb=nvme_tb,
    )


def cluster_of(graph: AssetGraph, node: Compute) -> Cluster | None:
    for cluster_id in graph.targets(node.id, "member_of"):
        asset = graph.asset(cluster_id)
        if asset.kind == "cluster":
            return cast(Cluster, asset)
    return None


def _strongest(modes: Any) -> str | None:
    found = set(modes)
    for mode in ("rdma", "tcpx"):
        if mode in found:
            return mode
    return None if None in found else "none"


def scaleup_domain(spec: dict[str, Any] | None, gpus: int | None, node: Compute, cluster: Cluster | None) -> int | None:
    """GPUs one NVLink/NVSwitch, xGMI or ICI domain joins: declared, else the catalog's system.

    board: every GPU of the node's HGX/OAM board (up to the board's size); rack: GB200 NVL72, 72 GPUs
    across trays; bridge: a pair, only when the node declares the bridge fitted; pod: a TPU ICI slice.
    """
    declared = node.nvlink_domain_gpus or (cluster.nvlink_domain_gpus if cluster else None)
    if declared is not None:
        return declared
    if spec is None or gpus is None:
        return None
    scope, size = spec["scaleup_scope"], spec["scaleup_domain_gpus"]
    if scope == "board":
        return min(size, gpus)
    if scope == "bridge":
        return min(size, gpus) if node.nvlink_bridge else 1
    if scope in ("rack", "pod"):
        return int(size)
    return 1


def _scaleup_unidir(spec: dict[str, Any] | None, node: Compute) -> float | None:
    """Per-direction GB/s between GPUs of a node: NVLink-class links, else their PCIe slot."""
    if spec is None:
        return None
    link = spec.get("scaleup_gbytes_s_bidir")
    bridged = spec["scaleup_scope"] != "bridge" or node.nvlink_bridge
    if link and spec["scaleup_scope"] != "none" and bridged:
        return float(link) / 2
    generation = re.match(r"PCIe(\d)", str(spec.get("host_link", "")))
    return float(PCIE_GBYTES_S_UNIDIR[generation.group(1)]) if generation else None
