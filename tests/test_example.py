"""The bundled example audit finds its planted defects, with evidence and file:line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.result import AuditResult, Status
from tests.conftest import AS_OF, EXAMPLE, checked

PLANTED = {
    ("AI-DATA-01", "clickstream-raw"): "50-datasets.yaml:41",
    ("AI-DATA-01", "support-tickets"): "50-datasets.yaml:74",
    ("AI-DATA-03", "train-vision-dev"): "60-flows-workloads.yaml:191",
    ("AI-INF-01", "serve-assistant-us"): "60-flows-workloads.yaml:240",
    ("AI-MEM-INF-01", "serve-assistant-us"): "60-flows-workloads.yaml:240",
    ("AI-MEM-TRAIN-01", "finetune-support-13b"): "60-flows-workloads.yaml:177",
    ("AI-NET-01", "train-vision-dev"): "60-flows-workloads.yaml:191",
    ("AI-NET-02", "train-vision-dev"): "60-flows-workloads.yaml:191",
    ("AI-NET-04", "serve-assistant-us"): "60-flows-workloads.yaml:240",
    ("AI-STO-01", "recsys-train"): "60-flows-workloads.yaml:207",
    ("AI-STO-04", "train-vision-dev"): "60-flows-workloads.yaml:191",
    ("AI-STO-05", "recsys-train"): "60-flows-workloads.yaml:207",
    ("CCPA-100-RETENTION-PER-CATEGORY", "clickstream-raw"): "50-datasets.yaml:41",
    ("CCPA-100-SERVICE-PROVIDER-CONTRACT", "insightful"): "10-sites-vendors.yaml:77",
    # flow-ads-share shares California clickstream with AdReach, a third party: the 7053 contract
    # and the notice of the right to opt out (1798.135(a), 7013) are missing.
    ("CCPA-100-THIRD-PARTY-CONTRACT", "flow-ads-share"): "60-flows-workloads.yaml:144",
    ("CCPA-105-DELETION-STORE", "insightful-warehouse"): "40-storage.yaml:222",
    ("CCPA-105-DELETION-STORE", "us-crm-export"): "40-storage.yaml:167",
    ("CCPA-135-GLOBAL-PRIVACY-CONTROL", "flow-ads-share"): "60-flows-workloads.yaml:144",
    ("CCPA-135-OPT-OUT-NOTICE", "nordlicht"): "00-organization.yaml:7",
    ("CCPA-1798-150-UNENCRYPTED-PI", "us-crm-export"): "40-storage.yaml:167",
    ("GDPR-17-ERASURE-PATH", "fra-nfs-scratch"): "40-storage.yaml:19",
    ("GDPR-17-ERASURE-PATH", "insightful-warehouse"): "40-storage.yaml:222",
    ("GDPR-17-ERASURE-PATH", "us-crm-export"): "40-storage.yaml:167",
    ("GDPR-17-PROCESSOR-DELETION", "insightful"): "10-sites-vendors.yaml:77",
    ("GDPR-20-PORTABILITY", "image-annotation-batch"): "50-datasets.yaml:143",
    # HelpDesk's sub-processor: its contract is HelpDesk's (Art. 28(4)), so no DPA of Nordlicht's
    # own is asked; the authorisation is missing (the flow-down: see below), and HelpDesk's contract
    # does not bind it to tell HelpDesk of a breach (breach_clause: false).
    ("GDPR-28-SUBPROCESSOR-AUTHORISED", "callcenter-ph"): "10-sites-vendors.yaml:98",
    ("GDPR-33-PROCESSOR-BREACH-CLAUSE", "callcenter-ph"): "10-sites-vendors.yaml:98",
    ("GDPR-30-RECORD-OF-PROCESSING", "clickstream-raw"): "50-datasets.yaml:41",
    ("GDPR-32-BACKUP-TESTED", "eu-crm-db"): "40-storage.yaml:127",
    ("GDPR-32-ENCRYPTION-AT-REST", "fra-nfs-scratch"): "40-storage.yaml:19",
    ("GDPR-32-ENCRYPTION-AT-REST", "insightful-warehouse"): "40-storage.yaml:222",
    ("GDPR-33-PROCESSOR-BREACH-CLAUSE", "insightful"): "10-sites-vendors.yaml:77",
    ("GDPR-44-TRANSFER-BASIS", "callcenter-ph"): "10-sites-vendors.yaml:98",
    ("GDPR-44-TRANSFER-BASIS", "insightful"): "10-sites-vendors.yaml:77",
    ("GDPR-5-DATA-MINIMISATION", "flow-clicks-to-insightful"): "60-flows-workloads.yaml:38",
    ("GDPR-5-PURPOSE-LIMITATION", "flow-crm-to-lake"): "60-flows-workloads.yaml:3",
    ("GDPR-5-RETENTION-PERIOD", "clickstream-raw"): "50-datasets.yaml:41",
    ("GDPR-6-LAWFUL-BASIS", "inference-requests"): "50-datasets.yaml:176",
    # audience segments from EU users' clickstream shared with AdReach, on legitimate interests (C-252/21)
    ("GDPR-6-BEHAVIOURAL-ADVERTISING-CONSENT", "clickstream-sessions"): "50-datasets.yaml:56",
    ("SEC-BACKUP-ISOLATED", "eu-crm-db"): "40-storage.yaml:127",
    ("SEC-BACKUP-ISOLATED", "us-crm-db"): "40-storage.yaml:153",
    ("SEC-ENCRYPTION-SENSITIVE-STORE", "insightful-warehouse"): "40-storage.yaml:222",
    ("SEC-END-OF-LIFE-HARDWARE", "ams-fileserver"): "30-compute.yaml:206",
    ("SEC-EXPOSED-PERSONAL-DATA-STORE", "s3-support-share"): "40-storage.yaml:207",
    ("SEC-FLOW-ENCRYPTION-IN-TRANSIT", "flow-etl-to-features"): "60-flows-workloads.yaml:25",
    ("SEC-FLOW-ENCRYPTION-IN-TRANSIT", "flow-fileserver-sync"): "60-flows-workloads.yaml:128",
    ("SEC-NETWORK-SEGMENTATION", "fra-nfs-scratch"): "40-storage.yaml:19",
    ("SEC-PATCH-SLA", "ams-fileserver"): "30-compute.yaml:206",
    ("SEC-PUBLIC-DATASTORE", "s3-support-share"): "40-storage.yaml:207",
    ("SEC-STORE-ACCESS-LOGGING", "fra-nfs-scratch"): "40-storage.yaml:19",
    ("SEC-STORE-ACCESS-LOGGING", "s3-support-share"): "40-storage.yaml:207",
    ("SEC-SUPPLIER-SECURITY-TERMS", "callcenter-ph"): "10-sites-vendors.yaml:98",
    # "PII-scrubbed" without an anonymisation assessment: still personal data (Recital 26), so the
    # claim itself and the duties it was meant to escape fail.
    # Solely automated credit decisions with no Art. 22(2) exception declared (C-634/21 SCHUFA).
    ("GDPR-22-AUTOMATED-DECISIONS", "credit-check-model"): "60-flows-workloads.yaml:256",
    ("GDPR-4-ANONYMISATION-EVIDENCE", "web-corpus"): "50-datasets.yaml:105",
    ("GDPR-30-RECORD-OF-PROCESSING", "web-corpus"): "50-datasets.yaml:105",
    ("GDPR-5-RETENTION-PERIOD", "web-corpus"): "50-datasets.yaml:105",
    ("GDPR-6-LAWFUL-BASIS", "web-corpus"): "50-datasets.yaml:105",
    # The AI Act pack runs by default: the declared high-risk credit model keeps its logs under six
    # months (Art. 19(1), 26(6)). It reads us-customer-records only at inference: input data, not
    # Art. 10 training data, so AIACT-10 does not select it.
    ("AIACT-12-LOG-RETENTION", "credit-check-model"): "60-flows-workloads.yaml:256",
    # Training on legitimate interests: feature-vectors' LIA covers recommendations, not training
    # (EDPB Opinion 28/2024); neither training job records how objections are honoured (Art. 21).
    ("GDPR-6-TRAINING-LEGITIMATE-INTEREST", "recsys-train"): "60-flows-workloads.yaml:207",
    ("GDPR-21-TRAINING-OBJECTION", "recsys-train"): "60-flows-workloads.yaml:207",
    ("GDPR-21-TRAINING-OBJECTION", "finetune-support-13b"): "60-flows-workloads.yaml:177",
    # WP248 rev.01: financial data combined with clickstream collected for other purposes, no DPIA.
    ("GDPR-35-DPIA-WP248-CRITERIA", "feature-pipeline"): "60-flows-workloads.yaml:277",
    # Models trained on personal data are judged by their own assessment (EDPB Opinion 28/2024),
    # which none of the three model stores has.
    ("GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT", "fra-model-registry"): "40-storage.yaml:72",
    ("GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT", "s3-eu-curated"): "40-storage.yaml:112",
    ("GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT", "s3-us-model-replica"): "40-storage.yaml:192",
}
CLEAN = [
    ("GDPR-44-TRANSFER-BASIS", "labelworks"),  # SCCs 2021/914 with a TIA
    ("GDPR-44-TRANSFER-BASIS", "aws"),  # DPF-certified: one transfer for all its US stores
    ("GDPR-32-ENCRYPTION-AT-REST", "eu-crm-db"),
    ("AI-MEM-TRAIN-01", "train-llm-70b"),  # ZeRO-3 over 64 H100
    ("AI-NET-01", "train-llm-70b"),  # 400 Gb/s InfiniBand per GPU
    ("AI-NET-01", "recsys-train"),  # p4d's 50 Gb/s per GPU is enough for a 0.8B model
    ("AI-NET-04", "serve-assistant-eu"),  # TP 2 over NVLink-bridged H100 PCIe pairs
    ("GDPR-6-TRAINING-LEGITIMATE-INTEREST", "finetune-support-13b"),  # its set's LIA covers model_training
    ("SEC-EXPOSED-PERSONAL-DATA-STORE", "fra-lustre"),
    ("SEC-OPEN-PORTS", "fra-bastion"),  # a login host exposing SSH only, with admin MFA
]


WAIVERS = EXAMPLE.parent / "example.waivers.yaml"


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF, waivers=WAIVERS)))


def test_example_is_big_enough(result: AuditResult) -> None:
    assert result.asset_count >= 80
    assert len(result.inputs) == 7
    assert len(result.rules) >= 80


def test_scratch_and_export_copies_need_no_backup(result: AuditResult) -> None:
    """GDPR-32-BACKUP-TESTED is for systems of record: the research scratch and the export share are not."""
    judged = {f.asset_id for f in result.results() if f.rule_id == "GDPR-32-BACKUP-TESTED"}
    assert "eu-crm-db" in judged and not judged & {"fra-nfs-scratch", "s3-support-share"}


def test_one_finding_per_transfer(result: AuditResult) -> None:
    """The transfer to Insightful is judged once, at the vendor, not again at its warehouse."""
    judged = {f.asset_id for f in result.results() if f.rule_id == "GDPR-44-TRANSFER-BASIS"}
    assert "insightful" in judged and "insightful-warehouse" not in judged


def test_planted_defects_are_found_at_their_lines(result: AuditResult) -> None:
    failures = {(f.rule_id, f.asset_id): f for f in result.with_status(Status.FAIL)}
    found = {
        key: f"{failures[key].location.file.rsplit('/', 1)[-1]}:{failures[key].location.line}"
        for key in PLANTED
        if key in failures
    }
    assert found == PLANTED
    assert set(failures) == set(PLANTED), "unexpected failures appeared"


def test_clean_parts_pass(result: AuditResult) -> None:
    statuses = {(f.rule_id, f.asset_id): f.status.value for f in result.results()}
    assert {key: statuses.get(key) for key in CLEAN} == dict.fromkeys(CLEAN, "PASS")


def test_findings_carry_evidence_and_paths(result: AuditResult) -> None:
    by_key = {(f.rule_id, f.asset_id): f for f in result.results()}
    transfer = by_key[("GDPR-44-TRANSFER-BASIS", "callcenter-ph")]
    assert transfer.graph_path == [
        "support-tickets",
        "s3-eu-raw",
        "flow-tickets-to-helpdesk",
        "helpdesk-co",
        "callcenter-ph",
    ]
    assert transfer.evidence["facts.transfer.zone"] == "third_country"
    memory = by_key[("AI-MEM-TRAIN-01", "finetune-support-13b")]
    assert memory.evidence["computed.model_state_gb_per_gpu"] == 208  # 13e9 x 16 B
    assert memory.evidence["facts.capacity.gpu_memory_gb"] == 48
    exposed = by_key[("SEC-EXPOSED-PERSONAL-DATA-STORE", "s3-support-share")]
    assert exposed.graph_path == ["internet", "s3-support-share"]
    undecided = by_key[("GDPR-32-ENCRYPTION-AT-REST", "ams-nas")]
    assert undecided.status.value == "NOT_EVALUABLE"
    assert undecided.missing == [
        "facts.personal_data.present (personal_data is not declared on dataset(s) ams-shared-drive)"
    ]


def test_transfer_messages_name_the_datasets_the_crossing_flow_carries(result: AuditResult) -> None:
    """Insightful gets clickstream-sessions (derived from clickstream-raw, the lineage origin) by
    flow-clicks-to-insightful; Manila's support-tickets come onward from HelpDesk, by the flow to it."""
    transfers = [f for f in result.results() if f.rule_id == "GDPR-44-TRANSFER-BASIS"]
    messages = {(f.asset_id, f.status.value): f.message for f in transfers}
    assert {key: messages[key] for key in (("callcenter-ph", "FAIL"), ("insightful", "FAIL"))} == {
        ("callcenter-ph", "FAIL"): "EEA personal data (support-tickets) reaches callcenter-ph in PH with no transfer "
        "basis: no adequacy decision in force for PH at the audit date; no safeguard or derogation declared",
        ("insightful", "FAIL"): "EEA personal data (clickstream-sessions, from clickstream-raw) reaches insightful in "
        "US with no transfer basis: US recipient not certified under the framework in force (DPF); declared "
        "mechanism none is no basis here",
    }


def test_breach_clause_messages_name_whom_to_tell(result: AuditResult) -> None:
    """A processor tells the organisation; a sub-processor, the processor that engaged it (Art. 28(4))."""
    messages = {f.asset_id: f.message for f in result.results() if f.rule_id == "GDPR-33-PROCESSOR-BREACH-CLAUSE"}
    assert {asset: messages[asset] for asset in ("insightful", "callcenter-ph")} == {
        "insightful": "processor insightful is not bound to tell the organisation of a breach without undue delay",
        "callcenter-ph": "sub-processor callcenter-ph is not bound to tell the processor that engaged it "
        "(helpdesk-co) of a breach without undue delay",
    }


def test_a_processor_without_the_ccpa_contract_owes_a_deletion_notice_only_if_sold_or_shared_to(
    result: AuditResult,
) -> None:
    """Insightful has no service-provider contract, so for the CCPA it is a third party; whether the
    clickstream export is a sale or sharing (1798.105(c)(1)) is undeclared, and the finding says which
    inputs on which flow would decide it."""
    by_key = {(f.rule_id, f.asset_id): f for f in result.results()}
    notice = by_key[("CCPA-105-DELETION-VENDOR", "insightful")]
    assert notice.status.value == "NOT_EVALUABLE"
    assert notice.missing == [
        "facts.controllership.sold_or_shared (flow-clicks-to-insightful: whether third party insightful uses the "
        "data for cross-context behavioural advertising is not declared (cross_context_advertising on the flow); "
        "insightful is a third party (no service-provider contract) and whether it gives money or other valuable "
        "consideration is not declared (consideration on the flow))"
    ]


def test_undeclared_roles_are_open_questions_not_failures(result: AuditResult) -> None:
    """flow-ads-share is a server-side S3 export, not a tag: whether AdReach targets Nordlicht's own
    campaigns (joint control) or uses the segments for itself (controller to controller) is
    undeclared; whether HelpDesk's DPA requires the flow-down to callcenter-ph is undeclared too."""
    by_key = {(f.rule_id, f.asset_id): f for f in result.results()}
    adreach = by_key[("GDPR-26-JOINT-CONTROLLER-ARRANGEMENT", "adreach")]
    flow_down = by_key[("GDPR-28-SUBPROCESSOR-FLOW-DOWN", "callcenter-ph")]
    assert (adreach.status.value, flow_down.status.value) == ("NOT_EVALUABLE", "NOT_EVALUABLE")
    assert flow_down.missing == [
        "facts.controllership.flow_down_required (dpa_flow_down_clause is not declared on helpdesk-co)"
    ]


def test_high_risk_credit_model_without_role_is_an_open_fria_question(result: AuditResult) -> None:
    """credit-check-model is declared high-risk but not whether Nordlicht deploys it nor for which
    Annex III use: the Art. 27 assessment is an open question, not silently skipped."""
    fria = {(f.rule_id, f.asset_id): f for f in result.results()}[
        ("AIACT-27-FUNDAMENTAL-RIGHTS-IMPACT", "credit-check-model")
    ]
    assert (fria.status.value, fria.missing) == ("NOT_EVALUABLE", ["ai_act_role", "ai_use_case"])


def test_every_enabled_pack_finds_something(result: AuditResult) -> None:
    packs = {rule.id: rule.pack for rule in result.rules}
    assert {packs[f.rule_id] for f in result.with_status(Status.FAIL)} == {
        "gdpr",
        "ccpa",
        "security",
        "ai-infra",
        "eu-ai-act",
    }


def test_example_waivers(result: AuditResult) -> None:
    waived = sorted((f.rule_id, f.asset_id) for f in result.results() if f.waived)
    assert waived == [("SEC-END-OF-LIFE-HARDWARE", "ams-fileserver"), ("SEC-PATCH-SLA", "ams-fileserver")]
    assert [(s.state, s.matched) for s in result.waivers] == [("active", 2), ("expired", 2)]


def test_eu_ai_act_pack_finds_the_high_risk_system_once_it_applies() -> None:
    config = EXAMPLE.parent / "example.config.yaml"
    before = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), date(2026, 8, 1), config=config)))
    assert not [f for f in before.results() if f.rule_id.startswith("AIACT")]
    later = checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), date(2026, 8, 2), config=config)))
    failing = sorted((f.rule_id, f.asset_id) for f in later.with_status(Status.FAIL) if f.rule_id.startswith("AIACT"))
    assert failing == [("AIACT-12-LOG-RETENTION", "credit-check-model")]
    assert not [f for f in later.results() if f.rule_id == "AIACT-10-DATA-GOVERNANCE"]


def _example_with(tmp_path: Path, name: str, edits: dict[str, Callable[[dict[str, Any]], None]]) -> Path:
    """A copy of the example in tmp_path/name with some of its files edited (file name -> edit)."""
    twin = tmp_path / name
    shutil.copytree(EXAMPLE, twin)
    for file, edit in edits.items():
        path = twin / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return twin


def _open_findings(audited: AuditResult) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.asset_id, f.status.value) for f in audited.findings if f.status.needs_attention}


def _asset(data: dict[str, Any], section: str, asset_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in data[section] if item["id"] == asset_id)
    return found


def test_the_audience_segments_on_consent_are_the_lawful_twin(result: AuditResult, tmp_path: Path) -> None:
    """The example's clickstream sessions, shared with AdReach for advertising, held on consent with
    its record instead of legitimate interests: the behavioural-advertising failure goes and no
    finding comes in its place."""

    def on_consent(data: dict[str, Any]) -> None:
        sessions = _asset(data, "datasets", "clickstream-sessions")
        sessions.update(lawful_basis="consent", consent_record_ref="CMP-2026 (segment sharing opt-in)")
        sessions.pop("lia_ref", None)

    twin = _example_with(tmp_path, "example", {"50-datasets.yaml": on_consent})
    lawful = checked(run_audit(AuditRequest([twin], default_policies_dir(), AS_OF, waivers=WAIVERS)))

    assert _open_findings(result) - _open_findings(lawful) == {
        ("GDPR-6-BEHAVIOURAL-ADVERTISING-CONSENT", "clickstream-sessions", "FAIL")
    }
    assert _open_findings(lawful) - _open_findings(result) == set()


def test_the_dsk_list_binds_a_non_public_body_and_not_its_public_authority_twin(tmp_path: Path) -> None:
    """The example's recommender training (profiling, in Germany) without its DPIA fails the DSK
    Art. 35(4) list, drawn up for the non-public sector. The same organisation declared a public
    authority is not judged by that list: exactly that failure goes, NOT_APPLICABLE in its place."""

    def without_dpia(data: dict[str, Any]) -> None:
        del _asset(data, "workloads", "recsys-train")["dpia_ref"]

    def public(data: dict[str, Any]) -> None:
        data["organization"]["is_public_authority"] = True

    private = _example_with(tmp_path, "private", {"60-flows-workloads.yaml": without_dpia})
    authority = _example_with(
        tmp_path, "authority", {"60-flows-workloads.yaml": without_dpia, "00-organization.yaml": public}
    )
    audited = [
        checked(run_audit(AuditRequest([inventory], default_policies_dir(), AS_OF, waivers=WAIVERS)))
        for inventory in (private, authority)
    ]
    rule = "GDPR-35-DPIA-NATIONAL-LIST"
    statuses = [[(f.asset_id, f.status.value) for f in result.results() if f.rule_id == rule] for result in audited]

    assert statuses == [[("recsys-train", "FAIL")], [("recsys-train", "NOT_APPLICABLE")]]
    assert _open_findings(audited[0]) - _open_findings(audited[1]) == {(rule, "recsys-train", "FAIL")}
    assert _open_findings(audited[1]) - _open_findings(audited[0]) == set()
