"""Capacity figures per workload and catalog coverage per node.

Hardware comes from the compute entries a workload runs on (a cluster stands for its member
nodes), completed from the catalogs where the inventory is silent (auditor/graph/hardware.py).
Memory follows auditor/graph/training_memory.py; storage needs follow the DGX SuperPOD storage
guidance (auditor/catalog/storage_guidance.yaml). The figures here are published formulas; the
rules compare them with their own, overridable, parameters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditor.catalog import find_accelerator, instances, storage_read_need
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.graph.hardware import NodeProfile, cluster_of, node_profile, profile_key
from auditor.graph.locality import Locality, data_locality
from auditor.graph.training_memory import BYTES_PER_VALUE, gradient_bytes, training_memory, uses_fsdp, zero_stage
from auditor.inventory.models import Compute, Dataset, Storage, Workload

FAST_STORAGE = frozenset({"parallel_fs", "nvme"})
# ZeRO stage 3 moves 1.5 x the data of plain data parallelism (Rajbhandari et al., §7.2.2).
ZERO3_COMM_FACTOR = 1.5
GPU_DIRECT_ORDER = ("none", "tcpx", "rdma")


@dataclass(slots=True)
class CapacityFact:
    """The figures the hardware rules compare for one workload (None: an input is undeclared)."""

    nodes: int | None = described("Nodes the job runs on (declared, or GPUs / GPUs per node).")
    gpus: int | None = described("GPUs the job uses (declared, or all GPUs of its nodes).")
    gpus_available: int | None = described("GPUs of the nodes and clusters it runs on.")
    gpus_per_node: int | None = described("GPUs of the smallest node it runs on.")
    gpu_models: list[str] = described("Accelerator models of those nodes.", factory=list)
    unknown_gpu_models: list[str] = described("Models that are not in the accelerator catalog.", factory=list)
    gpu_memory_gb: float | None = described("Memory of the smallest GPU, GB (1e9 bytes).")
    network_gbps_per_gpu: float | None = described("Scale-out network per GPU on the weakest node, Gb/s.")
    rdma: bool | None = described("Every node's compute network bypasses the host TCP stack (InfiniBand, RoCE, EFA).")
    gpu_direct: str | None = described("Weakest GPUDirect mode of the nodes: rdma, tcpx (TCPX/TCPXO) or none.")
    scaleup_domain_gpus: int | None = described("GPUs joined by NVLink/NVSwitch, xGMI or ICI on the weakest node.")
    scaleup_gbytes_s_unidir: float | None = described("GPU-to-GPU bandwidth inside a node per direction, GB/s.")
    params: float | None = described("Model parameters.")
    params_per_gpu: float | None = described("Parameters per GPU after tensor and pipeline parallelism.")
    tensor_parallel: int = described("Tensor-parallel degree (1 when undeclared).", 1)
    pipeline_parallel: int = described("Pipeline-parallel degree (1 when undeclared).", 1)
    model_parallel: int = described("GPUs one model replica spans: tensor x pipeline parallel.", 1)
    data_parallel: int | None = described("Data-parallel degree: GPUs / (tensor x pipeline parallel).")
    dp_ranks_per_node: int | None = described("Data-parallel ranks sharing one node.")
    dp_nodes: int | None = described("Nodes one data-parallel group spans.")
    sharding: str | None = described("none, zero1, zero2, zero3 or fsdp.")
    zero_stage: int | None = described("ZeRO stage of the sharding (FSDP strategies mapped onto stages).")
    shard_degree: int | None = described("GPUs the sharded model state is divided over.")
    optimizer: str = described("Optimizer sized (adamw when undeclared).", "adamw")
    peft: str | None = described("Parameter-efficient fine-tuning: lora, qlora or none.")
    trainable_params: float | None = described("Parameters trained: all, or the PEFT adapters.")
    weights_gb_per_gpu: float | None = described("Training: weights held per GPU, GB.")
    gradients_gb_per_gpu: float | None = described("Training: gradients held per GPU, GB.")
    optimizer_gb_per_gpu: float | None = described("Training: master weights and optimizer state per GPU, GB.")
    activations_gb_per_gpu: float = described("Training: activations per GPU, GB (0: shape undeclared).", 0.0)
    activations_estimated: bool = described("The activations were estimated from a declared shape.", False)
    gradient_gb_per_gpu_synced: float | None = described("Gradient bytes per GPU all-reduced each step, GB.")
    comm_volume_factor: float = described("Traffic relative to plain data parallelism (ZeRO-3: 1.5).", 1.0)
    precision: str | None = described("Weight precision.")
    bytes_per_weight: float | None = described("Bytes per weight at that precision.")
    kv_cache_precision: str = described("KV-cache precision (bf16 when undeclared).", "bf16")
    precision_supported: bool | None = described("Every GPU supports the precision natively.")
    tensor_core_gpu: bool | None = described("Every GPU has matrix units for 16-bit math (tensor cores).")
    kv_bytes_per_token: float | None = described(
        "KV-cache bytes per token: 2 x layers x KV heads x head dim x KV bytes."
    )
    context_length: int | None = described("Context length, tokens.")
    batch_size: int | None = described("Concurrent sequences.")
    storage_read_gbytes_s: float | None = described("Read throughput of the slowest store the job reads from, GB/s.")
    storage_read_needed_gbytes_s: float | None = described(
        "Aggregate read the DGX SuperPOD guidance asks for the job's tier and node count, GB/s."
    )
    reads_fast_storage: bool | None = described("Some store it reads is a parallel file system or NVMe.")
    checkpoint_write_gbytes_s: float | None = described("Write throughput of the slowest store it writes, GB/s.")
    dataset_gb: float | None = described("Total size of the datasets it reads, GB.")
    host_ram_gb: float | None = described("Host memory of its nodes, GB.")
    nvme_cache_tb: float | None = described("Local NVMe of its nodes, TB.")
    gpudirect_storage: bool | None = described("Every node has GPUDirect Storage.")
    remote_datasets: list[str] = described("Datasets it reads that no store at its own sites holds.", factory=list)
    reads_remote: bool | None = described("Some dataset it reads is held only at another site (None: sites unknown).")
    wan_gbytes_s: float | None = described("Slowest declared WAN/VPN link between its sites and those stores, GB/s.")
    training_flop: float | None = described(
        "Training compute, FLOP: the declared training_compute_flop, else 6 x parameters x training tokens "
        "(Kaplan et al. 2020), for the AI Act Art. 51(2) systemic-risk presumption."
    )
    modification_flop: float | None = described(
        "Fine-tuning only: compute of the modification, FLOP: the declared modification_compute_flop, else"
        " 6 x parameters x this job's training tokens."
    )
    modification_over_third_of_base: bool | None = described(
        "Fine-tuning only: the modification uses more than one third of the original model's declared training"
        " compute, which makes the modifier its provider (Commission GPAI guidelines, 18 Jul 2025; None: unknown)."
    )


@dataclass(slots=True)
class CatalogFact:
    """Whether a node's declared hardware is in the shipped catalogs."""

    declares_hardware: bool = described("The node declares an accelerator or an instance type.", False)
    known: bool | None = described("Both are in the catalogs (None: nothing declared).")
    accelerator: str | None = described("The declared accelerator model.")
    instance_type: str | None = described("The declared instance type.")


def _nodes_of(graph: AssetGraph, workload: Workload) -> list[Compute]:
    nodes: dict[str, Compute] = {}
    for target in workload.runs_on:
        kind = graph.asset(target).kind
        if kind == "cluster":
            for member in graph.sources(target, "member_of"):
                nodes[member] = graph.asset(member)  # type: ignore[assignment]
        elif kind == "compute":
            nodes[target] = graph.asset(target)  # type: ignore[assignment]
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
    if precision in ("bf16", "tf32", "fp16"):
        return spec.get(f"{precision}_supported")
    if precision == "fp8":
        return spec.get("fp8_supported")
    if precision == "int8":
        return spec.get("int8_dense_tops") is not None or None
    return True


def _stores(graph: AssetGraph, dataset_ids: list[str]) -> list[Storage]:
    found = {s for d in dataset_ids for s in graph.targets(d, "stored_in")}
    return [graph.asset(s) for s in sorted(found)]  # type: ignore[misc]


def _kv_bytes(workload: Workload) -> float | None:
    """KV cache per token: 2 (keys and values) x layers x KV heads x head dim x bytes per value."""
    layers, heads, dim = workload.layers, workload.kv_heads, workload.head_dim
    if layers is None or heads is None or dim is None:
        return None
    return 2 * layers * heads * dim * BYTES_PER_VALUE[workload.kv_cache_precision or "bf16"]


def _weakest_gpu_direct(profiles: list[NodeProfile]) -> str | None:
    modes = [p.gpu_direct for p in profiles]
    if not modes or None in modes:
        return None
    return min(modes, key=GPU_DIRECT_ORDER.index)  # type: ignore[arg-type]


def analyse_capacity(graph: AssetGraph) -> dict[str, CapacityFact]:
    """Fact `capacity` for every workload."""
    facts: dict[str, CapacityFact] = {}
    hardware = _HardwareOf(graph)
    for workload in graph.of_kind(Workload):
        facts[workload.id] = _workload_capacity(graph, workload, hardware)
    return facts


@dataclass(frozen=True, slots=True)
class _Hardware:
    """The figures of the nodes a job runs on (computed once per distinct set of nodes and precision)."""

    available_gpus: int | None
    gpus_per_node: int | None
    gpu_models: list[str]
    unknown_gpu_models: list[str]
    gpu_memory_gb: float | None
    network_gbps_per_gpu: float | None
    rdma: bool | None
    gpu_direct: str | None
    scaleup_domain_gpus: int | None
    scaleup_gbytes_s_unidir: float | None
    precision_supported: bool | None
    tensor_core_gpu: bool | None
    host_ram_gb: float | None
    nvme_cache_tb: float | None
    gpudirect_storage: bool | None


class _HardwareOf:
    """A job's nodes and their figures: a node's profile once per distinct node (nodes of one design
    share it), the figures once per distinct combination of profiles, node entries and precision."""

    def __init__(self, graph: AssetGraph) -> None:
        self.graph = graph
        self.profile_of: dict[str, NodeProfile] = {}  # by node id
        self.by_key: dict[tuple[object, ...], NodeProfile] = {}  # by what the profile reads
        self.figures: dict[tuple[object, ...], _Hardware] = {}

    def profiles(self, nodes: list[Compute]) -> list[NodeProfile]:
        found = []
        for node in nodes:
            profile = self.profile_of.get(node.id)
            if profile is None:
                cluster = cluster_of(self.graph, node)
                key = profile_key(node, cluster)
                profile = self.by_key.get(key)
                if profile is None:
                    profile = self.by_key[key] = node_profile(node, cluster)
                self.profile_of[node.id] = profile
            found.append(profile)
        return found

    def __call__(self, nodes: list[Compute], precision: str | None) -> _Hardware:
        profiles = self.profiles(nodes)
        entries = zip(profiles, nodes, strict=True)
        key = (precision, *((id(p), n.count, n.ram_gb, n.gpudirect_storage) for p, n in entries))
        figures = self.figures.get(key)
        if figures is None:
            figures = self.figures[key] = _figures(nodes, profiles, precision)
        return figures


def _figures(nodes: list[Compute], profiles: list[NodeProfile], precision: str | None) -> _Hardware:
    specs = [p.spec for p in profiles]
    return _Hardware(
        available_gpus=_total(
            p.gpus * n.count if p.gpus is not None else None for p, n in zip(profiles, nodes, strict=True)
        ),
        gpus_per_node=_least([p.gpus for p in profiles]),
        gpu_models=sorted({p.gpu_model for p in profiles if p.gpu_model}),
        unknown_gpu_models=sorted({p.gpu_model for p in profiles if p.gpu_model and not p.spec}),
        gpu_memory_gb=_least([p.gpu_memory_gb for p in profiles]),
        network_gbps_per_gpu=_least(
            [p.network_gbps / p.gpus if p.network_gbps is not None and p.gpus else None for p in profiles]
        ),
        rdma=_all_flags([p.rdma for p in profiles]),
        gpu_direct=_weakest_gpu_direct(profiles),
        scaleup_domain_gpus=_least([p.scaleup_domain for p in profiles]),
        scaleup_gbytes_s_unidir=_least([p.scaleup_gbytes_s_unidir for p in profiles]),
        precision_supported=_all_flags([_precision_supported(s, precision) for s in specs]),
        tensor_core_gpu=_all_flags([bool(s.get("tensor_cores")) if s else None for s in specs]),
        host_ram_gb=_total(n.ram_gb * n.count if n.ram_gb is not None else None for n in nodes),
        nvme_cache_tb=_total(
            p.nvme_tb * n.count if p.nvme_tb is not None else None for p, n in zip(profiles, nodes, strict=True)
        ),
        gpudirect_storage=_all_flags([n.gpudirect_storage for n in nodes]),
    )


def _workload_capacity(graph: AssetGraph, workload: Workload, hardware: _HardwareOf) -> CapacityFact:
    nodes = _nodes_of(graph, workload)
    hw = hardware(nodes, workload.precision)
    available_gpus, gpus_per_node = hw.available_gpus, hw.gpus_per_node
    gpus = workload.gpus or available_gpus
    node_count = workload.nodes or (math.ceil(gpus / gpus_per_node) if gpus and gpus_per_node else None)
    tp, pp = workload.tensor_parallel or 1, workload.pipeline_parallel or 1
    model_parallel = tp * pp
    data_parallel = max(1, gpus // model_parallel) if gpus else None
    # Megatron-LM's rank order (tensor innermost, then data, pipeline outermost) keeps a node's GPUs in
    # one pipeline stage: the data-parallel ranks sharing a node are its GPUs / tensor parallel.
    ranks_per_node = max(1, min(data_parallel, gpus_per_node // tp)) if data_parallel and gpus_per_node else None
    stage = zero_stage(workload)
    shard_degree = data_parallel
    if uses_fsdp(workload) and workload.fsdp_strategy == "hybrid_shard":
        shard_degree = ranks_per_node  # FSDP HYBRID_SHARD: full shard inside a node, replicas across nodes
    params = workload.parameters_billion * 1e9 if workload.parameters_billion is not None else None
    memory = training_memory(workload, params, model_parallel, data_parallel, shard_degree)
    read_stores = _stores(graph, workload.reads)
    write_stores: list[Storage] = [graph.asset(s) for s in workload.writes]  # type: ignore[misc]
    read_datasets: list[Dataset] = [graph.asset(d) for d in workload.reads]  # type: ignore[misc]
    read_need = storage_read_need(workload.data_tier, node_count) if workload.data_tier and node_count else None
    locality: Locality = data_locality(graph, nodes, read_datasets)
    modification = _modification_flop(workload, params)
    return CapacityFact(
        nodes=node_count,
        gpus=gpus,
        gpus_available=available_gpus,
        gpus_per_node=gpus_per_node,
        gpu_models=hw.gpu_models,
        unknown_gpu_models=hw.unknown_gpu_models,
        gpu_memory_gb=hw.gpu_memory_gb,
        network_gbps_per_gpu=hw.network_gbps_per_gpu,
        rdma=hw.rdma,
        gpu_direct=hw.gpu_direct,
        scaleup_domain_gpus=hw.scaleup_domain_gpus,
        scaleup_gbytes_s_unidir=hw.scaleup_gbytes_s_unidir,
        params=params,
        params_per_gpu=params / model_parallel if params is not None else None,
        tensor_parallel=tp,
        pipeline_parallel=pp,
        model_parallel=model_parallel,
        data_parallel=data_parallel,
        dp_ranks_per_node=ranks_per_node,
        dp_nodes=math.ceil(data_parallel / ranks_per_node) if data_parallel and ranks_per_node else None,
        sharding=workload.sharding,
        zero_stage=stage,
        shard_degree=memory.shard_degree,
        optimizer=workload.optimizer or "adamw",
        peft=workload.peft,
        trainable_params=memory.trainable_params,
        weights_gb_per_gpu=memory.weights_gb,
        gradients_gb_per_gpu=memory.gradients_gb,
        optimizer_gb_per_gpu=memory.optimizer_gb,
        activations_gb_per_gpu=memory.activations_gb,
        activations_estimated=memory.activations_estimated,
        gradient_gb_per_gpu_synced=memory.trainable_params / model_parallel * gradient_bytes(workload) / 1e9
        if memory.trainable_params is not None
        else None,
        comm_volume_factor=ZERO3_COMM_FACTOR if stage == 3 else 1.0,
        precision=workload.precision,
        bytes_per_weight=BYTES_PER_VALUE.get(workload.precision or ""),
        kv_cache_precision=workload.kv_cache_precision or "bf16",
        precision_supported=hw.precision_supported,
        tensor_core_gpu=hw.tensor_core_gpu,
        kv_bytes_per_token=_kv_bytes(workload),
        context_length=workload.context_length,
        batch_size=workload.batch_size,
        storage_read_gbytes_s=_least([s.read_gbytes_s for s in read_stores]),
        storage_read_needed_gbytes_s=read_need,
        reads_fast_storage=any(s.type in FAST_STORAGE for s in read_stores) if read_stores else None,
        checkpoint_write_gbytes_s=_least([s.write_gbytes_s for s in write_stores]),
        dataset_gb=_total(d.size_gb for d in read_datasets),
        host_ram_gb=hw.host_ram_gb,
        nvme_cache_tb=hw.nvme_cache_tb,
        gpudirect_storage=hw.gpudirect_storage,
        remote_datasets=locality.remote_datasets,
        reads_remote=locality.reads_remote,
        wan_gbytes_s=locality.wan_gbytes_s,
        training_flop=_training_flop(workload, params),
        modification_flop=modification,
        modification_over_third_of_base=_over_third(modification, workload.base_model_training_compute_flop),
    )


def _training_flop(workload: Workload, params: float | None) -> float | None:
    """Declared compute, else the dense-transformer estimate: 6 FLOP per parameter per token (forward + backward)."""
    if workload.training_compute_flop is not None:
        return float(workload.training_compute_flop)
    return _dense_flop(workload, params)


def _dense_flop(workload: Workload, params: float | None) -> float | None:
    """6 x parameters x the job's training tokens (Kaplan et al. 2020)."""
    if params is None or workload.training_tokens_billion is None:
        return None
    return 6 * params * workload.training_tokens_billion * 1e9


def _modification_flop(workload: Workload, params: float | None) -> float | None:
    """A fine-tuning job's own compute: declared, else 6 x N x D over its own tokens."""
    if workload.type != "fine_tuning":
        return None
    if workload.modification_compute_flop is not None:
        return float(workload.modification_compute_flop)
    return _dense_flop(workload, params)


def _over_third(modification: float | None, base: float | None) -> bool | None:
    """The one-third test against the original model's compute, when both are known."""
    if modification is None or base is None:
        return None
    return modification > base / 3


def analyse_catalog_coverage(graph: AssetGraph) -> dict[str, CatalogFact]:
    """Fact `catalog` for nodes: are their accelerator and instance type in the catalogs?"""
    facts: dict[str, CatalogFact] = {}
    for node in graph.of_kind(Compute):
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
