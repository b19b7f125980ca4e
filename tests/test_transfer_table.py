"""GDPR Chapter V transfer logic, table-driven: one vendor per row, EEA personal data sent to it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import audit_data, audit_rule

CASES = [
    # (name, vendor attributes, flow attributes, as_of, expected basis, expected rule statuses)
    ("EEA recipient", {"country": "FR"}, {}, "2026-11-01", None, {"GDPR-44-TRANSFER-BASIS": None}),
    (
        "adequate country, recipient in scope",
        {"country": "JP", "within_adequacy_scope": True},
        {},
        "2026-11-01",
        "adequacy",
        {"GDPR-44-TRANSFER-BASIS": "PASS"},
    ),
    (
        "Japan, recipient scope not declared",
        {"country": "JP"},
        {},
        "2026-11-01",
        None,
        {"GDPR-44-TRANSFER-BASIS": "NOT_EVALUABLE"},
    ),
    (
        "US, DPF-certified",
        {"country": "US", "dpf_certified": True},
        {},
        "2026-11-01",
        "adequacy",
        {"GDPR-44-TRANSFER-BASIS": "PASS"},
    ),
    (
        "US, not certified, nothing else",
        {"country": "US", "dpf_certified": False},
        {},
        "2026-11-01",
        "none",
        {"GDPR-44-TRANSFER-BASIS": "FAIL"},
    ),
    (
        "US, not certified, SCCs 2021 with TIA",
        {"country": "US", "dpf_certified": False},
        {"transfer_mechanism": "scc", "scc_version": "2021/914", "tia_ref": "TIA-1", "tia_outcome": "sufficient"},
        "2026-11-01",
        "safeguard",
        {"GDPR-44-TRANSFER-BASIS": "PASS", "GDPR-46-SCC-VERSION": "PASS", "GDPR-46-TRANSFER-IMPACT-ASSESSMENT": "PASS"},
    ),
    (
        "third country, old SCCs",
        {"country": "IN"},
        {"transfer_mechanism": "scc", "scc_version": "2010/87/EU"},
        "2026-11-01",
        "safeguard",
        {"GDPR-46-SCC-VERSION": "FAIL", "GDPR-46-TRANSFER-IMPACT-ASSESSMENT": "FAIL"},
    ),
    (
        "third country, derogation",
        {"country": "IN"},
        {"transfer_mechanism": "derogation"},
        "2026-11-01",
        "derogation",
        {"GDPR-44-TRANSFER-BASIS": None, "GDPR-49-DEROGATION": "FAIL"},  # judged by GDPR-49 alone
    ),
    (
        "EEA vendor with remote access from PH",
        {"country": "IE", "remote_access_countries": ["PH"]},
        {},
        "2026-11-01",
        "none",
        {"GDPR-44-REMOTE-ACCESS": "FAIL"},
    ),
    (
        "EEA vendor, remote access from PH under SCCs",
        {
            "country": "IE",
            "remote_access_countries": ["PH"],
            "transfer_mechanism": "scc",
            "scc_version": "2021/914",
            "tia_ref": "TIA-2",
        },
        {},
        "2026-11-01",
        "safeguard",
        {"GDPR-44-REMOTE-ACCESS": "PASS"},
    ),
    ("Brazil before its decision", {"country": "BR"}, {}, "2026-01-25", "none", {"GDPR-44-TRANSFER-BASIS": "FAIL"}),
    (
        "Brazil on the day of its decision",
        {"country": "BR"},
        {},
        "2026-01-26",
        "adequacy",
        {"GDPR-44-TRANSFER-BASIS": "PASS"},
    ),
    ("UK after the renewal expires", {"country": "GB"}, {}, "2032-01-01", "none", {"GDPR-44-TRANSFER-BASIS": "FAIL"}),
    ("country unknown", {}, {}, "2026-11-01", None, {"GDPR-44-TRANSFER-BASIS": "NOT_EVALUABLE"}),
]


@pytest.mark.parametrize(("name", "vendor", "flow", "as_of", "basis", "expected"), CASES, ids=[c[0] for c in CASES])
def test_transfer_case(
    tmp_path: Path,
    name: str,
    vendor: dict[str, Any],
    flow: dict[str, Any],
    as_of: str,
    basis: str | None,
    expected: dict[str, str | None],
) -> None:
    inventory = {
        "storage": [{"id": "crm", "country": "DE"}],
        "datasets": [{"id": "customers", "personal_data": True, "subject_jurisdictions": ["EU"], "stored_in": ["crm"]}],
        "vendors": [{"id": "v", **vendor}],
        "flows": [{"id": "f", "source": "crm", "destination": "v", **flow}],
    }
    result = audit_data(tmp_path, inventory, as_of=date.fromisoformat(as_of))
    got = {
        rule: next((f.status.value for f in result.results() if f.rule_id == rule and f.asset_id == "v"), None)
        for rule in expected
    }
    assert got == expected
    assert [edge["basis"] for edge in result.flow_map["edges"] if edge["target"] == "v"] == [basis]


def test_onward_transfer_through_a_sub_processor(tmp_path: Path) -> None:
    inventory = {
        "storage": [{"id": "crm", "country": "DE"}],
        "datasets": [{"id": "customers", "personal_data": True, "subject_jurisdictions": ["EU"], "stored_in": ["crm"]}],
        "vendors": [
            {"id": "eu-saas", "country": "IE", "subprocessors": ["offshore"]},
            {"id": "offshore", "country": "PH"},
        ],
        "flows": [{"id": "f", "source": "crm", "destination": "eu-saas"}],
    }
    result = audit_data(tmp_path, inventory)
    onward = next(f for f in result.results() if f.rule_id == "GDPR-44-TRANSFER-BASIS" and f.asset_id == "offshore")
    assert onward.status.value == "FAIL"
    assert onward.graph_path == ["customers", "crm", "f", "eu-saas", "offshore"]


def test_the_message_names_the_datasets_the_crossing_flow_carries(tmp_path: Path) -> None:
    """The datasets the flow declares (under the GDPR, not declared free of personal data), with the
    lineage origin when it is not one of them; a flow that declares none names the origin alone."""
    data = {
        "vendors": [
            {"id": vendor, "country": "US", "dpf_certified": False}
            for vendor in ("v-none", "v-raw", "v-sessions", "v-stats")
        ],
        "storage": [{"id": "s", "country": "DE"}],
        "datasets": [
            {"id": "raw", "personal_data": True, "subject_jurisdictions": ["EU"], "stored_in": ["s"]},
            {"id": "sessions", "personal_data": True, "subject_jurisdictions": ["EU"], "derived_from": ["raw"]},
            {"id": "counts", "personal_data": False, "subject_jurisdictions": ["EU"], "stored_in": ["s"]},
        ],
        "flows": [
            {"id": "f-none", "source": "s", "destination": "v-none"},
            {"id": "f-raw", "source": "s", "destination": "v-raw", "datasets": ["raw"]},
            {"id": "f-sessions", "source": "s", "destination": "v-sessions", "datasets": ["sessions", "counts"]},
            {"id": "f-stats", "source": "s", "destination": "v-stats", "datasets": ["counts"]},
        ],
    }
    result = audit_rule(tmp_path, "GDPR-44-TRANSFER-BASIS", data)
    found = {f.asset_id: f for f in result.results() if f.rule_id == "GDPR-44-TRANSFER-BASIS"}
    gap = "with no transfer basis: US recipient not certified under the framework in force (DPF); no safeguard or"
    assert "v-stats" not in found  # a flow that declares only data free of personal data transfers none
    assert {vendor: found[vendor].message for vendor in ("v-none", "v-raw", "v-sessions")} == {
        "v-none": f"EEA personal data from raw reaches v-none in US {gap} derogation declared",
        "v-raw": f"EEA personal data (raw) reaches v-raw in US {gap} derogation declared",
        "v-sessions": f"EEA personal data (sessions, from raw) reaches v-sessions in US {gap} derogation declared",
    }
    assert found["v-sessions"].evidence["facts.transfer.flow_datasets"] == ["sessions"]
    assert found["v-none"].evidence["facts.transfer.flow_datasets"] == []
