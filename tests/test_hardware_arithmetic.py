"""The gap rules' arithmetic against figures computed by hand from the hardware catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import audit_data


def evidence(tmp_path: Path, rule: str, inventory: dict) -> dict:  # type: ignore[type-arg]
    result = audit_data(tmp_path, inventory)
    finding = next(f for f in result.findings if f.rule_id == rule)
    assert finding.status.value == "FAIL", finding.message
    return finding.evidence


def test_70b_model_state_is_1_12_tb(tmp_path: Path) -> None:
    # 70e9 parameters x 16 bytes = 1.12e12 bytes = 1120 GB on one GPU without sharding.
    ev = evidence(
        tmp_path,
        "AI-MEM-TRAIN-01",
        {
            "compute": [{"id": "n", "accelerator": {"model": "H200 SXM", "count": 8}}],
            "workloads": [
                {"id": "w", "type": "training", "runs_on": ["n"], "parameters_billion": 70, "sharding": "none"}
            ],
        },
    )
    assert ev["computed.model_state_gb_per_gpu"] == 1120 and ev["facts.capacity.gpu_memory_gb"] == 141


@pytest.mark.parametrize(("sharding", "expected_gb"), [("zero1", 31.40625), ("zero2", 16.640625), ("zero3", 1.875)])
def test_zero_stages_match_the_paper_for_7_5b_on_64_gpus(tmp_path: Path, sharding: str, expected_gb: float) -> None:
    # ZeRO paper table: 7.5B params, Nd = 64 -> 31.4 GB (stage 1), 16.6 GB (stage 2), 1.9 GB (stage 3).
    result = audit_data(
        tmp_path,
        {
            "compute": [{"id": "n", "count": 8, "accelerator": {"model": "T4", "count": 8, "memory_gb": 1}}],
            "workloads": [
                {"id": "w", "type": "training", "runs_on": ["n"], "parameters_billion": 7.5, "sharding": sharding}
            ],
        },
    )
    finding = next(f for f in result.findings if f.rule_id == "AI-MEM-TRAIN-01")
    assert finding.evidence["computed.model_state_gb_per_gpu"] == pytest.approx(expected_gb)


def test_llama3_70b_kv_cache_is_40_gib_per_128k_sequence(tmp_path: Path) -> None:
    # 2 x 80 layers x 8 KV heads x 128 dims x 2 bytes = 327,680 B/token (320 KiB);
    # x 131,072 tokens = 42.95 GB (40 GiB). Weights 70e9 x 2 B = 140 GB.
    ev = evidence(
        tmp_path,
        "AI-MEM-INF-01",
        {
            "compute": [{"id": "n", "accelerator": {"model": "H100 SXM", "count": 8}}],
            "workloads": [
                {
                    "id": "w",
                    "type": "inference",
                    "runs_on": ["n"],
                    "parameters_billion": 70,
                    "precision": "bf16",
                    "layers": 80,
                    "kv_heads": 8,
                    "head_dim": 128,
                    "context_length": 131072,
                    "batch_size": 1,
                }
            ],
        },
    )
    assert ev["computed.kv_cache_gb"] == pytest.approx(42.949673)
    assert ev["computed.weights_gb"] == 140
    assert ev["computed.needed_gb"] == pytest.approx(1.2 * 140 + 42.949673)
    assert ev["computed.available_gb"] == 80


def test_allreduce_time_for_7b_at_25_gbps(tmp_path: Path) -> None:
    # S = 7e9 x 2 B = 14 GB; 2(N-1)/N with N = 64 -> 1.96875; at 25 Gb/s x 0.8 = 2.5 GB/s: 11.025 s.
    ev = evidence(
        tmp_path,
        "AI-NET-03",
        {
            "compute": [
                {
                    "id": "n",
                    "count": 8,
                    "accelerator": {"model": "H100 SXM", "count": 8},
                    "nics": [{"fabric": "roce", "gbps": 200}],
                }
            ],
            "workloads": [
                {
                    "id": "w",
                    "type": "training",
                    "runs_on": ["n"],
                    "parameters_billion": 7,
                    "precision": "bf16",
                    "step_time_s": 10,
                }
            ],
        },
    )
    assert ev["computed.allreduce_s"] == pytest.approx(11.025)
    assert ev["computed.budget_s"] == 5


def test_checkpoint_of_70b_at_2_gbytes_per_second(tmp_path: Path) -> None:
    # 70e9 x 14 B = 980 GB; at 2 GB/s: 490 s > 5 % of 60 min (180 s).
    ev = evidence(
        tmp_path,
        "AI-STO-03",
        {
            "compute": [{"id": "n", "accelerator": {"model": "H100 SXM", "count": 8}}],
            "storage": [{"id": "s", "write_gbytes_s": 2}],
            "workloads": [
                {
                    "id": "w",
                    "type": "training",
                    "runs_on": ["n"],
                    "writes": ["s"],
                    "parameters_billion": 70,
                    "checkpoint_interval_min": 60,
                }
            ],
        },
    )
    assert (ev["computed.checkpoint_gb"], ev["computed.write_s"], ev["computed.budget_s"]) == (980, 490, 180)


def test_rack_of_four_dgx_h100(tmp_path: Path) -> None:
    # 4 x 10.2 kW = 40.8 kW in an air-cooled 42 kW rack: within budget, over the 30 kW air ceiling.
    result = audit_data(
        tmp_path,
        {
            "sites": [{"id": "dc", "racks": [{"id": "r", "power_budget_kw": 42, "cooling": "air"}]}],
            "compute": [{"id": "dgx", "site": "dc", "rack": "r", "count": 4, "power_kw": 10.2}],
        },
    )
    statuses = {f.rule_id: f for f in result.findings if f.asset_id == "dc"}
    assert statuses["AI-PWR-01"].status.value == "PASS"
    assert statuses["AI-PWR-02"].status.value == "FAIL"
    assert statuses["AI-PWR-02"].evidence["facts.power.max_air_rack_kw"] == pytest.approx(40.8)
