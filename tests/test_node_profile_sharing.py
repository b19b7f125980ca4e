"""Nodes of one design share a profile, and nodes differing in anything the profile reads do not.

capacity.py computes a node's profile once per `profile_key`; if the key missed a field that
`node_profile` reads, two nodes differing only there would get the first one's figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.graph.build import build_graph
from auditor.graph.capacity import _HardwareOf
from auditor.graph.hardware import cluster_of, node_profile
from auditor.inventory.loader import load_inventory
from auditor.inventory.models import Compute

BASE: dict[str, Any] = {
    "accelerator": {"model": "H100 SXM", "count": 8},
    "nics": [{"fabric": "infiniband", "gbps": 400, "count": 8}],
}
# One change per input of node_profile: the node's own fields, its NICs and its cluster's.
VARIANTS: list[dict[str, Any]] = [
    {},
    {},  # the same design again: shares the first profile
    {"accelerator": {"model": "H100 SXM", "count": 4}},
    {"accelerator": {"model": "H100 SXM", "count": 8, "memory_gb": 94}},
    {"accelerator": {"model": "A100 SXM4 80GB", "count": 8}},
    {"nics": [{"fabric": "ethernet", "gbps": 400, "count": 8}]},
    {"nics": [{"fabric": "infiniband", "gbps": 200, "count": 8}]},
    {"nics": [{"fabric": "infiniband", "gbps": 400, "count": 8, "rdma": False}]},
    {"nics": [{"fabric": "infiniband", "gbps": 400, "count": 8, "purpose": "storage"}]},
    {"nics": [], "instance_type": "p5.48xlarge", "accelerator": None},
    {"gpu_direct": "tcpx"},
    {"local_nvme_tb": 30},
    {"nvlink_domain_gpus": 4},
    {"cluster": "c-fabric"},
    {"cluster": "c-nvlink"},
]


def test_profiles_are_shared_only_by_nodes_of_one_design(tmp_path: Path) -> None:
    designs = [{**BASE, **change} for change in VARIANTS]
    nodes = [
        {"id": f"n{i:02d}", **{k: v for k, v in design.items() if v is not None}}  # ids in inventory order
        for i, design in enumerate(designs)
    ]
    inventory = {
        "clusters": [
            {"id": "c-fabric", "fabric": {"type": "roce", "gbps_per_gpu": 200, "gpu_direct": "tcpx"}},
            {"id": "c-nvlink", "nvlink_domain_gpus": 2},
        ],
        "compute": nodes,
    }
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(inventory), encoding="utf-8")
    graph = build_graph(load_inventory([path]))
    computes: list[Compute] = graph.of_kind(Compute)
    shared = _HardwareOf(graph).profiles(computes)
    own = [node_profile(node, cluster_of(graph, node)) for node in computes]
    assert all(profile != own[0] for profile in own[2:])  # each change shows in the figures
    assert shared == own  # every node gets its own figures
    assert shared[1] is shared[0]  # and one design is profiled once
    assert len({id(profile) for profile in shared}) == len(VARIANTS) - 1
