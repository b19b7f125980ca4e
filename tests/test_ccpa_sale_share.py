"""Known answers for the CCPA and CPPA principles of issue 9 on one realistic business.

tests/data/ccpa-business.yaml, "Sunset Outfitters", is a California retailer: a storefront website
with an advertising pixel, a mobile app with an analytics SDK, a call centre, card payments,
credit applications, a data broker it sells audience segments to, and a recommendation model.
The lawful inventory gives no CCPA or CPPA failure; each defect below changes one thing and must
give exactly its failures.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.result import Status
from tests.conftest import AS_OF, audit_data
from tests.test_analyses import facts_for

BUSINESS = Path(__file__).parent / "data" / "ccpa-business.yaml"
LAWFUL: dict[str, Any] = yaml.safe_load(BUSINESS.read_text(encoding="utf-8"))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the inventory: `section.id.field` (organization.field for the organisation)."""
    section, *rest = path.split(".")

    def change(data: dict[str, Any]) -> None:
        if section == "organization":
            target = data["organization"]
        else:
            target = next(item for item in data[section] if item["id"] == rest[0])
        field = rest[-1]
        if value is None:
            target.pop(field, None)
        else:
            target[field] = value

    return change


# (what is wrong, the change, the audit date, the exact CCPA/CPPA failures it must give)
DEFECTS: list[tuple[str, list[Callable[[dict[str, Any]], None]], date, set[tuple[str, str]]]] = [
    (
        "the ad pixel ignores opt-out requests",
        [_set("flows.pixel-to-adnet.optout_enforced", False)],
        AS_OF,
        {("CCPA-120-OPT-OUT", "pixel-to-adnet")},
    ),
    (
        "the ad pixel ignores the GPC signal",
        [_set("flows.pixel-to-adnet.gpc_honored", False)],
        AS_OF,
        {("CCPA-135-GLOBAL-PRIVACY-CONTROL", "pixel-to-adnet")},
    ),
    (
        "the pixel's sharing is declared share: false",
        [_set("flows.pixel-to-adnet.share", False)],
        AS_OF,
        {("CCPA-140-SALE-SHARE-DERIVED", "pixel-to-adnet")},
    ),
    (
        "the paid broker feed is declared sale: false",
        [_set("flows.segments-to-broker.sale", False)],
        AS_OF,
        {("CCPA-140-SALE-SHARE-DERIVED", "segments-to-broker")},
    ),
    (
        "the analytics service provider also uses the app events for cross-context advertising",
        [
            _set("flows.sdk-to-analytics.cross_context_advertising", True),
            _set("flows.sdk-to-analytics.share", False),
            _set("flows.sdk-to-analytics.optout_enforced", True),
            _set("flows.sdk-to-analytics.gpc_honored", True),
            _set("flows.sdk-to-analytics.risk_assessment_ref", "RA-APP-2026"),
        ],
        AS_OF,
        {("CCPA-140-SALE-SHARE-DERIVED", "sdk-to-analytics"), ("CCPA-100-THIRD-PARTY-CONTRACT", "sdk-to-analytics")},
    ),
    (
        "the analytics vendor's service-provider contract is missing",
        [_set("vendors.analytics-co.ccpa_contract_ref", None)],
        AS_OF,
        {("CCPA-100-SERVICE-PROVIDER-CONTRACT", "analytics-co")},
    ),
    (
        "the ad network has no third-party contract",
        [_set("vendors.adnet.third_party_contract_ref", None)],
        AS_OF,
        {("CCPA-100-THIRD-PARTY-CONTRACT", "pixel-to-adnet")},
    ),
    (
        "no notice of the right to opt out",
        [_set("organization.optout_notice_ref", None)],
        AS_OF,
        {("CCPA-135-OPT-OUT-NOTICE", "sunset")},
    ),
    (
        "the broker feed has no risk assessment",
        [
            _set("flows.segments-to-broker.risk_assessment_ref", None),
            _set("flows.segments-to-broker.processing_started", "2026-03-01"),
        ],
        AS_OF,
        {("CPPA-7150-SELL-SHARE-RISK-ASSESSMENT", "segments-to-broker")},
    ),
    (
        "SSNs are also used for credit pre-screening, not a 7027(m) purpose",
        [_set("datasets.credit-applications.purposes", ["service_delivery", "credit_prescreening"])],
        AS_OF,
        {("CCPA-121-SENSITIVE-PI-LIMIT", "credit-applications")},
    ),
    (
        "card numbers are kept with their security codes on an unencrypted export",
        [_set("datasets.orders.access_codes_included", True)],
        AS_OF,
        {("CCPA-1798-150-UNENCRYPTED-PI", "orders-export"), ("CPPA-7150-RISK-ASSESSMENT", "orders")},
    ),
    (
        "call recordings are turned into voiceprints that identify callers",
        [_set("datasets.call-recordings.data_categories", ["user.name", "user.biometric"])],
        AS_OF,
        {("CCPA-1798-150-UNENCRYPTED-PI", "call-archive"), ("CPPA-7150-RISK-ASSESSMENT", "call-recordings")},
    ),
    (
        "the model trained on orders verifies identities",
        [_set("workloads.recsys-train.trains", ["identity_verification"])],
        AS_OF,
        {("CPPA-7150-TRAINING-RISK-ASSESSMENT", "recsys-train")},
    ),
    (
        "the loyalty-programme records are sold to Coastline outside any acquisition",
        [_set("flows.loyalty-to-coastline.sale_share_exception", None)],
        AS_OF,
        {("CCPA-140-SALE-SHARE-DERIVED", "loyalty-to-coastline")},
    ),
    (
        "the ad network also targets with the opt-out list, which is then no mere opt-out signal",
        [_set("flows.optout-list-to-adnet.cross_context_advertising", True)],
        AS_OF,
        {("CCPA-140-SALE-SHARE-DERIVED", "optout-list-to-adnet")},
    ),
    (
        "the staffing forecast observes store staff without a risk assessment",
        [_set("workloads.staffing-forecast.risk_assessment_ref", None)],
        AS_OF,
        {("CPPA-7150-OBSERVATION-RISK-ASSESSMENT", "staffing-forecast")},
    ),
    (
        "visit attribution starts inferring clinic and place-of-worship visits, with no risk assessment",
        [
            _set("workloads.store-visit-attribution.infers_from", ["sensitive_location"]),
            _set("workloads.store-visit-attribution.processing_started", "2026-04-01"),
        ],
        AS_OF,
        {("CPPA-7150-SENSITIVE-LOCATION-RISK-ASSESSMENT", "store-visit-attribution")},
    ),
    (
        "no 7157 submission by 1 April 2028",
        [_set("organization.risk_assessment_submitted", None)],
        date(2028, 5, 1),
        {("CPPA-7157-RISK-ASSESSMENT-SUBMISSION", "sunset")},
    ),
]


def _ccpa_failures(tmp_path: Path, data: dict[str, Any], as_of: date) -> set[tuple[str, str]]:
    result = audit_data(tmp_path, data, as_of)
    return {
        (f.rule_id, f.asset_id) for f in result.with_status(Status.FAIL) if f.rule_id.startswith(("CCPA-", "CPPA-"))
    }


@pytest.mark.parametrize("as_of", [AS_OF, date(2028, 5, 1)], ids=str)
def test_the_lawful_business_gives_no_ccpa_failure(tmp_path: Path, as_of: date) -> None:
    assert _ccpa_failures(tmp_path, LAWFUL, as_of) == set()


@pytest.mark.parametrize(("changes", "as_of", "expected"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS])
def test_each_defect_gives_exactly_its_failures(
    tmp_path: Path, changes: list[Callable[[dict[str, Any]], None]], as_of: date, expected: set[tuple[str, str]]
) -> None:
    data = copy.deepcopy(LAWFUL)
    for change in changes:
        change(data)
    assert _ccpa_failures(tmp_path, data, as_of) == expected


def test_data_entering_at_a_collection_point_reaches_the_vendor_its_tag_sends_it_to(tmp_path: Path) -> None:
    facts = facts_for(tmp_path, LAWFUL)
    assert facts.by_asset["adnet"].personal_data.origins == ["browsing-events"]
    assert facts.lineage.path("adnet", "browsing-events") == [
        "browsing-events",
        "storefront",
        "pixel-to-adnet",
        "adnet",
    ]
    assert facts.by_asset["storefront"].personal_data.origins == ["browsing-events", "orders"]
    pixel = facts.by_asset["pixel-to-adnet"].flow
    assert (pixel.recipient, pixel.discloses, pixel.share, pixel.sale) == ("adnet", True, True, False)


def test_a_flow_from_a_node_lineage_does_not_reach_carries_its_declared_datasets(tmp_path: Path) -> None:
    facts = facts_for(tmp_path, LAWFUL)
    assert facts.by_asset["audience-builder"].personal_data.present is False
    assert facts.lineage.path("broker", "orders") == ["orders", "segments-to-broker", "broker"]
    feed = facts.by_asset["segments-to-broker"].flow
    assert (feed.sale, feed.share, feed.declaration_conflicts) == (True, False, [])
    assert feed.sale_share_reason == (
        "not used for cross-context behavioural advertising; broker is a third party (role third_party) giving "
        "valuable consideration: a sale (1798.140(ad)(1))"
    )


def test_a_store_operated_by_a_vendor_makes_that_vendor_the_recipient(tmp_path: Path) -> None:
    data = copy.deepcopy(LAWFUL)
    _set("vendors.analytics-co.ccpa_contract_ref", None)(data)
    _set("flows.sdk-to-analytics.consideration", None)(data)
    flow = facts_for(tmp_path, data).by_asset["sdk-to-analytics"].flow
    assert (flow.recipient, flow.service_provider, flow.sale, flow.share) == ("analytics-co", False, None, False)
    assert flow.declaration_conflicts is None
    assert flow.unknown_because == (
        "analytics-co is a third party (no service-provider contract) and whether it gives money or other valuable "
        "consideration is not declared (consideration on the flow)"
    )


def test_an_undecided_sale_does_not_cloud_a_share_that_is_certain(tmp_path: Path) -> None:
    """The pixel shares for sure; that the sale is unknown is no reason given for what the rule cannot decide."""
    data = copy.deepcopy(LAWFUL)
    for change in (
        _set("flows.pixel-to-adnet.consideration", None),
        _set("flows.pixel-to-adnet.risk_assessment_ref", None),
    ):
        change(data)
    result = audit_data(tmp_path, data)
    finding = next(
        f
        for f in result.findings
        if (f.rule_id, f.asset_id) == ("CPPA-7150-SELL-SHARE-RISK-ASSESSMENT", "pixel-to-adnet")
    )
    assert (finding.status, finding.missing) == (Status.NOT_EVALUABLE, ["processing_started"])


def test_a_contradicted_flag_is_reported_with_the_reason(tmp_path: Path) -> None:
    data = copy.deepcopy(LAWFUL)
    _set("flows.pixel-to-adnet.share", False)(data)
    failed = [
        f for f in audit_data(tmp_path, data).with_status(Status.FAIL) if f.rule_id == "CCPA-140-SALE-SHARE-DERIVED"
    ]
    assert [f.message for f in failed] == [
        "flow pixel-to-adnet: declared share: false, derived share: true, because disclosed to adnet for "
        "cross-context behavioural advertising: sharing (1798.140(ah)), whatever the recipient's contract "
        "(11 CCR 7050(b)); adnet is a third party (role third_party) but gives no valuable consideration: not a sale"
    ]


def test_an_exception_of_1798_140_ad_2_makes_a_paid_transfer_neither_sale_nor_share(tmp_path: Path) -> None:
    facts = facts_for(tmp_path, LAWFUL)
    merger = facts.by_asset["loyalty-to-coastline"].flow
    assert (merger.discloses, merger.sale, merger.share, merger.declaration_conflicts) == (True, False, False, [])
    assert merger.sale_share_reason == (
        "the personal information is transferred to coastline as an asset in a merger, acquisition or bankruptcy "
        "(a material change in its use needs prior notice): neither a sale nor sharing (1798.140(ad)(2)(C), "
        "(ah)(2)(C))"
    )
    signal = facts.by_asset["optout-list-to-adnet"].flow
    assert (signal.sale, signal.share) == (False, False)


def test_a_declared_sale_contradicts_the_exception(tmp_path: Path) -> None:
    data = copy.deepcopy(LAWFUL)
    _set("flows.loyalty-to-coastline.sale", True)(data)
    failed = [
        f for f in audit_data(tmp_path, data).with_status(Status.FAIL) if f.rule_id == "CCPA-140-SALE-SHARE-DERIVED"
    ]
    assert [(f.asset_id, f.message.split(", because")[0]) for f in failed] == [
        ("loyalty-to-coastline", "flow loyalty-to-coastline: declared sale: true, derived sale: false")
    ]


@pytest.mark.parametrize(
    ("workload", "rule", "missing"),
    [
        ("staffing-forecast", "CPPA-7150-OBSERVATION-RISK-ASSESSMENT", ["infers_from"]),
        (
            "store-visit-attribution",
            "CPPA-7150-SENSITIVE-LOCATION-RISK-ASSESSMENT",
            ["infers_from", "processing_started"],
        ),
    ],
)
def test_staff_or_location_data_without_infers_from_cannot_be_decided(
    tmp_path: Path, workload: str, rule: str, missing: list[str]
) -> None:
    data = copy.deepcopy(LAWFUL)
    _set(f"workloads.{workload}.infers_from", None)(data)
    _set(f"workloads.{workload}.risk_assessment_ref", None)(data)
    (finding,) = [f for f in audit_data(tmp_path, data).findings if (f.rule_id, f.asset_id) == (rule, workload)]
    assert (finding.status, finding.missing) == (Status.NOT_EVALUABLE, missing)
