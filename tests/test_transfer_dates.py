"""One EU controller's transfers audited on both sides of every Chapter V boundary in the catalog.

The same inventory each time: a German company sending customer data to a US analytics processor
(certified under Safe Harbor, then Privacy Shield, then the DPF), employee data to a US payroll
processor (Privacy Shield covering HR data, a DPF certification that does not) and customer data
to a UK support processor, with an Irish helpdesk whose staff reach the data from the UK and the US.
Before 2018-05-25 the GDPR did not apply, so those dates are checked on the transfer facts only.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.catalog import jurisdictions
from auditor.graph.build import build_graph
from auditor.graph.facts import AssetFacts, derive_facts
from auditor.inventory.loader import load_inventory
from tests.conftest import audit_rule, write
from tests.test_input_errors import errors

INVENTORY: dict[str, Any] = {
    "organization": {"id": "nordwind", "name": "Nordwind Versand GmbH", "country": "DE"},
    "storage": [
        {"id": "crm", "type": "database", "country": "DE"},
        {"id": "hris", "type": "database", "country": "DE"},
    ],
    "datasets": [
        {
            "id": "customers",
            "personal_data": True,
            "data_subjects": ["customer"],
            "subject_jurisdictions": ["DE", "FR", "GB"],
            "stored_in": ["crm"],
        },
        {
            "id": "staff",
            "personal_data": True,
            "data_subjects": ["employee"],
            "subject_jurisdictions": ["DE"],
            "stored_in": ["hris"],
        },
    ],
    "vendors": [
        {
            "id": "us-analytics",
            "role": "processor",
            "country": "US",
            "dpa_ref": "DPA-11",
            "certifications": [
                {"framework": "safe_harbor", "from": "2009-03-02"},
                {"framework": "privacy_shield", "from": "2016-10-03"},
                {"framework": "dpf", "from": "2023-07-10"},
            ],
        },
        {
            "id": "us-payroll",
            "role": "processor",
            "country": "US",
            "dpa_ref": "DPA-12",
            "certifications": [
                {"framework": "privacy_shield", "from": "2017-01-16", "covers_hr": True},
                {"framework": "dpf", "from": "2023-07-10", "covers_hr": False},
            ],
        },
        {"id": "uk-support", "role": "processor", "country": "GB", "dpa_ref": "DPA-13"},
        {
            "id": "ie-helpdesk",
            "role": "processor",
            "country": "IE",
            "dpa_ref": "DPA-14",
            "remote_access_countries": ["GB", "US"],
            "certifications": [
                {"framework": "privacy_shield", "from": "2018-02-01"},
                {"framework": "dpf", "from": "2023-07-10"},
            ],
        },
    ],
    "flows": [
        {"id": "to-analytics", "source": "crm", "destination": "us-analytics", "datasets": ["customers"]},
        {"id": "to-payroll", "source": "hris", "destination": "us-payroll", "datasets": ["staff"]},
        {"id": "to-support", "source": "crm", "destination": "uk-support", "datasets": ["customers"]},
        {"id": "to-helpdesk", "source": "crm", "destination": "ie-helpdesk", "datasets": ["customers"]},
    ],
}

RULES = ("GDPR-44-TRANSFER-BASIS", "GDPR-45-DPF-HR-DATA", "GDPR-44-REMOTE-ACCESS")
PS_HR = {
    ("GDPR-44-TRANSFER-BASIS", "us-analytics"): "PASS",
    ("GDPR-44-TRANSFER-BASIS", "us-payroll"): "PASS",
    ("GDPR-45-DPF-HR-DATA", "us-payroll"): "PASS",
}
NO_US_FRAMEWORK = {
    ("GDPR-44-TRANSFER-BASIS", "us-analytics"): "FAIL",
    ("GDPR-44-TRANSFER-BASIS", "us-payroll"): "FAIL",
    ("GDPR-44-TRANSFER-BASIS", "ie-helpdesk"): "FAIL",
    ("GDPR-44-REMOTE-ACCESS", "ie-helpdesk"): "FAIL",
}
UK_PASS = {("GDPR-44-TRANSFER-BASIS", "uk-support"): "PASS"}
DPF = {
    ("GDPR-44-TRANSFER-BASIS", "us-analytics"): "PASS",
    ("GDPR-44-TRANSFER-BASIS", "us-payroll"): "FAIL",
    ("GDPR-45-DPF-HR-DATA", "us-payroll"): "FAIL",
}

# (audit date, exact findings of RULES as {(rule, asset): status}); a missing pair is no finding.
BOUNDARIES = [
    ("2020-01-31", PS_HR),  # the UK is an EU member state: no transfer
    ("2020-02-01", PS_HR),  # transition period: EU law still applies in the UK
    ("2020-07-16", PS_HR),  # Privacy Shield's last day
    ("2020-07-17", NO_US_FRAMEWORK),  # Schrems II, C-311/18
    ("2020-12-31", NO_US_FRAMEWORK),  # last day of the transition period
    ("2021-01-01", {**NO_US_FRAMEWORK, **UK_PASS}),  # a third country, covered by the TCA bridge
    ("2021-06-27", {**NO_US_FRAMEWORK, **UK_PASS}),  # the bridge's last day
    ("2021-06-28", {**NO_US_FRAMEWORK, **UK_PASS}),  # adequacy (EU) 2021/1772
    ("2023-07-09", {**NO_US_FRAMEWORK, **UK_PASS}),  # no US framework in force
    ("2023-07-10", {**DPF, **UK_PASS}),  # the DPF, (EU) 2023/1795
    ("2031-12-26", {**DPF, **UK_PASS}),  # last day of the UK renewal
    (
        "2031-12-27",
        {
            **DPF,
            ("GDPR-44-TRANSFER-BASIS", "uk-support"): "FAIL",
            ("GDPR-44-TRANSFER-BASIS", "ie-helpdesk"): "FAIL",
            ("GDPR-44-REMOTE-ACCESS", "ie-helpdesk"): "FAIL",
        },
    ),
]


def facts_on(tmp_path: Path, day: str) -> dict[str, AssetFacts]:
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(INVENTORY, sort_keys=False), encoding="utf-8")
    return derive_facts(build_graph(load_inventory([path])), date.fromisoformat(day)).by_asset


def basis(facts: AssetFacts) -> tuple[Any, ...]:
    transfer = facts.transfer
    assert transfer is not None
    return transfer.required, transfer.basis, transfer.mechanism, transfer.adequacy_decision


@pytest.mark.parametrize(("day", "expected"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_findings_on_each_side_of_a_boundary(tmp_path: Path, day: str, expected: dict[tuple[str, str], str]) -> None:
    found = {}
    for rule in RULES:
        result = audit_rule(tmp_path, rule, INVENTORY, as_of=date.fromisoformat(day))
        found.update({(f.rule_id, f.asset_id): f.status.value for f in result.results()})
    assert found == expected


def test_safe_harbor_ends_with_schrems_i(tmp_path: Path) -> None:
    """C-362/14 of 2015-10-06: the last day a Safe Harbor certification carried a transfer."""
    before, after = facts_on(tmp_path, "2015-10-06"), facts_on(tmp_path, "2015-10-07")
    assert basis(before["us-analytics"]) == (True, "adequacy", "safe_harbor", "2000/520/EC (Safe Harbor)")
    assert before["us-analytics"].transfer.framework == "Safe Harbor"
    assert basis(before["us-payroll"]) == (True, "none", None, "2000/520/EC (Safe Harbor)")
    assert before["us-payroll"].transfer.gap == (
        "US recipient not certified under the framework in force (Safe Harbor); no safeguard or derogation declared"
    )
    assert basis(after["us-analytics"]) == (True, "none", None, None)
    assert after["us-analytics"].transfer.gap == (
        "no adequacy decision in force for US at the audit date; no safeguard or derogation declared"
    )
    assert (before["uk-support"].transfer.required, before["uk-support"].jurisdiction.eea_basis) == (
        False,
        "EU member state",
    )


def test_privacy_shield_relied_on_until_schrems_ii(tmp_path: Path) -> None:
    before, after = facts_on(tmp_path, "2020-07-16"), facts_on(tmp_path, "2020-07-17")
    shield = (True, "adequacy", "privacy_shield", "(EU) 2016/1250 (Privacy Shield)")
    assert basis(before["us-analytics"]) == basis(before["us-payroll"]) == shield
    assert before["us-payroll"].transfer.certification_covers_hr is True
    assert before["ie-helpdesk"].transfer.required is False
    assert basis(after["us-analytics"]) == (True, "none", None, None)
    assert after["ie-helpdesk"].transfer.remote_access_third_countries == ["US"]
    assert after["ie-helpdesk"].transfer.gap == (
        "staff reach the data from US, not covered by adequacy; no safeguard or derogation declared"
    )


def test_the_uk_leaves_the_eea_by_stages(tmp_path: Path) -> None:
    days = ("2020-01-31", "2020-02-01", "2020-12-31", "2021-01-01", "2021-06-27", "2021-06-28")
    uk = {day: facts_on(tmp_path, day)["uk-support"] for day in days}
    assert uk["2020-01-31"].jurisdiction.eea_basis == "EU member state"
    assert (
        uk["2020-02-01"].jurisdiction.eea_basis
        == uk["2020-12-31"].jurisdiction.eea_basis
        == ("Withdrawal Agreement transition period: EU law, the GDPR included, applies (Art. 126, 127)")
    )
    assert {basis(uk[day]) for day in days[:3]} == {(False, None, None, None)}
    bridge = (True, "adequacy", "tca_bridge", "TCA Art. FINPROV.10A (interim bridge)")
    assert basis(uk["2021-01-01"]) == basis(uk["2021-06-27"]) == bridge
    assert (uk["2021-01-01"].jurisdiction.zone, uk["2021-01-01"].jurisdiction.eea_basis) == ("adequate", None)
    assert basis(uk["2021-06-28"]) == (True, "adequacy", "adequacy", "(EU) 2021/1772")


def test_uk_renewal_takes_over_and_expires(tmp_path: Path) -> None:
    decisions = {
        day: facts_on(tmp_path, day)["uk-support"].transfer.adequacy_decision
        for day in ("2025-12-18", "2025-12-19", "2031-12-26", "2031-12-27")
    }
    renewal = "UK adequacy renewal of 19 Dec 2025 [U: number]"
    assert decisions == {
        "2025-12-18": "(EU) 2021/1772",
        "2025-12-19": renewal,
        "2031-12-26": renewal,
        "2031-12-27": None,
    }


def test_dpf_certification_counts_from_the_framework_day(tmp_path: Path) -> None:
    before, after = facts_on(tmp_path, "2023-07-09"), facts_on(tmp_path, "2023-07-10")
    assert basis(before["us-analytics"]) == (True, "none", None, None)
    assert basis(after["us-analytics"]) == (True, "adequacy", "dpf", "(EU) 2023/1795 (DPF)")
    payroll = after["us-payroll"].transfer
    assert (payroll.basis, payroll.framework, payroll.certified, payroll.certification_covers_hr) == (
        "none",
        "DPF",
        True,
        False,
    )
    assert payroll.gap == (
        "the recipient's DPF certification does not cover HR data; no safeguard or derogation declared"
    )
    assert after["ie-helpdesk"].transfer.required is False


def test_certification_dates_and_the_dpf_shorthand_are_checked_at_load(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        """
        vendors:
          - id: v
            country: US
            certifications:
              - {framework: privacy_shield, from: 2020-01-01, until: 2019-12-31}
          - id: w
            country: US
            dpf_certified: true
            certifications: [{framework: dpf, from: 2023-07-10}]
        """,
    )
    assert [message.split(":", 1)[1] for message in errors(bad)] == [
        "5:9: $.vendors[0].certifications[0]: Value error, until (2019-12-31) is before from (2020-01-01) (got dict)",
        "6:5: $.vendors[1]: Value error, dpf_certified is shorthand for a dpf entry in certifications:"
        " give one or the other (got dict)",
    ]


def test_every_catalog_row_is_dated_and_sourced_and_unverified_rows_keep_their_mark() -> None:
    data = yaml.safe_load(resources.files("auditor.catalog").joinpath("jurisdictions.yaml").read_text())
    rows = [*data["eea"]["members"], *data["adequacy"]]
    assert all(row["source"].strip() and date.fromisoformat(row["from"]) for row in rows)
    assert all(date.fromisoformat(row["until"]) >= date.fromisoformat(row["from"]) for row in rows if "until" in row)
    unverified = sorted(
        row.get("country") or row["international_organisation"] for row in rows if "[U" in row["source"]
    )
    assert unverified == ["BR", "EPO", "GB"]
    catalog = jurisdictions()
    assert catalog.as_of == "2026-07-31"
    assert [catalog.is_eea("HR", date(2018, 5, 25)), catalog.is_eea("GB", date(2020, 12, 31))] == [True, True]
    assert [catalog.is_eea("GB", date(2021, 1, 1)), catalog.is_eea("EU", date(2030, 1, 1))] == [False, True]
    assert catalog.organisation_decision("EPO", date(2025, 7, 14)) is None
    assert catalog.organisation_decision("EPO", date(2025, 7, 15)).start == date(2025, 7, 15)


def test_an_international_organisation_is_a_recipient_in_the_map_too(tmp_path: Path) -> None:
    data = {
        "storage": [{"id": "docs", "country": "DE"}],
        "datasets": [{"id": "filings", "personal_data": True, "subject_jurisdictions": ["EU"], "stored_in": ["docs"]}],
        "vendors": [{"id": "epo", "country": "DE", "international_organisation": "EPO"}],
        "flows": [{"id": "file", "source": "docs", "destination": "epo"}],
    }
    result = audit_rule(tmp_path, "GDPR-44-TRANSFER-BASIS", data, as_of=date(2025, 7, 14))
    [finding] = result.results()
    assert (finding.asset_id, finding.status.value, finding.message) == (
        "epo",
        "FAIL",
        "EEA personal data from filings reaches epo in DE with no transfer basis: no adequacy decision in force"
        " for the international organisation EPO; no safeguard or derogation declared",
    )
    assert [(e["source"], e["target"], e["transfer"], e["basis"]) for e in result.flow_map["edges"]] == [
        ("docs", "epo", True, "none")
    ]
