"""The bundled example audit finds its planted defects, with evidence and file:line."""

from __future__ import annotations

import pytest

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.result import AuditResult
from tests.conftest import AS_OF, EXAMPLE

PLANTED = {
    ("GDPR-32-ENCRYPTION-AT-REST", "fra-nfs-scratch"): "40-storage.yaml:16",
    ("GDPR-32-ENCRYPTION-AT-REST", "insightful-warehouse"): "40-storage.yaml:161",
    ("GDPR-44-TRANSFER-BASIS", "insightful"): "10-sites-vendors.yaml:69",
    ("GDPR-44-TRANSFER-BASIS", "insightful-warehouse"): "40-storage.yaml:161",
    ("GDPR-44-TRANSFER-BASIS", "callcenter-ph"): "10-sites-vendors.yaml:85",
    ("GDPR-5-RETENTION-PERIOD", "clickstream-raw"): "50-datasets.yaml:33",
    ("CCPA-1798-150-UNENCRYPTED-PI", "us-crm-export"): "40-storage.yaml:122",
    ("SEC-EXPOSED-PERSONAL-DATA-STORE", "s3-support-share"): "40-storage.yaml:152",
    ("SEC-FLOW-ENCRYPTION-IN-TRANSIT", "flow-etl-to-features"): "60-flows-workloads.yaml:16",
    ("SEC-FLOW-ENCRYPTION-IN-TRANSIT", "flow-fileserver-sync"): "60-flows-workloads.yaml:90",
    ("AI-NET-01", "train-vision-dev"): "60-flows-workloads.yaml:135",
    ("AI-NET-01", "recsys-train"): "60-flows-workloads.yaml:148",
    ("AI-MEM-TRAIN-01", "finetune-support-13b"): "60-flows-workloads.yaml:122",
}
CLEAN = [
    ("GDPR-44-TRANSFER-BASIS", "labelworks"),  # SCCs 2021/914 with a TIA
    ("GDPR-44-TRANSFER-BASIS", "s3-us-model-replica"),  # AWS is DPF-certified
    ("GDPR-32-ENCRYPTION-AT-REST", "eu-crm-db"),
    ("AI-MEM-TRAIN-01", "train-llm-70b"),  # ZeRO-3 over 64 H100
    ("AI-NET-01", "train-llm-70b"),  # 400 Gb/s InfiniBand per GPU
    ("SEC-EXPOSED-PERSONAL-DATA-STORE", "fra-lustre"),
]


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF))


def test_example_is_big_enough(result: AuditResult) -> None:
    assert result.asset_count >= 80
    assert len(result.inputs) == 7


def test_planted_defects_are_found_at_their_lines(result: AuditResult) -> None:
    failures = {(f.rule_id, f.asset_id): f for f in result.failures()}
    found = {
        key: f"{failures[key].location.file.rsplit('/', 1)[-1]}:{failures[key].location.line}"
        for key in PLANTED
        if key in failures
    }
    assert found == PLANTED
    assert set(failures) == set(PLANTED), "unexpected failures appeared"


def test_clean_parts_pass(result: AuditResult) -> None:
    statuses = {(f.rule_id, f.asset_id): f.status.value for f in result.findings}
    assert {key: statuses.get(key) for key in CLEAN} == dict.fromkeys(CLEAN, "PASS")


def test_findings_carry_evidence_and_paths(result: AuditResult) -> None:
    by_key = {(f.rule_id, f.asset_id): f for f in result.findings}
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
    assert memory.evidence["computed.model_state_gb_per_gpu"] == 208
    assert memory.evidence["facts.capacity.gpu_memory_gb"] == 48
    exposed = by_key[("SEC-EXPOSED-PERSONAL-DATA-STORE", "s3-support-share")]
    assert exposed.graph_path == ["internet", "s3-support-share"]
    undecided = by_key[("GDPR-32-ENCRYPTION-AT-REST", "ams-nas")]
    assert undecided.status.value == "NOT_EVALUABLE"
    assert undecided.missing == [
        "facts.personal_data.present (personal_data is not declared on dataset(s) ams-shared-drive)"
    ]
