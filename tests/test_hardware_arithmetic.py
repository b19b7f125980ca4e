"""The gap rules' arithmetic against published figures (known answers), and a well-sized reference cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.catalog import storage_read_need
from tests.conftest import audit_data, audit_rule


def finding(tmp_path: Path, rule: str, inventory: dict[str, Any], asset: str = "w") -> Any:
    result = audit_data(tmp_path, inventory)
    return next(f for f in result.results() if f.rule_id == rule and f.asset_id == asset)


def forced(tmp_path: Path, rule: str, inventory: dict[str, Any], parameters: dict[str, float]) -> dict[str, Any]:
    """The evidence of a passing case, made to fail by `parameters` (a pass records no evidence)."""
    result = audit_rule(tmp_path, rule, inventory, config={"parameters": {rule: parameters}})
    found = next(f for f in result.results() if f.rule_id == rule and f.asset_id == "w")
    assert found.status.value == "FAIL", found.message
    return found.evidence


def training(**workload: Any) -> dict[str, Any]:
    return {"id": "w", "type": "training", "runs_on": ["n"], **workload}


def test_70b_model_state_is_1_12_tb(tmp_path: Path) -> None:
    # 70e9 parameters x 16 bytes = 1.12e12 bytes = 1120 GB on one GPU without sharding (ZeRO §3).
    found = finding(
        tmp_path,
        "AI-MEM-TRAIN-01",
        {
            "compute": [{"id": "n", "accelerator": {"model": "H200 SXM", "count": 8}}],
            "workloads": [training(parameters_billion=70, sharding="none")],
        },
    )
    assert found.status.value == "FAIL"
    assert found.evidence["computed.model_state_gb_per_gpu"] == 1120
    assert found.evidence["computed.usable_gb"] == pytest.approx(0.9 * 141)


@pytest.mark.parametrize(
    ("sharding", "expected_gb"), [("none", 120), ("zero1", 31.40625), ("zero2", 16.640625), ("zero3", 1.875)]
)
def test_zero_stages_match_the_paper_for_7_5b_on_64_gpus(tmp_path: Path, sharding: str, expected_gb: float) -> None:
    # ZeRO paper, figure 1: 7.5B params, Nd = 64 -> 120 GB (DP), 31.4 GB (stage 1), 16.6 GB (stage 2), 1.9 GB (stage 3).
    found = finding(
        tmp_path,
        "AI-MEM-TRAIN-01",
        {
            "compute": [{"id": "n", "count": 8, "accelerator": {"model": "T4", "count": 8, "memory_gb": 1}}],
            "workloads": [training(parameters_billion=7.5, sharding=sharding, optimizer="adam")],
        },
    )
    assert found.evidence["computed.model_state_gb_per_gpu"] == pytest.approx(expected_gb)


def test_lora_70b_is_frozen_bf16_weights_plus_adapters_not_full_fine_tuning(tmp_path: Path) -> None:
    # Full fine-tuning: 70e9 x 16 B = 1120 GB. LoRA r = 16 on h = 8192: adapters 70e9 x 2 x 16 / 8192 = 273.4e6.
    # Frozen BF16 base 2 B/param = 140 GB (review of the pack, AI-MEM-TRAIN-01); adapters 2 + 2 + 12 B/param.
    # FSDP full shard over one DGX H100 (8 GPUs): (140 + 0.547) / 8 = 17.57 GB weights, 0.068 gradients,
    # 0.41 optimizer -> 18.05 GB per GPU, within 72 GB.
    inventory = {
        "compute": [{"id": "n", "accelerator": {"model": "H100 SXM", "count": 8}}],
        "workloads": [
            training(
                type="fine_tuning",
                parameters_billion=70,
                precision="bf16",
                peft="lora",
                lora_rank=16,
                hidden_size=8192,
                sharding="fsdp",
                fsdp_strategy="full_shard",
            )
        ],
    }
    assert finding(tmp_path, "AI-MEM-TRAIN-01", inventory).status.value == "PASS"
    ev = forced(tmp_path, "AI-MEM-TRAIN-01", inventory, {"usable_memory_fraction": 0.01})
    adapters = 70e9 * 2 * 16 / 8192
    assert ev["facts.capacity.trainable_params"] == pytest.approx(adapters)
    assert ev["computed.model_state_gb_per_gpu"] == pytest.approx((140e9 + adapters * 16) / 8 / 1e9)
    assert ev["computed.model_state_gb_per_gpu"] == pytest.approx(18.05, abs=0.01)


def test_qlora_65b_base_weights_take_half_a_byte_per_parameter(tmp_path: Path) -> None:
    # QLoRA (Dettmers et al., arXiv:2305.14314): 4-bit base weights, 65e9 x 0.5 B = 32.5 GB, plus BF16 adapters.
    # With 0.8e9 adapter parameters: weights 32.5 + 1.6, gradients 1.6, Adam and master 9.6 -> 45.3 GB, which
    # exceeds 90 % of one 48 GB GPU: QLoRA fits only because its paged optimizer moves that state to CPU memory.
    found = finding(
        tmp_path,
        "AI-MEM-TRAIN-01",
        {
            "compute": [{"id": "n", "accelerator": {"model": "L40S", "count": 1}}],
            "workloads": [
                training(
                    type="fine_tuning",
                    parameters_billion=65,
                    peft="qlora",
                    trainable_parameters_billion=0.8,
                    sharding="none",
                )
            ],
        },
    )
    assert (found.status.value, found.evidence["computed.model_state_gb_per_gpu"]) == ("FAIL", pytest.approx(45.3))


def llama2_70b(**serving: Any) -> dict[str, Any]:
    return {
        "compute": [{"id": "n", "accelerator": {"model": "H100 SXM", "count": 8}}],
        "workloads": [
            {
                "id": "w",
                "type": "inference",
                "runs_on": ["n"],
                "parameters_billion": 70,
                "layers": 80,
                "kv_heads": 8,
                "head_dim": 128,
                **serving,
            }
        ],
    }


def test_llama2_70b_kv_cache_is_40_gib_per_128k_sequence(tmp_path: Path) -> None:
    # 2 x 80 layers x 8 KV heads x 128 dims x 2 bytes = 327,680 B/token (320 KiB);
    # x 131,072 tokens = 42.95 GB (40 GiB). Weights 70e9 x 2 B = 140 GB.
    ev = finding(tmp_path, "AI-MEM-INF-01", llama2_70b(precision="bf16", context_length=131072, batch_size=1)).evidence
    assert ev["computed.kv_cache_gb"] == pytest.approx(42.949673)
    assert ev["computed.weights_gb"] == 140
    assert ev["computed.needed_gb"] == pytest.approx(1.2 * 140 + 42.949673)
    assert ev["computed.available_gb"] == 80


def test_int4_70b_keeps_a_bf16_kv_cache_of_172_gb(tmp_path: Path) -> None:
    # 70B INT4 (AWQ/GPTQ), 32k tokens x 16 sequences: 327,680 B x 32,768 x 16 = 171.8 GB of BF16 cache,
    # not the 43 GB an INT4 cache would be; TP 4 over 320 GB: 1.2 x 35 + 171.8 = 213.8 GB fits.
    inventory = llama2_70b(precision="int4", context_length=32768, batch_size=16, tensor_parallel=4)
    assert finding(tmp_path, "AI-MEM-INF-01", inventory).status.value == "PASS"
    ev = forced(tmp_path, "AI-MEM-INF-01", inventory, {"overhead_factor": 10})
    assert (ev["computed.kv_cache_gb"], ev["computed.weights_gb"]) == (pytest.approx(171.798692), 35)
    assert ev["computed.available_gb"] == 320


def test_gb200_nvl72_runs_tp8_across_two_trays(tmp_path: Path) -> None:
    # One NVL72 rack: 18 trays of 4 GPUs in one 72-GPU NVLink domain (NVIDIA GB200 NVL72).
    def tp(degree: int) -> Any:
        rack = {"compute": [{"id": "n", "count": 18, "accelerator": {"model": "GB200", "count": 4}}]}
        return finding(tmp_path, "AI-NET-04", {**rack, "workloads": [training(tensor_parallel=degree)]})

    assert tp(8).status.value == "PASS"
    beyond = tp(144)  # two racks' worth: past the NVLink domain
    assert (beyond.status.value, beyond.evidence["facts.capacity.scaleup_domain_gpus"]) == ("FAIL", 72)


def test_allreduce_estimate_on_two_p4d_is_75_ms_not_600(tmp_path: Path) -> None:
    # 0.8B FP16 on 2 x p4d.24xlarge (8 A100, 400 Gb/s EFA each): S = 1.6 GB, DP 16, 8 ranks per node.
    # Across nodes: 2 x 15/16 x 1.6 / (8 x 0.8 x 6.25 GB/s) = 0.075 s (the flat per-GPU model said 0.60 s);
    # inside a node over NVLink3 (300 GB/s per direction): 2 x 7/8 x 1.6 / (0.8 x 300) = 0.0117 s.
    inventory = {
        "compute": [{"id": "n", "count": 2, "instance_type": "p4d.24xlarge"}],
        "workloads": [training(parameters_billion=0.8, precision="fp16", step_time_s=1)],
    }
    assert finding(tmp_path, "AI-NET-03", inventory).status.value == "PASS"
    ev = forced(tmp_path, "AI-NET-03", inventory, {"max_step_fraction": 0})
    assert ev["computed.inter_node_s"] == pytest.approx(0.075)
    assert ev["computed.intra_node_s"] == pytest.approx(2 * 7 / 8 * 1.6 / 240, abs=1e-6)


def test_p5_cluster_passes_the_network_floor_a_70b_job_on_p4d_does_not(tmp_path: Path) -> None:
    # p5.48xlarge: 3,200 Gb/s EFA / 8 GPUs = 400 Gb/s per GPU; p4d.24xlarge: 50. A 70B model's floor is 100.
    def on(instance: str) -> Any:
        nodes = {"compute": [{"id": "n", "count": 4, "instance_type": instance}]}
        return finding(tmp_path, "AI-NET-01", {**nodes, "workloads": [training(parameters_billion=70)]})

    assert on("p5.48xlarge").status.value == "PASS"
    p4d = on("p4d.24xlarge")
    assert (p4d.status.value, p4d.evidence["computed.effective_gbps_per_gpu"]) == ("FAIL", 50)


@pytest.mark.parametrize(
    ("tier", "figures"),
    [("good", (4, 15, 60)), ("better", (8, 40, 160)), ("best", (40, 125, 500))],
)
def test_superpod_storage_table_is_reproduced_and_interpolated(tier: str, figures: tuple[int, int, int]) -> None:
    # NVIDIA RA-11333-001 V11 storage guidelines: 1 node, 1 SU (32 nodes), 4 SU (128 nodes), read GB/s.
    one, su, four_su = figures
    assert [storage_read_need(tier, n) for n in (1, 32, 128)] == [one, su, four_su]
    assert storage_read_need(tier, 16) == pytest.approx(one + (su - one) * 15 / 31)
    assert storage_read_need(tier, 256) == 2 * four_su


NODE_FIELDS = {
    "site": "dc",
    "accelerator": {"model": "H100 SXM", "count": 8},
    "ram_gb": 2048,
    "local_nvme_tb": 30,
    "gpudirect_storage": True,
    "nics": [
        {"fabric": "infiniband", "gbps": 400, "count": 8, "rdma": True},
        {"fabric": "infiniband", "gbps": 400, "count": 2, "rdma": True, "purpose": "storage"},
    ],
    "power_kw": 10.2,
    "owner": "infra@example.com",
    "end_of_life": "2031-12-31",
    "last_patched": "2026-10-20",
    "admin_mfa": True,
    "public_ip": False,
}
SUPERPOD = {
    "organization": {
        "id": "lab",
        "country": "DE",
        "privacy_notice_ref": "PN-1",
        "incident_response_plan_ref": "IRP-1",
        "incident_response_tested": "2026-06-01",
        "breach_register_ref": "BR-1",
        "central_log_sink": "logs",
        "log_retention_days": 365,
        "mfa_admin_access": True,
        "mfa_remote_access": True,
        "is_public_authority": False,
        "core_large_scale_monitoring": False,
        "core_large_scale_special_categories": False,
    },
    "sites": [
        {
            "id": "dc",
            "owner": "infra@example.com",
            "racks": [{"id": f"r{i}", "power_budget_kw": 44, "cooling": "liquid"} for i in range(8)],
        }
    ],
    "clusters": [{"id": "su", "site": "dc", "owner": "infra@example.com"}],
    "compute": [{"id": f"dgx-r{i}", "cluster": "su", "count": 4, "rack": f"r{i}", **NODE_FIELDS} for i in range(8)],
    "storage": [
        {
            "id": "pfs",
            "site": "dc",
            "type": "parallel_fs",
            "read_gbytes_s": 40,
            "write_gbytes_s": 20,
            "owner": "infra@example.com",
            "classification": "internal",
            "public_access": False,
        },
        {
            "id": "logs",
            "site": "dc",
            "type": "log",
            "owner": "i@example.com",
            "classification": "internal",
            "public_access": False,
        },
    ],
    "datasets": [
        {
            "id": "corpus",
            "stored_in": ["pfs"],
            "format": "parquet",
            "size_gb": 20000,
            "file_count": 20000,
            "personal_data": False,
            "classification": "internal",
            "owner": "data@example.com",
        }
    ],
    "workloads": [
        {
            "id": "pretrain-70b",
            "type": "training",
            "runs_on": ["su"],
            "reads": ["corpus"],
            "writes": ["pfs"],
            "owner": "ml@example.com",
            "parameters_billion": 70,
            "precision": "bf16",
            "optimizer": "adamw",
            "sharding": "zero1",
            "tensor_parallel": 8,
            "pipeline_parallel": 4,
            "context_length": 4096,
            "micro_batch_size": 1,
            "hidden_size": 8192,
            "layers": 80,
            "attention_heads": 64,
            "activation_checkpointing": "selective",
            "step_time_s": 10,
            "checkpoint_interval_min": 60,
            "accelerator_utilization_pct": 95,
            "data_tier": "good",
        }
    ],
}


def test_dgx_h100_superpod_scalable_unit_gives_no_failure(tmp_path: Path) -> None:
    # 32 DGX H100 (256 GPUs), 8 x 400 Gb/s NDR per node, a parallel FS at 40 GB/s against the 15 GB/s the
    # SuperPOD guidance asks of one SU at the good tier, Parquet data, TP 8 x PP 4 x DP 8 with ZeRO-1.
    result = audit_data(tmp_path, SUPERPOD)
    hardware = {f.rule_id: f for f in result.results() if f.rule_id.startswith("AI-") and f.asset_id == "pretrain-70b"}
    assert [f"{f.rule_id} {f.asset_id}: {f.message}" for f in result.results() if f.status.value == "FAIL"] == []
    assert {rule: f.status.value for rule, f in hardware.items()} == {
        "AI-MEM-TRAIN-01": "PASS",
        "AI-NET-01": "PASS",
        "AI-NET-02": "PASS",
        "AI-NET-03": "PASS",
        "AI-NET-04": "PASS",
        "AI-PREC-01": "PASS",
        "AI-STO-01": "PASS",
        "AI-STO-02": "PASS",
        "AI-STO-03": "PASS",
        "AI-STO-04": "PASS",
        "AI-DATA-03": "PASS",
    }
    memory = forced(
        tmp_path,
        "AI-MEM-TRAIN-01",
        {**SUPERPOD, "workloads": [{**SUPERPOD["workloads"][0], "id": "w"}]},
        {"usable_memory_fraction": 0.01},
    )
    # 70e9 / 32 = 2.1875e9 per GPU: 4.375 + 4.375 + 12 x 2.1875 / 8 = 12.03 GB; activations
    # 80 x 34 x 4096 x 8192 / 8 = 11.4 GB (selective recomputation, sequence parallel).
    assert memory["computed.model_state_gb_per_gpu"] == pytest.approx(12.03125)
    assert memory["computed.needed_gb_per_gpu"] == pytest.approx(12.03125 + 80 * 34 * 4096 * 8192 / 8 / 1e9)
    assert storage_read_need("good", 32) == 15  # what AI-STO-01 asks of this SU, against 40 GB/s


def test_rack_of_four_dgx_h100(tmp_path: Path) -> None:
    # 4 x 10.2 kW = 40.8 kW in an air-cooled 42 kW rack: within budget, over the 30 kW air ceiling.
    result = audit_data(
        tmp_path,
        {
            "sites": [{"id": "dc", "racks": [{"id": "r", "power_budget_kw": 42, "cooling": "air"}]}],
            "compute": [{"id": "dgx", "site": "dc", "rack": "r", "count": 4, "power_kw": 10.2}],
        },
    )
    statuses = {f.rule_id: f for f in result.results() if f.asset_id == "dc"}
    assert statuses["AI-PWR-01"].status.value == "PASS"
    assert statuses["AI-PWR-02"].status.value == "FAIL"
    assert statuses["AI-PWR-02"].evidence["facts.power.max_air_rack_kw"] == pytest.approx(40.8)


def test_catalog_corrections() -> None:
    from auditor.catalog import find_accelerator, instances

    mi250x = find_accelerator("MI250X")
    assert (mi250x["memory_gb"], mi250x["bf16_dense_tflops"]) == (64, 191.5)  # one of two GCDs per package
    v6e = find_accelerator("TPU v6e")
    assert (v6e["fp8_supported"], v6e["fp8_dense_tflops"], v6e["int8_dense_tops"]) == (False, None, 1836)
    assert find_accelerator("TPU v5p")["memory_gb"] == 102.0  # 95 GiB in GB (1e9 bytes)
    assert find_accelerator("TPU v6e")["scaleup_gbytes_s_bidir"] == 448  # ICI 3,584 Gbps / 8
    assert find_accelerator("Gaudi 3")["scaleup_gbytes_s_bidir"] == 1050  # 21 of 24 x 200 GbE, both ways
    assert find_accelerator("B200")["host_link"] == "PCIe5 x16"
    catalog = instances()
    assert {
        name: (catalog[name]["rdma"], catalog[name]["gpu_direct"]) for name in ("a3-highgpu-8g", "p5.48xlarge")
    } == {
        "a3-highgpu-8g": (False, "tcpx"),
        "p5.48xlarge": (True, "rdma"),
    }
    assert find_accelerator(catalog["g5.48xlarge"]["gpu_model"])["memory_gb"] == 24  # A10G
    added = {"p6-b200.48xlarge", "p6e-gb200.36xlarge", "a3-ultragpu-8g", "a4-highgpu-8g"}
    added |= {"Standard_ND96isr_H200_v5", "Standard_ND128isr_NDR_GB200_v6"}
    assert added <= set(catalog)
    assert all(find_accelerator(catalog[name]["gpu_model"]) for name in added)


def test_an_fsdp_strategy_with_a_deepspeed_stage_is_an_input_error(tmp_path: Path) -> None:
    from auditor.errors import InputError
    from auditor.inventory.loader import load_inventory

    path = tmp_path / "inv.yaml"
    path.write_text("workloads:\n  - id: w\n    type: training\n    sharding: zero2\n    fsdp_strategy: hybrid_shard\n")
    with pytest.raises(InputError) as caught:
        load_inventory([path])
    assert [str(issue) for issue in caught.value.issues] == [
        f"{path}:2:5: $.workloads[0]: Value error, fsdp_strategy is an FSDP setting; sharding is 'zero2', not fsdp"
        " (got dict)"
    ]
