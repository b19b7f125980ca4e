"""The data-flow map reads the transfer facts: it never contradicts the transfer findings."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import audit_data

# A German controller: EU customers' data goes to a US processor without DPF certification and
# on to a sub-processor in the Philippines; US customers' data goes to a US analytics vendor, which
# is a transfer too, because the exporter is under the GDPR (EDPB Guidelines 05/2021).
INVENTORY = {
    "sites": [{"id": "fra", "country": "DE"}],
    "storage": [
        {"id": "crm-eu", "site": "fra", "encryption_at_rest": {"enabled": True}},
        {"id": "crm-us-customers", "site": "fra", "encryption_at_rest": {"enabled": True}},
    ],
    "vendors": [
        {"id": "helpdesk-us", "country": "US", "role": "processor", "subprocessors": ["callcenter-ph"]},
        {"id": "callcenter-ph", "country": "PH", "role": "sub_processor"},
        {"id": "analytics-us", "country": "US", "role": "processor"},
    ],
    "datasets": [
        {"id": "eu-customers", "personal_data": True, "subject_jurisdictions": ["DE"], "stored_in": ["crm-eu"]},
        {
            "id": "us-customers",
            "personal_data": True,
            "subject_jurisdictions": ["US-NY"],
            "stored_in": ["crm-us-customers"],
        },
    ],
    "flows": [
        {"id": "tickets", "source": "crm-eu", "destination": "helpdesk-us", "datasets": ["eu-customers"]},
        {"id": "usage", "source": "crm-us-customers", "destination": "analytics-us", "datasets": ["us-customers"]},
    ],
}


def test_map_marks_transfers_exactly_where_the_transfer_rule_judges_one(tmp_path: Path) -> None:
    result = audit_data(tmp_path, INVENTORY)
    edges = {
        (e["flow"], e["source"], e["target"]): (e["cross_border"], e["transfer"], e["basis"])
        for e in result.flow_map["edges"]
    }
    assert edges == {
        ("tickets", "crm-eu", "helpdesk-us"): (True, True, "none"),
        ("subprocessor", "helpdesk-us", "callcenter-ph"): (True, True, "none"),
        # a German controller's processing is under the GDPR whatever the subjects' residence
        ("usage", "crm-us-customers", "analytics-us"): (True, True, "none"),
    }
    judged = {f.asset_id: f.status.value for f in result.findings if f.rule_id == "GDPR-44-TRANSFER-BASIS"}
    assert judged == {"helpdesk-us": "FAIL", "callcenter-ph": "FAIL", "analytics-us": "FAIL"}


def test_a_us_company_with_us_customers_makes_no_chapter_v_transfer(tmp_path: Path) -> None:
    us_only = {
        **INVENTORY,
        "organization": {"id": "us-co", "country": "US"},
        "datasets": [
            {
                "id": "us-customers",
                "personal_data": True,
                "subject_jurisdictions": ["US-NY"],
                "stored_in": ["crm-us-customers"],
            }
        ],
        "flows": [INVENTORY["flows"][1]],
    }
    result = audit_data(tmp_path, us_only)
    assert [(e["flow"], e["transfer"]) for e in result.flow_map["edges"]] == [("usage", False), ("subprocessor", False)]
