"""AI Act Art. 10(5) on a realistic inventory: the example's organisation trains its own credit
scorer and tests it for bias with applicants' ethnic origin. Added to the bundled example, a bias
set kept 180 days but not pseudonymised and with no record of the Art. 10(5) conditions adds exactly
one open finding; its twin, pseudonymised and with the record, passes. The same training for a
product under the Annex I Section B legislation (a vehicle's safety component) is outside Chapter III
(Art. 2(2)): the AI Act's data, logging and registration rules say NOT_APPLICABLE, never FAIL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.result import AuditResult
from tests.conftest import AS_OF, EXAMPLE, checked

RULE = "AIACT-10-5-BIAS-SPECIAL-CATEGORIES"


def _training(bias_set: dict[str, Any], job: dict[str, Any] | None = None) -> dict[str, Any]:
    """The credit scorer's training job, on a set of past applications and the bias-testing set
    (`job`: fields of the training job to replace)."""
    return {
        "datasets": [
            {
                "id": "credit-bias-set",
                "name": "Applicants' self-declared ethnic origin, for bias testing of the credit scorer",
                "stored_in": ["fra-hr-db"],
                "classification": "restricted",
                "personal_data": True,
                "data_categories": ["user.demographic.race_ethnicity", "user.financial"],
                "data_subjects": ["applicant"],
                "subject_jurisdictions": ["EU"],
                "lawful_basis": "legal_obligation",
                "art9_condition": "g",
                "art9_law_ref": "AI Act Art. 10(5) with GDPR Art. 9(2)(g)",
                "purposes": ["bias_detection"],
                "ropa_ref": "RoPA-2026#12",
                "owner": "risk@nordlicht.example",
                **bias_set,
            }
        ],
        "workloads": [
            {
                "id": "credit-model-train",
                "name": "Credit scorer training and bias testing",
                "type": "training",
                "runs_on": ["fra-train"],
                "reads": ["credit-bias-set"],
                "writes": ["fra-model-registry"],
                "parameters_billion": 0.05,
                "precision": "fp16",
                "ai_act_high_risk": True,
                "ai_act_role": "provider",
                "owner": "risk@nordlicht.example",
                **(job or {}),
            }
        ],
    }


def _audited(tmp_path: Path, bias_set: dict[str, Any], job: dict[str, Any] | None = None) -> AuditResult:
    extra = tmp_path / "credit-training.yaml"
    extra.write_text(yaml.safe_dump(_training(bias_set, job), sort_keys=False), encoding="utf-8")
    return checked(run_audit(AuditRequest([EXAMPLE, extra], default_policies_dir(), AS_OF)))


def _open(result: AuditResult) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.asset_id, f.status.value) for f in result.findings if f.status.needs_attention}


def test_a_bias_set_without_the_art_10_5_safeguards_adds_exactly_that_finding(tmp_path: Path) -> None:
    (tmp_path / "bare").mkdir()
    (tmp_path / "safeguarded").mkdir()
    bare = _audited(tmp_path / "bare", {"pseudonymised": False, "retention_days": 180})
    safeguarded = _audited(
        tmp_path / "safeguarded",
        {
            "pseudonymised": True,
            "retention_days": 180,
            "special_category_bias_ref": "A10-5-2026 (no synthetic alternative; access log; RoPA-2026#12)",
        },
    )
    assert _open(bare) - _open(safeguarded) == {(RULE, "credit-bias-set", "FAIL")}
    assert not {key for key in _open(safeguarded) - _open(bare) if key[0] == RULE}
    assert {f.status.value for f in safeguarded.results() if f.rule_id == RULE} == {"PASS"}


def test_the_same_training_for_a_vehicle_safety_component_is_not_judged_under_chapter_iii(tmp_path: Path) -> None:
    """Annex I Section B (here Regulation (EU) 2019/2144 on motor vehicles): only Art. 6(1), 102-109
    and 112 apply (Art. 2(2)). Against the credit scorer (Annex III 5(b)) with the same bare bias set,
    exactly the Chapter III findings go, the bias set's among them, and nothing comes in their place."""
    (tmp_path / "annex-iii").mkdir()
    (tmp_path / "section-b").mkdir()
    bare = {"pseudonymised": False, "retention_days": 180}
    annex_iii = _audited(tmp_path / "annex-iii", bare, {"ai_act_high_risk_route": "annex_iii"})
    vehicle = {
        "name": "Driver-monitoring model training (safety component of a vehicle, Reg. (EU) 2019/2144)",
        "ai_act_high_risk_route": "annex_i_section_b",
    }
    section_b = _audited(tmp_path / "section-b", bare, vehicle)

    assert _open(annex_iii) - _open(section_b) == {
        (RULE, "credit-bias-set", "FAIL"),
        ("AIACT-10-DATA-GOVERNANCE", "credit-bias-set", "FAIL"),
        ("AIACT-12-LOG-RETENTION", "credit-model-train", "NOT_EVALUABLE"),
        ("AIACT-49-REGISTRATION", "credit-model-train", "FAIL"),
    }
    assert _open(section_b) - _open(annex_iii) == set()
    chapter_iii = {
        (f.rule_id, f.asset_id): f.status.value
        for f in section_b.results()
        if f.asset_id in ("credit-bias-set", "credit-model-train") and f.rule_id.startswith("AIACT-")
    }
    assert chapter_iii == {
        (RULE, "credit-bias-set"): "NOT_APPLICABLE",
        ("AIACT-10-DATA-GOVERNANCE", "credit-bias-set"): "NOT_APPLICABLE",
        ("AIACT-12-LOG-RETENTION", "credit-model-train"): "NOT_APPLICABLE",
    }
