"""Lineage, jurisdiction, transfers, exposure and capacity on small graphs with known answers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from auditor.graph.build import build_graph
from auditor.graph.exposure import ExposureFact
from auditor.graph.facts import Facts, derive_facts
from auditor.graph.transfers import TransferFact
from auditor.inventory.loader import load_inventory
from tests.conftest import AS_OF


def facts_for(tmp_path: Path, data: dict[str, Any], as_of: date = AS_OF) -> Facts:
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return derive_facts(build_graph(load_inventory([path])), as_of)


PIPELINE = {
    "sites": [{"id": "fra", "country": "DE"}, {"id": "use1", "country": "US", "operator": "cloud"}],
    "vendors": [
        {"id": "cloud", "country": "US", "dpf_certified": True},
        {"id": "ana", "country": "US", "dpf_certified": False, "subprocessors": ["sub"]},
        {"id": "sub", "country": "PH"},
    ],
    "storage": [
        {"id": "raw", "site": "fra", "backup": {"enabled": True, "target": "bak"}},
        {"id": "bak", "site": "fra"},
        {"id": "us", "site": "use1"},
        {"id": "models", "site": "fra"},
        {"id": "other", "site": "fra"},
    ],
    "datasets": [
        {
            "id": "people",
            "personal_data": True,
            "subject_jurisdictions": ["EU"],
            "data_categories": ["user.contact"],
            "stored_in": ["raw"],
        },
        {
            "id": "anon",
            "derived_from": ["people"],
            "anonymised": True,
            "anonymisation_assessment_ref": "ANON-1",
            "stored_in": ["other"],
        },
    ],
    "flows": [
        {"id": "to-us", "source": "raw", "destination": "us", "datasets": ["people"]},
        {"id": "to-ana", "source": "us", "destination": "ana"},
        {
            "id": "anon-flow",
            "source": "raw",
            "destination": "other",
            "transformation": "anonymise",
            "anonymisation_assessment_ref": "ANON-2",
        },
    ],
    "workloads": [
        {"id": "train", "type": "training", "reads": ["people"], "writes": ["models"]},
    ],
}


def test_lineage_follows_copies_flows_vendors_and_training_outputs(tmp_path: Path) -> None:
    facts = facts_for(tmp_path, PIPELINE)
    holders = sorted(a for a, f in facts.by_asset.items() if f.personal_data and f.personal_data.present)
    assert holders == ["ana", "bak", "models", "people", "raw", "sub", "to-ana", "to-us", "train", "us"]
    assert facts.lineage.path("sub", "people") == ["people", "raw", "to-us", "us", "to-ana", "ana", "sub"]
    assert facts.lineage.path("models", "people") == ["people", "train", "models"]
    assert facts.by_asset["other"].personal_data.present is False
    assert facts.by_asset["anon"].personal_data.present is False


def test_transfers_classified_with_path(tmp_path: Path) -> None:
    facts = facts_for(tmp_path, PIPELINE)
    transfer = {a: f.transfer for a, f in facts.by_asset.items() if f.transfer}
    # the organisation's own store: its processing, not a transfer (EDPB Guidelines 05/2021)
    assert transfer["raw"] == TransferFact(required=False, datasets=["people"])
    assert transfer["us"].basis == "adequacy" and transfer["us"].mechanism == "dpf"
    assert transfer["us"].recipient == "cloud"
    assert transfer["ana"].basis == "none" and transfer["ana"].zone == "adequate"
    assert transfer["sub"].zone == "third_country" and transfer["sub"].basis == "none"
    assert transfer["sub"].path[-1] == "sub"


def test_adequacy_depends_on_the_audit_date(tmp_path: Path) -> None:
    data = {
        "vendors": [{"id": "br", "country": "BR"}, {"id": "uk", "country": "GB"}],
        "storage": [{"id": "s", "country": "DE"}],
        "datasets": [{"id": "d", "personal_data": True, "subject_jurisdictions": ["FR"], "stored_in": ["s"]}],
        "flows": [
            {"id": "f1", "source": "s", "destination": "br"},
            {"id": "f2", "source": "s", "destination": "uk"},
        ],
    }
    before = facts_for(tmp_path, data, date(2026, 1, 25)).by_asset
    after = facts_for(tmp_path, data, date(2026, 1, 26)).by_asset
    assert (before["br"].transfer.basis, after["br"].transfer.basis) == ("none", "adequacy")
    assert after["br"].jurisdiction.adequacy_decision == "(EU) 2026/179"
    beyond = facts_for(tmp_path, data, date(2032, 1, 1)).by_asset
    assert beyond["uk"].transfer.zone == "third_country"


def test_exposure_paths(tmp_path: Path) -> None:
    data = {
        "networks": [
            {"id": "edge", "internet_facing": True, "peers": ["inner"]},
            {"id": "inner", "internet_facing": False},
            {"id": "closed", "internet_facing": False},
        ],
        "compute": [
            {"id": "gw", "networks": ["edge"], "public_ip": False, "forwards_to": ["api"]},
            {"id": "api", "public_ip": False},
            {"id": "db-host", "networks": ["inner"], "public_ip": False},
            {"id": "safe", "networks": ["closed"], "public_ip": False},
        ],
    }
    facts = facts_for(tmp_path, data).by_asset
    assert facts["api"].exposure == ExposureFact(internet=True, path=["internet", "edge", "gw", "api"])
    assert facts["db-host"].exposure.path == ["internet", "edge", "inner", "db-host"]
    assert facts["safe"].exposure.internet is False


def test_capacity_figures_from_inventory_and_catalog(tmp_path: Path) -> None:
    data = {
        "clusters": [{"id": "c"}],
        "compute": [
            {
                "id": "dgx",
                "cluster": "c",
                "count": 4,
                "accelerator": {"model": "NVIDIA H100 SXM", "count": 8},
                "nics": [{"fabric": "infiniband", "gbps": 400, "count": 8}],
            },
            {"id": "p5", "count": 2, "instance_type": "p5.48xlarge"},
        ],
        "workloads": [
            {
                "id": "a",
                "type": "training",
                "runs_on": ["c"],
                "parameters_billion": 70,
                "sharding": "zero1",
                "tensor_parallel": 4,
            },
            {"id": "b", "type": "training", "runs_on": ["p5"]},
        ],
    }
    facts = facts_for(tmp_path, data).by_asset
    a = facts["a"].capacity
    assert (a.gpus, a.nodes, a.gpu_memory_gb, a.network_gbps_per_gpu, a.rdma) == (
        32,
        4,
        80,
        400,
        True,
    )
    # ZeRO-1 over 8 data-parallel GPUs: 17.5e9 params per GPU keep 2 + 2 B, the 12 B of Adam state / 8.
    assert (a.params, a.params_per_gpu, a.zero_stage, a.shard_degree) == (7e10, 1.75e10, 1, 8)
    assert (a.weights_gb_per_gpu, a.gradients_gb_per_gpu, a.optimizer_gb_per_gpu) == (35, 35, 26.25)
    b = facts["b"].capacity
    assert (b.gpus, b.nodes, b.gpu_memory_gb, b.network_gbps_per_gpu) == (16, 2, 80, 400)


def test_an_unsupported_anonymisation_claim_keeps_the_data_personal(tmp_path: Path) -> None:
    """Recital 26 / EDPB Opinion 28/2024: a bare `anonymised: true` removes nothing from scrutiny."""
    data = {
        "storage": [{"id": "lake", "country": "DE"}, {"id": "models", "country": "DE"}],
        "datasets": [
            {"id": "claimed", "anonymised": True, "stored_in": ["lake"]},
            {"id": "assessed", "anonymised": True, "anonymisation_assessment_ref": "A-1", "stored_in": ["lake"]},
        ],
        "workloads": [{"id": "train", "type": "training", "reads": ["claimed"], "writes": ["models"]}],
    }
    facts = facts_for(tmp_path, data).by_asset
    assert facts["claimed"].personal_data.origins == ["claimed"]
    assert facts["models"].personal_data.origins == ["claimed"]  # the model trained on it carries it
    assert facts["assessed"].personal_data.present is False
    data["datasets"][0]["anonymisation_assessment_ref"] = "A-2"
    facts = facts_for(tmp_path, data).by_asset
    assert facts["models"].personal_data.present is False


def test_training_compute_is_six_times_parameters_times_tokens_unless_declared(tmp_path: Path) -> None:
    facts = facts_for(
        tmp_path,
        {
            "workloads": [
                {"id": "estimated", "type": "training", "parameters_billion": 405, "training_tokens_billion": 15600},
                {"id": "declared", "type": "training", "parameters_billion": 405, "training_compute_flop": 9e24},
                {"id": "tokens-unknown", "type": "training", "parameters_billion": 405},
            ]
        },
    )
    flop = {w: facts.by_asset[w].capacity.training_flop for w in ("estimated", "declared", "tokens-unknown")}  # type: ignore[union-attr]
    assert flop == {"estimated": 6 * 405e9 * 15_600e9, "declared": 9e24, "tokens-unknown": None}
    assert flop["estimated"] > 1e25  # 3.79e25: over the Art. 51(2) presumption


def test_an_edge_named_twice_is_one_edge_that_keeps_its_place_and_takes_the_later_relation(tmp_path: Path) -> None:
    """A backup target that also declares itself a copy of the store is one data edge, not two.
    Assets are taken in id order: bak names the edge first (copy_of), raw's backup names it again,
    so the edge keeps its place before raw's other edge and takes the later relation; lineage
    follows it once."""
    inventory = {
        "storage": [
            {"id": "raw", "backup": {"enabled": True, "target": "bak"}, "operated_by": "cloud"},
            {"id": "bak", "copy_of": "raw"},
        ],
        "vendors": [{"id": "cloud", "country": "DE"}],
        "datasets": [{"id": "d", "personal_data": True, "stored_in": ["raw"]}],
    }
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    graph = build_graph(load_inventory([path]))
    assert graph.data.ids == ["bak", "cloud", "d", "raw"]
    assert list(graph.data.edges()) == [
        ("d", "raw", "stored_in"),
        ("raw", "bak", "backed_up_to"),
        ("raw", "cloud", "operated_by"),
    ]
    lineage = derive_facts(graph, AS_OF).lineage
    assert lineage.path("bak", "d") == ["d", "raw", "bak"]
    assert lineage.reached[graph.data.index["bak"]] == [graph.data.index["d"]]


def test_a_relations_sources_are_indexed_when_first_asked_for_sorted_and_once_each(tmp_path: Path) -> None:
    """Datasets read twice by one job and by two jobs: each dataset's readers come sorted and once,
    whatever the order the inventory lists them in; only the relations asked for are indexed."""
    inventory = {
        "datasets": [{"id": "lake"}, {"id": "scratch"}],
        "storage": [{"id": "models"}],
        "workloads": [
            {"id": "train-b", "type": "training", "reads": ["lake", "scratch", "lake"]},
            {"id": "train-a", "type": "training", "reads": ["lake"], "writes": ["models"]},
        ],
    }
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    graph = build_graph(load_inventory([path]))
    assert graph._in == {}
    assert list(graph.sources("lake", "reads")) == ["train-a", "train-b"]
    assert list(graph.sources("scratch", "reads")) == ["train-b"]
    assert graph.sources("train-a", "reads") == ()
    assert list(graph._in) == ["reads"]
    assert list(graph.sources("models", "writes")) == ["train-a"]
    assert graph.sources("lake", "no-such-relation") == ()
    assert list(graph._in) == ["reads", "writes", "no-such-relation"]
