"""Capacity figures per workload: GPUs, GPU memory, network per GPU, model-state sharding.

Hardware comes from the compute entries a workload runs on (a cluster stands for its member
nodes), filled in from the accelerator and cloud-instance catalogs where the inventory is
silent. The rules compare these figures; the analysis only gathers them.
"""

from __future__ import annotations

import math
from typing import Any

from auditor.catalog import find_accelerator, instances
from auditor.graph.build import AssetGraph
from auditor.inventory.models import Cluster, Compute, Workload

RDMA_FABRICS = frozenset({"infiniband", "roce", "efa", "tcpx", "tcpxo"})
# ZeRO stage -> bytes per parameter kept on every GPU whatever the data-parallel degree
# (fp16 weights 2 + fp16 gradients 2); the rest of the model state is divided (Rajbhandari et al.).
REPLICATED_BYTES = {"none": 0, "zero1": 4, "zero2": 2, "zero3": 0, "fsdp": 0}


def node_profile(graph: AssetGraph, node: Compute) -> dict[str, Any]:
    """GPU model, count, memory and scale-out network of one node, catalog-completed."""
    instance = instances().get(node.instance_type or "")
    model = node.accelerator.model if node.accelerator else (instance or {}).get("gpu_model")
    spec = find_accelerator(model) if model else None
    gpus = node.accelerator.count if node.accelerator else (instance or {}).get("gpu_count")
    memory = (node.accelerator.memory_gb if node.accelerator else None) or (
        spec["memory_gb"] if spec else (instance or {}).get("gpu_memory_gb")
    )
    compute_nics = [nic for nic in node.nics if nic.purpose == "compute"]
    if compute_nics:
        network = sum(nic.gbps * nic.count for nic in compute_nics)
        rdma = any(nic.rdma or (nic.rdma is None and nic.fabric in RDMA_FABRICS) for nic in compute_nics)
    elif instance is not None:
        network, rdma = instance["network_gbps"], instance["rdma"]
    else:
        network, rdma = _cluster_fabric(graph, node, gpus)
    return {
        "gpu_model": model,
        "gpu_known": spec is not None,
        "gpus": gpus,
        "gpu_memory_gb": memory,
        "network_gbps": network,
        "rdma": rdma,
    }


def _cluster_fabric(graph: AssetGraph, node: Compute, gpus: int | None) -> tuple[float | None, bool | None]:
    for cluster_id in graph.targets(node.id, "member_of"):
        fabric = getattr(graph.asset(cluster_id), "fabric", None)
        if fabric is not None:
            per_gpu = fabric.gbps_per_gpu
            network = per_gpu * gpus if per_gpu is not None and gpus else None
            rdma = fabric.rdma if fabric.rdma is not None else fabric.type in RDMA_FABRICS
            return network, rdma
    return None, None


def _nodes_of(graph: AssetGraph, workload: Workload) -> list[Compute]:
    nodes: dict[str, Compute] = {}
    for target in workload.runs_on:
        asset = graph.asset(target)
        if isinstance(asset, Cluster):
            for member in graph.sources(target, "member_of"):
                nodes[member] = graph.asset(member)  # type: ignore[assignment]
        elif isinstance(asset, Compute):
            nodes[target] = asset
    return [nodes[key] for key in sorted(nodes)]


def _least(values: list[Any]) -> Any:
    return None if not values or any(v is None for v in values) else min(values)


def analyse_capacity(graph: AssetGraph) -> dict[str, dict[str, Any]]:
    """Fact `capacity` for every workload."""
    facts: dict[str, dict[str, Any]] = {}
    for workload in graph.inventory.by_kind.get("workload", []):
        assert isinstance(workload, Workload)
        nodes = _nodes_of(graph, workload)
        profiles = [node_profile(graph, node) for node in nodes]
        per_node = [p["gpus"] for p in profiles]
        available_gpus = None
        if profiles and all(g is not None for g in per_node):
            available_gpus = sum(p["gpus"] * n.count for p, n in zip(profiles, nodes, strict=True))
        gpus = workload.gpus or available_gpus
        gpus_per_node = _least(per_node)
        node_count = workload.nodes or (math.ceil(gpus / gpus_per_node) if gpus and gpus_per_node else None)
        per_gpu_network = _least(
            [
                p["network_gbps"] / p["gpus"] if p["network_gbps"] is not None and p["gpus"] else None
                for p in profiles
            ]
        )
        rdma_flags = [p["rdma"] for p in profiles]
        tensor_parallel = workload.tensor_parallel or 1
        sharding = workload.sharding
        replicated = REPLICATED_BYTES[sharding] if sharding else None
        data_parallel = gpus // tensor_parallel if gpus else None
        facts[workload.id] = {
            "nodes": node_count,
            "gpus": gpus,
            "gpus_available": available_gpus,
            "gpu_models": sorted({p["gpu_model"] for p in profiles if p["gpu_model"]}),
            "unknown_gpu_models": sorted(
                {p["gpu_model"] for p in profiles if p["gpu_model"] and not p["gpu_known"]}
            ),
            "gpu_memory_gb": _least([p["gpu_memory_gb"] for p in profiles]),
            "network_gbps_per_gpu": per_gpu_network,
            "rdma": all(rdma_flags) if profiles and None not in rdma_flags else None,
            "params": workload.parameters_billion * 1e9 if workload.parameters_billion is not None else None,
            "params_per_gpu": (workload.parameters_billion * 1e9 / tensor_parallel)
            if workload.parameters_billion is not None
            else None,
            "sharding": sharding,
            # Model-state split: bytes/param replicated on every GPU, and the divisor of the rest.
            "replicated_bytes_per_param": replicated,
            "shard_degree": 1 if sharding == "none" else data_parallel if sharding else None,
        }
    return facts
