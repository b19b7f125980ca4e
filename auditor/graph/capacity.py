"""Capacity figures per workload and catalog coverage per node.

Hardware comes from the compute entries a workload runs on (a cluster stands for its member
nodes), completed from the accelerator and cloud-instance catalogs where the inventory is
silent. Storage figures come from the stores holding what the workload reads and writes. The
rules compare these figures (with their own parameters); the analysis only gathers them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from auditor.catalog import find_accelerator, instances
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.inventory.models import Cluster, Compute, Dataset, Storage, Workload

RDMA_FABRICS = frozenset({"infiniband", "roce", "efa", "tcpx", "tcpxo"})
# ZeRO stage -> bytes per parameter kept on every GPU whatever the data-parallel degree
# (fp16 weights 2 + fp16 gradients 2); the rest of the model state is divided (Rajbhandari et al.).
REPLICATED_BYTES = {"none": 0, "zero1": 4, "zero2": 2, "zero3": 0, "fsdp": 0}
BYTES_PER_VALUE = {"fp32": 4, "tf32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int4": 0.5}
# Per-node read GB/s by DGX SuperPOD storage tier (NVIDIA RA-11333-001, R14).
TIER_READ_GBYTES_S = {"good": 4, "better": 8, "best": 40}
FAST_STORAGE = frozenset({"parallel_fs", "nvme"})


@dataclass(slots=True)
class CapacityFact:
    """The figures the hardware rules compare for one workload (None: an input is undeclared)."""

    nodes: int | None = described("Nodes the job runs on (declared, or GPUs / GPUs per node).")
    gpus: int | None = described("GPUs the job uses (declared, or all GPUs of its nodes).")
    gpus_available: int | None = described("GPUs of the nodes and clusters it runs on.")
    gpu_models: list[str] = described("Accelerator models of those nodes.", factory=list)
    unknown_gpu_models: list[str] = described("Models that are not in the accelerator catalog.", factory=list)
    gpu_memory_gb: float | None = described("Memory of the smallest GPU, GB.")
    network_gbps_per_gpu: float | None = described("Scale-out network per GPU on the weakest node, Gb/s.")
    rdma: bool | None = described("Every node's compute network is RDMA-capable.")
    scaleup_domain_gpus: int | None = described("GPUs joined by NVLink/xGMI/ICI on the weakest node.")
    params: float | None = described("Model parameters.")
    params_per_gpu: float | None = described("Parameters per GPU after tensor parallelism.")
    tensor_parallel: int = described("Tensor-parallel degree (1 when undeclared).", 1)
    sharding: str | None = described("none, zero1, zero2, zero3 or fsdp.")
    replicated_bytes_per_param: float | None = described("Model-state bytes per parameter kept on every GPU.")
    shard_degree: int | None = described("GPUs the rest of the model state is divided over.")
    data_parallel: int | None = described("Data-parallel degree (GPUs / tensor parallel).")
    precision: str | None = described("Weight precision.")
    bytes_per_weight: float | None = described("Bytes per weight at that precision.")
    gradient_bytes_per_param: float | None = described("Bytes per gradient value.")
    precision_supported: bool | None = described("Every GPU supports the precision natively.")
    tensor_core_gpu: bool | None = described("Every GPU has BF16 tensor cores.")
    kv_bytes_per_token: float | None = described("KV-cache bytes per token (2 x layers x KV heads x head dim x bytes).")
    context_length: int | None = described("Context length, tokens.")
    batch_size: int | None = described("Concurrent sequences.")
    storage_read_gbytes_s: float | None = described("Read throughput of the slowest store the job reads from, GB/s.")
    storage_read_gbytes_s_per_node: float | None = described("That throughput divided by the job's nodes, GB/s.")
    tier_read_gbytes_s_per_node_needed: float | None = described("Per-node read need of the declared data tier.")
    reads_fast_storage: bool | None = described("Some store it reads is a parallel file system or NVMe.")
    checkpoint_write_gbytes_s: float | None = described("Write throughput of the slowest store it writes, GB/s.")
    dataset_gb: float | None = described("Total size of the datasets it reads, GB.")
    host_ram_gb: float | None = described("Host memory of its nodes, GB.")
    nvme_cache_tb: float | None = described("Local NVMe of its nodes, TB.")
    gpudirect_storage: bool | None = described("Every node has GPUDirect Storage.")


@dataclass(slots=True)
class CatalogFact:
    """Whether a node's declared hardware is in the shipped catalogs."""

    declares_hardware: bool = described("The node declares an accelerator or an instance type.", False)
    known: bool | None = described("Both are in the catalogs (None: nothing declared).")
    accelerator: str | None = described("The declared accelerator model.")
    instance_type: str | None = described("The declared instance type.")


def node_profile(graph: AssetGraph, node: Compute) -> dict[str, Any]:
    """GPU model, count, memory, scale-up domain and scale-out network of one node."""
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
    if compute_nics:
        network = sum(nic.gbps * nic.count for nic in compute_nics)
        rdma = any(nic.rdma or (nic.rdma is None and nic.fabric in RDMA_FABRICS) for nic in compute_nics)
    elif instance is not None:
        network, rdma = instance["network_gbps"], instance["rdma"]
    else:
        network, rdma = _cluster_fabric(graph, node, gpus)
    nvme_tb = node.local_nvme_tb
    if nvme_tb is None and instance is not None and instance.get("local_nvme_gb") is not None:
        nvme_tb = instance["local_nvme_gb"] / 1000
    return {
        "gpu_model": model,
        "spec": spec,
        "gpus": gpus,
        "gpu_memory_gb": memory,
        "network_gbps": network,
        "rdma": rdma,
        "scaleup_domain": _scaleup_domain(spec, gpus),
        "nvme_tb": nvme_tb,
    }


def _scaleup_domain(spec: dict[str, Any] | None, gpus: int | None) -> int | None:
    """GPUs joined by NVLink/xGMI/ICI: all on the board, a bridged pair, or each GPU alone."""
    if spec is None or gpus is None:
        return None
    link = str(spec.get("scaleup_interconnect", "")).lower()
    if link in ("", "none") or not spec.get("scaleup_gbytes_s_bidir"):
        return 1
    return min(2, gpus) if "bridge" in link else gpus


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


def _total(values: Iterable[Any]) -> Any:
    values = list(values)
    return None if not values or any(v is None for v in values) else sum(values)


def _all_flags(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if not values or None in values else True


def _precision_supported(spec: dict[str, Any] | None, precision: str | None) -> bool | None:
    if spec is None or precision is None:
        return None
    checks: dict[str, Callable[[dict[str, Any]], bool | None]] = {
        "bf16": lambda s: s.get("bf16_supported"),
        "fp8": lambda s: s.get("fp8_supported"),
        "int8": lambda s: s.get("int8_dense_tops") is not None or None,
    }
    check = checks.get(precision)
    return True if check is None else check(spec)


def _stores(graph: AssetGraph, dataset_ids: list[str]) -> list[Storage]:
    found = {s for d in dataset_ids for s in graph.targets(d, "stored_in")}
    return [graph.asset(s) for s in sorted(found)]  # type: ignore[misc]


def _kv_bytes(workload: Workload, bytes_per_value: float | None) -> float | None:
    """KV cache per token: 2 (keys and values) x layers x KV heads x head dim x bytes per value."""
    layers, heads, dim = workload.layers, workload.kv_heads, workload.head_dim
    if layers is None or heads is None or dim is None or bytes_per_value is None:
        return None
    return 2 * layers * heads * dim * bytes_per_value


def analyse_capacity(graph: AssetGraph) -> dict[str, CapacityFact]:
    """Fact `capacity` for every workload."""
    facts: dict[str, CapacityFact] = {}
    for workload in graph.inventory.by_kind.get("workload", []):
        assert isinstance(workload, Workload)
        facts[workload.id] = _workload_capacity(graph, workload)
    return facts


def _workload_capacity(graph: AssetGraph, workload: Workload) -> CapacityFact:
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
        [p["network_gbps"] / p["gpus"] if p["network_gbps"] is not None and p["gpus"] else None for p in profiles]
    )
    tensor_parallel = workload.tensor_parallel or 1
    sharding = workload.sharding
    params = workload.parameters_billion * 1e9 if workload.parameters_billion is not None else None
    bytes_per_weight = BYTES_PER_VALUE.get(workload.precision or "")
    grad_precision = workload.gradient_precision or (
        workload.precision if workload.precision in ("fp32", "bf16", "fp16") else None
    )
    read_stores = _stores(graph, workload.reads)
    write_stores: list[Storage] = [graph.asset(s) for s in workload.writes]  # type: ignore[misc]
    read_datasets: list[Dataset] = [graph.asset(d) for d in workload.reads]  # type: ignore[misc]
    specs = [p["spec"] for p in profiles]
    storage_read = _least([s.read_gbytes_s for s in read_stores])
    return CapacityFact(
        nodes=node_count,
        gpus=gpus,
        gpus_available=available_gpus,
        gpu_models=sorted({p["gpu_model"] for p in profiles if p["gpu_model"]}),
        unknown_gpu_models=sorted({p["gpu_model"] for p in profiles if p["gpu_model"] and not p["spec"]}),
        gpu_memory_gb=_least([p["gpu_memory_gb"] for p in profiles]),
        network_gbps_per_gpu=per_gpu_network,
        rdma=_all_flags([p["rdma"] for p in profiles]),
        scaleup_domain_gpus=_least([p["scaleup_domain"] for p in profiles]),
        params=params,
        params_per_gpu=params / tensor_parallel if params is not None else None,
        tensor_parallel=tensor_parallel,
        sharding=sharding,
        # Model-state split: bytes/param replicated on every GPU, and the divisor of the rest.
        replicated_bytes_per_param=REPLICATED_BYTES[sharding] if sharding else None,
        shard_degree=1 if sharding == "none" else (gpus // tensor_parallel if gpus else None) if sharding else None,
        data_parallel=gpus // tensor_parallel if gpus else None,
        precision=workload.precision,
        bytes_per_weight=bytes_per_weight,
        gradient_bytes_per_param=BYTES_PER_VALUE.get(grad_precision or ""),
        precision_supported=_all_flags([_precision_supported(s, workload.precision) for s in specs]),
        tensor_core_gpu=_all_flags([bool(s and s.get("bf16_dense_tflops")) if s else None for s in specs]),
        kv_bytes_per_token=_kv_bytes(workload, bytes_per_weight),
        context_length=workload.context_length,
        batch_size=workload.batch_size,
        storage_read_gbytes_s=storage_read,
        storage_read_gbytes_s_per_node=storage_read / node_count
        if storage_read is not None and node_count
        else None,
        tier_read_gbytes_s_per_node_needed=TIER_READ_GBYTES_S.get(workload.data_tier or ""),
        reads_fast_storage=any(s.type in FAST_STORAGE for s in read_stores) if read_stores else None,
        checkpoint_write_gbytes_s=_least([s.write_gbytes_s for s in write_stores]),
        dataset_gb=_total(d.size_gb for d in read_datasets),
        host_ram_gb=_total(n.ram_gb * n.count if n.ram_gb is not None else None for n in nodes),
        nvme_cache_tb=_total(
            p["nvme_tb"] * n.count if p["nvme_tb"] is not None else None for p, n in zip(profiles, nodes, strict=True)
        ),
        gpudirect_storage=_all_flags([n.gpudirect_storage for n in nodes]),
    )


def analyse_catalog_coverage(graph: AssetGraph) -> dict[str, CatalogFact]:
    """Fact `catalog` for nodes: are their accelerator and instance type in the catalogs?"""
    facts: dict[str, CatalogFact] = {}
    for node in graph.inventory.by_kind.get("compute", []):
        assert isinstance(node, Compute)
        checks = []
        if node.instance_type is not None:
            checks.append(node.instance_type in instances())
        if node.accelerator is not None:
            checks.append(find_accelerator(node.accelerator.model) is not None)
        facts[node.id] = CatalogFact(
            declares_hardware=bool(checks),
            known=all(checks) if checks else None,
            accelerator=node.accelerator.model if node.accelerator else None,
            instance_type=node.instance_type,
        )
    return facts
