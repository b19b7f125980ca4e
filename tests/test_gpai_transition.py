"""Known answers for AI Act Art. 111(3): general-purpose models already on the market have until 2 Aug 2027.

"Ostsee Models GmbH" provides two general-purpose models: `aurora-1`, placed on the Union market on
10 Mar 2025 (before Chapter V applied on 2 Aug 2025), and `aurora-2`, placed on 15 Oct 2025. Neither
has its training-content summary yet. Art. 53 and 55 bind aurora-2 now, aurora-1 only from 2 Aug 2027.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from auditor.result import Status
from tests.conftest import audit_data

GPAI_RULES = ("AIACT-53-GPAI-PROVIDER", "AIACT-55-SYSTEMIC-RISK")
_MODEL = {
    "type": "training",
    "ai_act_role": "provider",
    "general_purpose_model": True,
    "open_source_model": False,
    "parameters_billion": 400,
    "training_tokens_billion": 15000,  # 6 x 400e9 x 15e12 = 3.6e25 FLOP: systemic risk presumed
    "technical_documentation_ref": "docs/annex-xi.md",
    "copyright_policy_ref": "policies/copyright.md",
    "commission_notified": "2025-03-01",
    "systemic_risk_assessment_ref": "evals/red-team-2025.md",
}
LAB: dict[str, Any] = {
    "organization": {"id": "ostsee", "country": "DE", "ai_literacy_ref": "training/ai-literacy-2025.md"},
    "workloads": [
        {"id": "aurora-1", **_MODEL, "placed_on_market": "2025-03-10"},
        {"id": "aurora-2", **_MODEL, "placed_on_market": "2025-10-15"},
    ],
}


def _gpai(tmp_path: Path, data: dict[str, Any], as_of: date) -> dict[tuple[str, str], tuple[Status, str]]:
    result = audit_data(tmp_path, data, as_of)
    return {(f.rule_id, f.asset_id): (f.status, f.message) for f in result.results() if f.rule_id in GPAI_RULES}


def test_a_model_placed_before_2_august_2025_is_not_applicable_until_2027_with_the_reason(tmp_path: Path) -> None:
    found = _gpai(tmp_path, LAB, date(2026, 12, 1))
    reason = (
        "aurora-1 trains a general-purpose AI model placed on the market on 2025-03-10, before 2 Aug 2025: its "
        "provider has until 2 Aug 2027 to comply (AI Act Art. 111(3))"
    )
    assert found[("AIACT-53-GPAI-PROVIDER", "aurora-1")] == (Status.NOT_APPLICABLE, reason)
    assert found[("AIACT-55-SYSTEMIC-RISK", "aurora-1")] == (Status.NOT_APPLICABLE, reason)
    assert found[("AIACT-53-GPAI-PROVIDER", "aurora-2")][0] is Status.FAIL
    assert found[("AIACT-55-SYSTEMIC-RISK", "aurora-2")][0] is Status.PASS


@pytest.mark.parametrize("as_of", [date(2027, 8, 2), date(2028, 1, 1)], ids=str)
def test_from_2_august_2027_the_earlier_model_is_judged(tmp_path: Path, as_of: date) -> None:
    found = _gpai(tmp_path, LAB, as_of)
    assert {key: status for key, (status, _) in found.items()} == {
        ("AIACT-53-GPAI-PROVIDER", "aurora-1"): Status.FAIL,
        ("AIACT-53-GPAI-PROVIDER", "aurora-2"): Status.FAIL,
        ("AIACT-55-SYSTEMIC-RISK", "aurora-1"): Status.PASS,
        ("AIACT-55-SYSTEMIC-RISK", "aurora-2"): Status.PASS,
    }


def test_the_lawful_twin_with_its_summaries_passes_on_every_date(tmp_path: Path) -> None:
    data = copy.deepcopy(LAB)
    for model in data["workloads"]:
        model["training_content_summary_ref"] = f"https://ostsee.example/{model['id']}/training-summary"
    for as_of in (date(2026, 12, 1), date(2027, 8, 2)):
        statuses = {key: status for key, (status, _) in _gpai(tmp_path, data, as_of).items()}
        expected_legacy = Status.NOT_APPLICABLE if as_of < date(2027, 8, 2) else Status.PASS
        assert statuses == {
            ("AIACT-53-GPAI-PROVIDER", "aurora-1"): expected_legacy,
            ("AIACT-53-GPAI-PROVIDER", "aurora-2"): Status.PASS,
            ("AIACT-55-SYSTEMIC-RISK", "aurora-1"): expected_legacy,
            ("AIACT-55-SYSTEMIC-RISK", "aurora-2"): Status.PASS,
        }


def test_a_model_not_yet_placed_on_the_market_has_no_art_53_duties_but_is_notified(tmp_path: Path) -> None:
    """Art. 2(8): research, testing and development before placing on the market; Art. 52(1) still applies."""
    data = copy.deepcopy(LAB)
    del data["workloads"][0]["placed_on_market"]
    del data["workloads"][0]["commission_notified"]
    found = _gpai(tmp_path, data, date(2026, 12, 1))
    assert found[("AIACT-53-GPAI-PROVIDER", "aurora-1")] == (
        Status.NOT_APPLICABLE,
        "aurora-1 trains a general-purpose AI model not yet placed on the market: research, testing and "
        "development before placing on the market are outside the AI Act (Art. 2(8)), and the Art. 53(1) duties "
        "attach on placing on the market (placed_on_market)",
    )
    assert found[("AIACT-55-SYSTEMIC-RISK", "aurora-1")][0] is Status.FAIL


def test_a_lora_on_the_frontier_model_does_not_make_its_tuner_the_provider(tmp_path: Path) -> None:
    """Commission GPAI guidelines (18 Jul 2025): only a modification above one third of the original compute."""
    data = copy.deepcopy(LAB)
    lora = {
        "id": "aurora-2-lora",
        **_MODEL,
        "type": "fine_tuning",
        "peft": "lora",
        "training_tokens_billion": 2,  # 6 x 400e9 x 2e9 = 4.8e21 FLOP
        "training_compute_flop": 3.6e25,
        "base_model_training_compute_flop": 3.6e25,
        "placed_on_market": "2026-06-01",
    }
    data["workloads"].append(lora)
    reason = (
        "aurora-2-lora modifies a general-purpose AI model with 4.8e+21 FLOP, not more than one third of the "
        "original model's training compute (declared: 3.6e+25; unknown: one third of {unknown}): the modifier "
        "does not become the provider of the modified model (Commission GPAI guidelines, 18 Jul 2025)"
    )
    found = _gpai(tmp_path, data, date(2026, 12, 1))
    assert found[("AIACT-53-GPAI-PROVIDER", "aurora-2-lora")] == (
        Status.NOT_APPLICABLE,
        reason.format(unknown="10^23 FLOP"),
    )
    assert found[("AIACT-55-SYSTEMIC-RISK", "aurora-2-lora")] == (
        Status.NOT_APPLICABLE,
        reason.format(unknown="the threshold"),
    )
