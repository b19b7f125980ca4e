"""Known answers for importers exposed to surveillance law (issue 9, item 2; EDPB Recommendations 01/2020).

tests/data/eu-saas-transfers.yaml, "Kieler Kundendienst GmbH", is a German controller whose CRM
sends e-mail through a US e-mail delivery provider (an electronic communications service provider
under FISA s. 702) with exporter-held encryption, backs up to a US cloud region encrypted with keys
held in Frankfurt, sends pseudonymised tickets to an Indian annotation firm that is exposed to no
surveillance law, and uses a DPF-certified US analytics service. The lawful inventory gives no
transfer failure; each defect changes one thing and must give exactly its failures, one per transfer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.policy.loader import default_policies_dir, load_policies
from auditor.result import Status
from tests.conftest import audit_data

COMPANY = Path(__file__).parent / "data" / "eu-saas-transfers.yaml"
LAWFUL: dict[str, Any] = yaml.safe_load(COMPANY.read_text(encoding="utf-8"))
RULE = "GDPR-46-SURVEILLANCE-SUPPLEMENTARY-MEASURES"


def _set(section: str, asset: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = next(item for item in data[section] if item["id"] == asset)
        if value is None:
            target.pop(field, None)
        else:
            target[field] = value

    return change


def _transfer_failures(tmp_path: Path, data: dict[str, Any]) -> set[tuple[str, str]]:
    result = audit_data(tmp_path, data)
    return {(f.rule_id, f.asset_id) for f in result.with_status(Status.FAIL) if f.rule_id.startswith("GDPR-4")}


def test_the_lawful_company_gives_no_transfer_failure(tmp_path: Path) -> None:
    assert _transfer_failures(tmp_path, LAWFUL) == set()


DEFECTS = [
    (
        "the e-mail provider holds the keys: only contractual and organisational measures, TIA 'sufficient'",
        [_set("vendors", "mailer", "supplementary_measures", ["contractual", "organisational"])],
        {(RULE, "mailer")},
    ),
    (
        "the backups are encrypted with the cloud provider's own KMS keys",
        [_set("flows", "backup-to-us", "supplementary_measures", None)],
        {(RULE, "cloud")},  # judged once, at the importer, not at its bucket
    ),
    (
        "the analytics service lets its DPF certification lapse and moves to SCCs without measures",
        [
            _set("vendors", "insights", "dpf_certified", None),
            _set("vendors", "insights", "transfer_mechanism", "scc"),
            _set("vendors", "insights", "scc_version", "2021/914"),
            _set("vendors", "insights", "tia_ref", "TIA-INSIGHTS-2026"),
            _set("vendors", "insights", "tia_outcome", "sufficient"),
        ],
        {(RULE, "insights")},
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS])
def test_each_defect_gives_exactly_its_failures(
    tmp_path: Path, changes: list[Callable[[dict[str, Any]], None]], expected: set[tuple[str, str]]
) -> None:
    data = copy.deepcopy(LAWFUL)
    for change in changes:
        change(data)
    assert _transfer_failures(tmp_path, data) == expected


def test_the_failure_names_the_exposure_and_the_measures_when_the_tia_did_not_assess_the_practice(
    tmp_path: Path,
) -> None:
    data = copy.deepcopy(LAWFUL)
    _set("vendors", "mailer", "supplementary_measures", ["contractual"])(data)
    (finding,) = [f for f in audit_data(tmp_path, data).with_status(Status.FAIL) if f.rule_id == RULE]
    assert finding.message == (
        "mailer is exposed to fisa_702 and receives personal data under scc without supplementary measures "
        "keeping it unintelligible or a TIA documenting that this law is not applied in practice to the data "
        "and importer (declared: contractual; TIA outcome: sufficient)"
    )
    assert finding.graph_path == ["customers", "crm-db", "crm-to-mailer", "mailer"]


def test_an_undeclared_exposure_is_not_evaluable_and_names_the_input(tmp_path: Path) -> None:
    data = copy.deepcopy(LAWFUL)
    _set("vendors", "mailer", "surveillance_exposure", None)(data)
    _set("vendors", "mailer", "supplementary_measures", None)(data)
    (finding,) = [f for f in audit_data(tmp_path, data).results() if (f.rule_id, f.asset_id) == (RULE, "mailer")]
    assert (finding.status, finding.missing) == (Status.NOT_EVALUABLE, ["facts.transfer.surveillance_exposure"])


def test_one_finding_per_transfer_and_a_dpf_certified_recipient_needs_no_measures(tmp_path: Path) -> None:
    result = audit_data(tmp_path, LAWFUL)
    judged = {f.asset_id: f.status for f in result.results() if f.rule_id == RULE}
    assert judged == {"mailer": Status.PASS, "cloud": Status.PASS, "annotators": Status.PASS}
    insights = next(f for f in result.results() if (f.rule_id, f.asset_id) == ("GDPR-44-TRANSFER-BASIS", "insights"))
    assert insights.status is Status.PASS


def test_a_sufficient_tia_documenting_the_practice_needs_no_measures(tmp_path: Path) -> None:
    """EDPB Recommendations 01/2020 v2.0 para 43.3; SCC 2021/914 Clause 14(b)(i)."""
    data = copy.deepcopy(LAWFUL)
    _set("vendors", "mailer", "supplementary_measures", ["contractual"])(data)
    _set("vendors", "mailer", "tia_practical_application_assessed", True)(data)
    assert _transfer_failures(tmp_path, data) == set()
    _set("vendors", "mailer", "tia_outcome", "insufficient")(data)
    assert (RULE, "mailer") in _transfer_failures(tmp_path, data)


def test_the_remediation_says_the_eo_14086_safeguards_may_be_relied_on_for_a_us_importer() -> None:
    remediation = load_policies(default_policies_dir()).rules[RULE].rule.remediation
    assert "for a US importer under s. 702 the TIA may rely on the EO 14086 safeguards" in remediation
    assert "Data Protection Review Court" in remediation
