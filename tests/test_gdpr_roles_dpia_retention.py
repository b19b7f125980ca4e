"""Known answers for the GDPR corrections of issue 9 on one realistic controller: a German online
shop with a support chatbot fine-tuned on its tickets, an ad partner's pixel, an outsourced help
desk with a sub-processor, a tape archive and a model registry.

Each principle has its failing case and the lawful twin that must not fail:
- DPIA (Art. 35(3)(a), (c); WP248 rev.01, two of nine criteria, AI training as new technology by
  the project's policy reading);
- joint controllers (Art. 26; CJEU C-40/17 Fashion ID for a tag; a server-side export is not one);
- sub-processors (Art. 28(2), (3)(d), (4): authorisation, and a DPA requiring the flow-down, no DPA
  of the controller's own);
- an archive honours each dataset's own retention;
- a trained model is judged by its own assessment, not by its training set's retention.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.errors import InputError
from auditor.graph.build import build_graph
from auditor.graph.facts import derive_facts
from auditor.inventory.loader import load_inventory
from auditor.result import AuditResult
from tests.conftest import AS_OF, audit_data, with_organization, write, write_inventory

RULES = (
    "GDPR-26-JOINT-CONTROLLER-ARRANGEMENT",
    "GDPR-28-PROCESSOR-CONTRACT",
    "GDPR-28-SUBPROCESSOR-AUTHORISED",
    "GDPR-28-SUBPROCESSOR-FLOW-DOWN",
    "GDPR-33-PROCESSOR-BREACH-CLAUSE",
    "GDPR-35-DPIA-AUTOMATED-DECISIONS",
    "GDPR-35-DPIA-WP248-CRITERIA",
    "GDPR-5-COPY-RETENTION",
    "GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT",
)

SHOP: dict[str, Any] = {
    "organization": {"id": "kieler-shop", "country": "DE"},
    "storage": [
        {"id": "shop-db", "type": "database", "retention_days": 3650, "deletion_path": "DSR workflow"},
        # Tape archive of the shop database: invoices ten years (HGB s. 257), tickets one year.
        {"id": "tape-archive", "type": "backup", "copy_of": "shop-db", "retention_days": 3650},
        {"id": "checkpoints", "type": "object", "retention_days": 30},
        {"id": "model-registry", "type": "model_registry", "retention_days": 1095},
    ],
    "datasets": [
        {
            "id": "invoices",
            "personal_data": True,
            "stored_in": ["shop-db"],
            "data_categories": ["user.name", "user.financial.bank_account"],
            "data_subjects": ["customer"],
            "subject_jurisdictions": ["DE"],
            "purposes": ["billing"],
            "retention_days": 3650,
            "large_scale": False,
        },
        {
            "id": "support-tickets",
            "personal_data": True,
            "stored_in": ["shop-db"],
            "data_categories": ["user.contact.email", "user.content"],
            "data_subjects": ["customer"],
            "subject_jurisdictions": ["DE"],
            "purposes": ["customer_support"],
            "retention_days": 365,
            "large_scale": True,
        },
        {
            "id": "visits",
            "personal_data": True,
            "data_categories": ["user.device.cookie_id"],
            "data_subjects": ["customer"],
            "subject_jurisdictions": ["DE"],
            "purposes": ["advertising"],
            "retention_days": 390,
            "large_scale": False,
        },
    ],
    "collection_points": [{"id": "ad-pixel", "type": "pixel", "collects": ["visits"]}],
    "vendors": [
        {"id": "adnet", "country": "DE", "role": "third_party"},
        {
            "id": "helpdesk",
            "country": "DE",
            "role": "processor",
            "dpa_ref": "AVV-HD-2025",
            "breach_clause": True,
            "dpa_flow_down_clause": False,
            "subprocessors": ["phone-team"],
        },
        {"id": "phone-team", "country": "AT", "role": "sub_processor"},
    ],
    "flows": [
        {
            "id": "pixel-to-adnet",
            "source": "ad-pixel",
            "destination": "adnet",
            "datasets": ["visits"],
            "cross_context_advertising": True,
        },
        {"id": "tickets-to-helpdesk", "source": "shop-db", "destination": "helpdesk", "datasets": ["support-tickets"]},
        {"id": "publish-model", "source": "checkpoints", "destination": "model-registry"},
    ],
    "workloads": [
        {
            "id": "finetune-chatbot",
            "type": "fine_tuning",
            "reads": ["support-tickets"],
            "writes": ["checkpoints"],
        },
        {
            "id": "payment-scoring",
            "type": "inference",
            "reads": ["invoices"],
            "profiling": True,
            "automated_decisions": True,
            "significant_decisions": True,
        },
        {
            "id": "product-recommender",
            "type": "inference",
            "reads": ["visits"],
            "profiling": True,
            "significant_decisions": False,
        },
    ],
}

LAWFUL_ADDITIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("workloads", "finetune-chatbot", {"dpia_ref": "DSFA-2026-04 (chatbot training)"}),
    ("workloads", "payment-scoring", {"dpia_ref": "DSFA-2025-02 (payment scoring)"}),
    ("vendors", "adnet", {"joint_controller_arrangement_ref": "Art. 26 addendum 2026-01"}),
    (
        "vendors",
        "phone-team",
        {
            "authorised": True,
            "authorisation": "specific",
            "authorisation_ref": "approval 2025-07-01",
            "breach_clause": True,  # helpdesk's sub-processing contract binds it to report breaches to helpdesk
        },
    ),
    ("vendors", "helpdesk", {"dpa_flow_down_clause": True}),
    ("storage", "tape-archive", {"retention_by_dataset": {"support-tickets": 365}}),
    ("storage", "model-registry", {"model_assessment_ref": "MA-2026-01 (extraction and regurgitation tests)"}),
    ("storage", "checkpoints", {"model_assessment_ref": "MA-2026-01 (extraction and regurgitation tests)"}),
]


def _lawful() -> dict[str, Any]:
    data = copy.deepcopy(SHOP)
    for section, asset_id, fields in LAWFUL_ADDITIONS:
        next(a for a in data[section] if a["id"] == asset_id).update(fields)
    return data


def _results(result: AuditResult) -> dict[tuple[str, str], str]:
    return {(f.rule_id, f.asset_id): f.status.value for f in result.results() if f.rule_id in RULES}


def _failures(result: AuditResult) -> set[tuple[str, str]]:
    return {key for key, status in _results(result).items() if status != "PASS"}


def test_the_flawed_shop_fails_exactly_the_five_principles(tmp_path: Path) -> None:
    result = audit_data(tmp_path, SHOP)
    assert _failures(result) == {
        ("GDPR-35-DPIA-WP248-CRITERIA", "finetune-chatbot"),  # innovative technology + large scale
        ("GDPR-35-DPIA-AUTOMATED-DECISIONS", "payment-scoring"),  # 35(3)(a)
        ("GDPR-35-DPIA-WP248-CRITERIA", "payment-scoring"),
        ("GDPR-26-JOINT-CONTROLLER-ARRANGEMENT", "adnet"),
        ("GDPR-28-SUBPROCESSOR-AUTHORISED", "phone-team"),
        ("GDPR-28-SUBPROCESSOR-FLOW-DOWN", "phone-team"),
        ("GDPR-33-PROCESSOR-BREACH-CLAUSE", "phone-team"),  # its breach terms undeclared: not evaluable
        ("GDPR-5-COPY-RETENTION", "tape-archive"),
        ("GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT", "model-registry"),
        ("GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT", "checkpoints"),  # the training job's output is the model
    }
    undecided = {("GDPR-33-PROCESSOR-BREACH-CLAUSE", "phone-team")}
    assert all(status == "FAIL" for key, status in _results(result).items() if key in _failures(result) - undecided)
    assert _results(result)[("GDPR-33-PROCESSOR-BREACH-CLAUSE", "phone-team")] == "NOT_EVALUABLE"


def test_the_lawful_twin_fails_none(tmp_path: Path) -> None:
    results = _results(audit_data(tmp_path, _lawful()))
    assert {key for key, status in results.items() if status != "PASS"} == set()
    # Profiling for recommendations, with no decision of significant effect, is screened, not 35(3)(a).
    assert results[("GDPR-35-DPIA-AUTOMATED-DECISIONS", "product-recommender")] == "PASS"
    assert results[("GDPR-35-DPIA-WP248-CRITERIA", "product-recommender")] == "PASS"


def test_the_dpia_finding_names_the_criteria_it_meets(tmp_path: Path) -> None:
    result = audit_data(tmp_path, SHOP)
    finding = next(
        f for f in result.findings if (f.rule_id, f.asset_id) == ("GDPR-35-DPIA-WP248-CRITERIA", "finetune-chatbot")
    )
    assert finding.evidence["facts.dpia.criteria"] == [
        "large_scale: dataset(s) support-tickets are large-scale",
        "innovative_technology: AI fine-tuning on personal data (policy reading)",
    ]
    assert finding.message == (
        "finetune-chatbot meets 2 WP248 criteria (large_scale: dataset(s) support-tickets are large-scale, "
        "innovative_technology: AI fine-tuning on personal data (policy reading)) and has no DPIA"
    )


def test_a_documented_screening_answers_the_wp248_criteria(tmp_path: Path) -> None:
    """WP248 rev.01 III.B.a: two criteria met, but the reasons for no likely high risk are documented."""
    data = copy.deepcopy(SHOP)
    data["workloads"][0]["dpia_screening_ref"] = "DSFA-Screening-2026-05 (pseudonymised tickets, no free text)"
    assert _results(audit_data(tmp_path, data))[("GDPR-35-DPIA-WP248-CRITERIA", "finetune-chatbot")] == "PASS"


def test_the_tag_makes_a_joint_controller_by_fashion_id_only(tmp_path: Path) -> None:
    result = audit_data(tmp_path, SHOP)
    finding = next(
        f for f in result.findings if (f.rule_id, f.asset_id) == ("GDPR-26-JOINT-CONTROLLER-ARRANGEMENT", "adnet")
    )
    assert finding.message == (
        "adnet is a joint controller without an Art. 26 arrangement: its tag collects personal data for its own "
        "advertising by pixel-to-adnet: joint controller for the collection and transmission (Art. 26(1); "
        "CJEU C-40/17 Fashion ID)"
    )


def test_a_server_side_segment_export_is_no_joint_control_unless_declared(tmp_path: Path) -> None:
    """An S3 export of segments to an ad network: controller to controller unless the purposes are joint."""
    data = copy.deepcopy(SHOP)
    data["vendors"].append({"id": "segment-buyer", "country": "DE", "role": "third_party"})
    data["flows"].append(
        {
            "id": "segments-export",
            "source": "shop-db",
            "destination": "segment-buyer",
            "datasets": ["invoices"],
            "share": True,
        }
    )
    undeclared = next(
        f
        for f in audit_data(tmp_path, data).results()
        if (f.rule_id, f.asset_id) == ("GDPR-26-JOINT-CONTROLLER-ARRANGEMENT", "segment-buyer")
    )
    assert undeclared.status.value == "NOT_EVALUABLE"
    assert undeclared.missing == [
        "facts.controllership.joint_controller (whether segments-export serves campaigns whose purposes "
        "segment-buyer and the organisation decide jointly, or segment-buyer's own advertising (controller to "
        "controller), "
        "is not declared (joint_purpose on the flow))"
    ]
    data["flows"][-1]["joint_purpose"] = False
    assert ("GDPR-26-JOINT-CONTROLLER-ARRANGEMENT", "segment-buyer") not in _results(audit_data(tmp_path, data))


def test_the_flow_down_finding_names_the_processor_whose_dpa_lacks_the_clause(tmp_path: Path) -> None:
    result = audit_data(tmp_path, SHOP)
    finding = next(
        f for f in result.findings if (f.rule_id, f.asset_id) == ("GDPR-28-SUBPROCESSOR-FLOW-DOWN", "phone-team")
    )
    assert (finding.severity.value, finding.message) == (
        "medium",
        "sub-processor phone-team: the DPA of helpdesk does not require the flow-down of its obligations",
    )


def test_no_dpa_of_the_controllers_own_is_asked_of_a_sub_processor_but_its_breach_terms_are(tmp_path: Path) -> None:
    """Art. 28(4): the sub-processor is bound by the processor's contract, not by one with the
    organisation; that contract must still make it report breaches (to the processor)."""
    results = _results(audit_data(tmp_path, SHOP))
    assert ("GDPR-28-PROCESSOR-CONTRACT", "phone-team") not in results
    assert results[("GDPR-28-PROCESSOR-CONTRACT", "helpdesk")] == "PASS"
    assert results[("GDPR-33-PROCESSOR-BREACH-CLAUSE", "phone-team")] == "NOT_EVALUABLE"


def test_the_model_store_does_not_inherit_its_training_sets_retention(tmp_path: Path) -> None:
    """Kept three years, longer than the tickets' one year: judged as a model, not as a copy."""
    path = write(tmp_path, "inventory.yaml", yaml.safe_dump(with_organization(_lawful())))
    facts = derive_facts(build_graph(load_inventory([path])), AS_OF).by_asset["model-registry"].personal_data
    assert facts is not None
    assert (facts.model_only, facts.model_origins, facts.min_retention_days) == (True, ["support-tickets"], None)
    assert ("GDPR-5-COPY-RETENTION", "model-registry") not in _results(audit_data(tmp_path, _lawful()))


def test_an_archive_entry_for_an_unknown_dataset_is_an_input_error(tmp_path: Path) -> None:
    data = _lawful()
    data["storage"][1]["retention_by_dataset"] = {"support-tickts": 365}
    path = write_inventory(tmp_path / "inventory.yaml", data)
    with pytest.raises(InputError) as raised:
        load_inventory([path])
    assert [str(issue).rsplit("/", 1)[-1] for issue in raised.value.issues] == [
        "inventory.yaml:14:21: $.storage[1].retention_by_dataset.support-tickts: reference to unknown asset "
        "'support-tickts'"
    ]
