"""Precision: lawful organisations get no FAIL, and each law that does not reach them says so.

Five realistic inventories of lawful organisations live in tests/precision/ (one YAML file each;
the comment at the top of each file says who the organisation is and why each law does or does
not reach it). Each is audited on every pack enabled by default: zero FAIL, the exact count of
results per pack and status (so NOT_APPLICABLE shows where a law does not apply), and the exact
NOT_EVALUABLE results, each justified below. Each has a flawed twin: the same inventory with a
few realistic defects, whose exact FAIL and NOT_EVALUABLE findings are asserted. Then each is
audited on both sides of the dates in force that concern it.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.engine import AuditInputs, audit
from auditor.inventory.loader import load_inventory
from auditor.policy.config import load_config
from auditor.result import AuditResult
from tests.conftest import bundled, checked

PRECISION = Path(__file__).parent / "precision"

Counts = dict[tuple[str, str], int]
Findings = set[tuple[str, str, str]]


def _audit_file(path: Path, as_of: date) -> AuditResult:
    policies, frameworks = bundled()
    inputs = AuditInputs(load_inventory([path]), policies, frameworks, load_config(None, policies))
    return checked(audit(inputs, as_of))


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PRECISION / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def _audit_data(tmp_path: Path, data: dict[str, Any], as_of: date) -> AuditResult:
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return _audit_file(path, as_of)


def _counts(result: AuditResult) -> Counts:
    policies, _ = bundled()
    return dict(Counter((policies.rules[f.rule_id].pack, f.status.value) for f in result.results()))


def _open(result: AuditResult) -> Findings:
    """FAIL and NOT_EVALUABLE findings as (rule, asset, status)."""
    return {(f.rule_id, f.asset_id, f.status.value) for f in result.results() if f.status.needs_attention}


def _regime(result: AuditResult, prefixes: tuple[str, ...]) -> Findings:
    """Every finding of rules whose id starts with one of `prefixes`."""
    return {(f.rule_id, f.asset_id, f.status.value) for f in result.results() if f.rule_id.startswith(prefixes)}


DELETE = object()


def _patched(data: dict[str, Any], patch: list[tuple[str, Any]]) -> dict[str, Any]:
    """`data` with each `section/asset-id/key/...` set to its value (DELETE removes the key);
    `organization/key` addresses the organisation."""
    twin = copy.deepcopy(data)
    for address, value in patch:
        section, *rest = address.split("/")
        if section == "organization":
            node: Any = twin["organization"]
        else:
            asset_id, *rest = rest
            node = next(a for a in twin[section] if a["id"] == asset_id)
        *parents, key = rest
        for part in parents:
            node = node[part]
        if value is DELETE:
            del node[key]
        else:
            node[key] = value
    return twin


AS_OF = date(2026, 11, 1)

# Per organisation: audit date, exact counts per (pack, status), exact NOT_EVALUABLE results.
LAWFUL: dict[str, tuple[date, Counts, Findings]] = {
    # a. US-only CCPA business: every GDPR result is NOT_APPLICABLE (no EEA establishment, no
    # offering to or monitoring of people in the EEA, Art. 3). The one NOT_EVALUABLE is honest:
    # the recommendation model is a two-tower network, not a transformer, so AI-MEM-INF-01's
    # KV-cache model has no layers/heads to size it with.
    "us-ccpa-retailer": (
        AS_OF,
        {
            ("ai-infra", "NOT_EVALUABLE"): 1,
            ("ai-infra", "PASS"): 8,
            ("ccpa", "PASS"): 42,
            ("gdpr", "NOT_APPLICABLE"): 68,
            ("security", "PASS"): 95,
        },
        {("AI-MEM-INF-01", "reco-serve", "NOT_EVALUABLE")},
    ),
    # b. Canadian company, Canadian customers only, under every CCPA threshold: both laws say
    # NOT_APPLICABLE everywhere (PIPEDA, which governs it, is not modelled by any pack).
    "canada-bookkeeping": (
        AS_OF,
        {
            ("ai-infra", "PASS"): 13,
            ("ccpa", "NOT_APPLICABLE"): 24,
            ("gdpr", "NOT_APPLICABLE"): 50,
            ("security", "PASS"): 78,
        },
        set(),
    ),
    # c. German AI lab, EEA processors only: the GDPR applies (Art. 3(1)) and passes; no
    # California consumer, so the CCPA does not.
    "eu-ai-lab": (
        AS_OF,
        {
            ("ai-infra", "PASS"): 27,
            ("ccpa", "NOT_APPLICABLE"): 26,
            ("gdpr", "PASS"): 55,  # with the training rules and the breach clause of the sub-processor annotatio-pt
            ("security", "PASS"): 78,
        },
        set(),
    ),
    # d. French company with processors in Switzerland, the UK, Japan (APPI scope) and a
    # DPF-certified US vendor: every transfer has an adequacy basis. Over the CCPA revenue
    # threshold but with no California consumer: the CCPA is NOT_APPLICABLE, organisation included.
    "eu-adequate-processors": (
        AS_OF,
        {
            ("ai-infra", "PASS"): 5,
            ("ccpa", "NOT_APPLICABLE"): 47,
            ("gdpr", "PASS"): 55,
            ("security", "PASS"): 62,
        },
        set(),
    ),
    # e. A US company with California customers audited on 2019-06-30: the CCPA is not operative
    # (no CCPA rule is evaluated at all) and the GDPR does not reach it.
    "us-2019-audit": (
        date(2019, 6, 30),
        {
            ("ai-infra", "PASS"): 7,
            ("gdpr", "NOT_APPLICABLE"): 27,
            ("security", "PASS"): 50,
        },
        set(),
    ),
}


@pytest.mark.parametrize("name", sorted(LAWFUL))
def test_lawful_organisation_gets_no_fail(name: str) -> None:
    as_of, counts, not_evaluable = LAWFUL[name]
    result = _audit_file(PRECISION / f"{name}.yaml", as_of)
    assert [f for f in result.results() if f.status.value == "FAIL"] == []
    assert _counts(result) == counts
    assert _open(result) == not_evaluable
    assert all(f.message for f in result.results() if f.status.value == "NOT_APPLICABLE")


def test_the_suite_covers_every_inventory() -> None:
    assert sorted(p.stem for p in PRECISION.glob("*.yaml")) == sorted(LAWFUL)


# Per organisation: the defects (a patch of the lawful inventory) and the exact open findings.
TWINS: dict[str, tuple[list[tuple[str, Any]], Findings]] = {
    "us-ccpa-retailer": (
        [
            ("flows/flow-audience-share/gpc_honored", False),  # GPC ignored
            ("vendors/gusto/ccpa_contract_ref", DELETE),  # payroll vendor without the 1798.100(d) terms
            ("datasets/storefront-events/retention_days", DELETE),  # no retention for a category
            ("storage/hr-db/encryption_at_rest/enabled", False),  # SSNs in an unencrypted database
            ("datasets/employee-records/purposes", ["legal_compliance", "workforce_analytics"]),  # SPI reused
            ("datasets/employee-records/spi_limit_mechanism", False),
            ("datasets/employee-records/infers_characteristics", True),  # with no right to limit
        ],
        {
            ("AI-MEM-INF-01", "reco-serve", "NOT_EVALUABLE"),
            ("CCPA-100-RETENTION-PER-CATEGORY", "storefront-events", "FAIL"),
            ("CCPA-100-SERVICE-PROVIDER-CONTRACT", "gusto", "FAIL"),
            ("CCPA-121-SENSITIVE-PI-LIMIT", "employee-records", "FAIL"),
            ("CCPA-135-GLOBAL-PRIVACY-CONTROL", "flow-audience-share", "FAIL"),
            ("CCPA-1798-150-UNENCRYPTED-PI", "hr-db", "FAIL"),
            ("SEC-ENCRYPTION-SENSITIVE-STORE", "hr-db", "FAIL"),
        },
    ),
    # The GDPR and the CCPA defects stay NOT_APPLICABLE (no lawful basis declared, no CCPA
    # contract): only the security and hardware defects are findings.
    "canada-bookkeeping": (
        [
            ("storage/ledger-db/backup/isolated", False),  # backups reachable from production
            ("storage/receipts-store/public_access", True),  # receipts bucket made public
            ("datasets/customer-ledgers/lawful_basis", DELETE),
            ("workloads/finetune-extractor/sharding", "none"),  # 7B full fine-tune on one 48 GB GPU each
            ("compute/tor-proxy/open_ports", [443, 22]),  # SSH open to the internet
        ],
        {
            ("AI-MEM-TRAIN-01", "finetune-extractor", "FAIL"),
            ("SEC-BACKUP-ISOLATED", "ledger-db", "FAIL"),
            ("SEC-EXPOSED-PERSONAL-DATA-STORE", "receipts-store", "FAIL"),
            ("SEC-OPEN-PORTS", "tor-proxy", "FAIL"),
            ("SEC-PUBLIC-DATASTORE", "receipts-store", "FAIL"),
        },
    ),
    "eu-ai-lab": (
        [
            ("datasets/finetune-set/lia_ref", DELETE),  # legitimate interests with no LIA
            ("vendors/annotatio-pt/authorised", False),  # sub-processor not authorised
            ("vendors/annotatio-pt/country", "IN"),  # and in a country with no adequacy decision
            ("storage/muc-conversations/access_logging", False),
            ("workloads/sft-70b/sharding", "none"),  # 70B without sharding
            ("workloads/sft-70b/objection_handling_ref", DELETE),  # training on legitimate interests
            ("organization/dpo_notified_to_authority", False),  # DPO never communicated to the SA (Art. 37(7))
        ],
        {
            ("GDPR-37-DATA-PROTECTION-OFFICER", "isarwerk", "FAIL"),
            ("AI-MEM-TRAIN-01", "sft-70b", "FAIL"),
            ("GDPR-28-SUBPROCESSOR-AUTHORISED", "annotatio-pt", "FAIL"),
            ("GDPR-44-TRANSFER-BASIS", "annotatio-pt", "FAIL"),
            ("GDPR-6-LEGITIMATE-INTEREST-ASSESSMENT", "finetune-set", "FAIL"),
            ("GDPR-6-TRAINING-LEGITIMATE-INTEREST", "sft-70b", "FAIL"),  # its only LIA is the deleted one
            ("GDPR-21-TRAINING-OBJECTION", "sft-70b", "FAIL"),
            ("SEC-STORE-ACCESS-LOGGING", "muc-conversations", "FAIL"),
        },
    ),
    "eu-adequate-processors": (
        [
            ("vendors/mailwave-us/certifications", [{"framework": "dpf", "from": "2023-09-14", "until": "2026-06-30"}]),
            ("vendors/kotoba-jp/within_adequacy_scope", False),  # not an APPI business operator
            ("storage/ch-backup/retention_days", 4000),  # backups kept eleven years
            ("datasets/newsletter-subscribers/consent_record_ref", DELETE),
            ("vendors/brightdesk-uk/breach_clause", False),
        ],
        {
            ("GDPR-33-PROCESSOR-BREACH-CLAUSE", "brightdesk-uk", "FAIL"),
            ("GDPR-44-TRANSFER-BASIS", "kotoba-jp", "FAIL"),
            ("GDPR-44-TRANSFER-BASIS", "mailwave-us", "FAIL"),
            ("GDPR-5-COPY-RETENTION", "ch-backup", "FAIL"),
            ("GDPR-7-CONSENT-RECORD", "newsletter-subscribers", "FAIL"),
        },
    ),
    # In 2019 the CCPA is not operative: the sale without an opt-out is no finding yet (see the
    # boundary test), the GDPR defect stays NOT_APPLICABLE, and the security defects are findings.
    "us-2019-audit": (
        [
            ("organization/log_retention_days", 30),  # logs kept 30 days, under the 90 of CIS 8.10
            ("compute/sd-app/last_patched", "2019-03-01"),  # four months unpatched
            ("storage/learners-db/encryption_at_rest/enabled", False),
            ("vendors/braintree/security_terms", False),
            ("flows/flow-payments/sale", True),  # learner data sold
            ("flows/flow-payments/consideration", True),  # for money
            ("flows/flow-payments/optout_enforced", False),  # with no opt-out
            ("storage/learners-db/backup/last_restore_test", "2017-11-02"),
        ],
        {
            ("SEC-CENTRAL-LOGGING", "pacific-crest", "FAIL"),
            ("SEC-ENCRYPTION-SENSITIVE-STORE", "learners-db", "FAIL"),
            ("SEC-PATCH-SLA", "sd-app", "FAIL"),
            ("SEC-SUPPLIER-SECURITY-TERMS", "braintree", "FAIL"),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_flawed_twin_gets_exactly_its_findings(tmp_path: Path, name: str) -> None:
    as_of = LAWFUL[name][0]
    patch, expected = TWINS[name]
    result = _audit_data(tmp_path, _patched(_load(name), patch), as_of)
    assert _open(result) == expected


def _only_the_flaw(tmp_path: Path, flawed: dict[str, Any], lawful: dict[str, Any], rule_id: str, asset_id: str) -> None:
    """The flawed twin gets exactly one finding, `rule_id` failing on `asset_id`; the lawful twin gets
    none, and that rule passes it."""
    results = []
    for side, data in (("flawed", flawed), ("lawful", lawful)):
        (tmp_path / side).mkdir()
        results.append(_audit_data(tmp_path / side, data, AS_OF))
    failed, passed = results
    assert _open(failed) == {(rule_id, asset_id, "FAIL")}
    assert _open(passed) == set()
    assert {f.status.value for f in passed.results() if f.rule_id == rule_id} == {"PASS"}


def test_fine_tuning_on_contract_data_fails_and_its_assessed_twin_does_not(tmp_path: Path) -> None:
    """The lab's fine-tuning set is held on the contract its conversations came under, not on
    legitimate interests: the training has no basis of its own (Art. 6(1)(b) covers only what the
    contract needs; EDPB 2/2019 s. 3.1). Its twin records an LIA of the training on the job and gets
    no finding."""
    straight = [("datasets/finetune-set/lawful_basis", "contract"), ("datasets/finetune-set/lia_ref", DELETE)]
    assessed = [*straight, ("workloads/sft-70b/lia_ref", "LIA-2026-03 fine-tuning on support conversations")]
    lab = _load("eu-ai-lab")
    _only_the_flaw(
        tmp_path, _patched(lab, straight), _patched(lab, assessed), "GDPR-6-TRAINING-CONTRACT-BASIS", "sft-70b"
    )


def test_hr_records_used_only_for_payroll_of_staff_and_contractors_need_no_7150_assessment(tmp_path: Path) -> None:
    """The retailer's HR records hold SSNs (sensitive PI) and, in these twins, started after the CPPA
    regulations came in (2026-01-01), with no risk assessment. Kept for legal compliance they need
    one (11 CCR 7150(b)(2): processing SPI). Used only for payroll and wage reporting of employees and
    independent contractors they fall under that trigger's exception, in which contractors count as
    employees do. An applicant among the data subjects ends the exception."""
    rule, records = "CPPA-7150-RISK-ASSESSMENT", "employee-records"
    unassessed = [
        (f"datasets/{records}/risk_assessment_ref", DELETE),
        (f"datasets/{records}/processing_started", "2026-02-01"),
    ]
    payroll = [
        *unassessed,
        (f"datasets/{records}/purposes", ["payroll", "wage_reporting"]),
        ("flows/flow-payroll/purpose", "payroll"),
    ]
    retailer = _load("us-ccpa-retailer")
    twins = {
        "as-is": [],
        "legal-compliance": unassessed,
        "staff-and-contractors": [
            *payroll,
            (f"datasets/{records}/data_subjects", ["employee", "independent_contractor"]),
        ],
        "with-applicants": [*payroll, (f"datasets/{records}/data_subjects", ["employee", "applicant"])],
    }
    found = {}
    for name, patch in twins.items():
        (tmp_path / name).mkdir()
        found[name] = _open(_audit_data(tmp_path / name, _patched(retailer, patch), AS_OF))

    assert found["staff-and-contractors"] == found["as-is"]
    assert found["legal-compliance"] == found["with-applicants"] == found["as-is"] | {(rule, records, "FAIL")}


def test_a_newsletter_for_children_on_consent_needs_parental_consent_and_its_twin_passes(tmp_path: Path) -> None:
    """The French shop's newsletter, on consent, also takes sign-ups from children: Art. 8(1) wants
    consent given or authorised by a parent below the age of digital consent (15 in France), checked
    (Art. 8(2)). The twin records its parental check and gets no finding."""
    children = [("datasets/newsletter-subscribers/data_categories", ["user.contact.email", "user.childrens"])]
    checked = [*children, ("datasets/newsletter-subscribers/parental_consent_ref", "CMP-PARENTAL-CHECK (under 15)")]
    shop = _load("eu-adequate-processors")
    _only_the_flaw(
        tmp_path, _patched(shop, children), _patched(shop, checked), "GDPR-8-CHILD-CONSENT", "newsletter-subscribers"
    )


def test_an_email_tracking_pixel_without_consent_fails_and_its_gated_twin_passes(tmp_path: Path) -> None:
    """The French shop adds an open-tracking pixel to its newsletter: it reads the subscribers'
    devices, so it needs their consent first (ePrivacy Art. 5(3); in France Art. 82 of the Loi
    Informatique et Libertés). The twin fires it only after consent through the shop's CMP."""
    pixel = {"id": "newsletter-pixel", "type": "pixel", "collects": ["newsletter-subscribers"]}
    gated = {**pixel, "consent_mechanism_ref": "CMP-DOUBLE-OPT-IN-LOG (pixel opt-in)"}
    shop = _load("eu-adequate-processors")
    ungated_shop, gated_shop = ({**shop, "collection_points": [point]} for point in (pixel, gated))
    _only_the_flaw(tmp_path, ungated_shop, gated_shop, "GDPR-EPRIVACY-5-3-TRACKER-CONSENT", "newsletter-pixel")


# Defects under a law that does not reach the organisation stay NOT_APPLICABLE, never FAIL.
OUT_OF_SCOPE_DEFECTS = {
    "canada-bookkeeping": {
        ("GDPR-6-LAWFUL-BASIS", "customer-ledgers", "NOT_APPLICABLE"),
        ("GDPR-32-BACKUP-TESTED", "ledger-db", "NOT_APPLICABLE"),
        ("CCPA-100-SERVICE-PROVIDER-CONTRACT", "moneris", "NOT_APPLICABLE"),
    },
    "us-2019-audit": {
        ("GDPR-32-BACKUP-TESTED", "learners-db", "NOT_APPLICABLE"),
        ("GDPR-32-ENCRYPTION-AT-REST", "learners-db", "NOT_APPLICABLE"),
    },
}


# The CCPA is NOT_APPLICABLE to the Canadian company and not yet operative in 2019 (no result).
CCPA_STATUSES = {"canada-bookkeeping": {"NOT_APPLICABLE"}, "us-2019-audit": set()}


@pytest.mark.parametrize("name", sorted(OUT_OF_SCOPE_DEFECTS))
def test_twin_defects_under_a_law_that_does_not_apply_are_not_applicable(tmp_path: Path, name: str) -> None:
    result = _audit_data(tmp_path, _patched(_load(name), TWINS[name][0]), LAWFUL[name][0])
    findings = {(f.rule_id, f.asset_id, f.status.value) for f in result.results()}
    assert OUT_OF_SCOPE_DEFECTS[name] <= findings
    ccpa_statuses = {status for _, _, status in _regime(result, ("CCPA-", "CPPA-"))}
    assert ccpa_statuses == CCPA_STATUSES[name]


# Rules that start at each milestone (auditor/catalog/regimes.yaml), as this suite's inventories see them.
CCPA_2020 = {
    "CCPA-100-NOTICE-AT-COLLECTION",
    "CCPA-100-PURPOSE-LIMITATION",
    "CCPA-105-DELETION-STORE",
    "CCPA-105-DELETION-VENDOR",
    "CCPA-140-SALE-SHARE-DERIVED",
}
CPRA = {"CCPA-100-RETENTION-PER-CATEGORY", "CCPA-100-SERVICE-PROVIDER-CONTRACT", "CCPA-121-SENSITIVE-PI-LIMIT"}
GDPR_ALL = {
    "GDPR-33-BREACH-REGISTER",
    "GDPR-13-PRIVACY-NOTICE",
    "GDPR-17-ERASURE-PATH",
    "GDPR-17-PROCESSOR-DELETION",
    "GDPR-20-PORTABILITY",
    "GDPR-28-PROCESSOR-CONTRACT",
    "GDPR-30-RECORD-OF-PROCESSING",
    "GDPR-32-BACKUP-TESTED",
    "GDPR-32-ENCRYPTION-AT-REST",
    "GDPR-33-INCIDENT-RESPONSE-PLAN",
    "GDPR-33-PROCESSOR-BREACH-CLAUSE",
    "GDPR-35-DPIA-WP248-CRITERIA",  # every workload on personal data is screened (WP248 rev.01)
    "GDPR-5-COPY-RETENTION",
    "GDPR-5-DATA-MINIMISATION",
    "GDPR-5-PURPOSE-LIMITATION",
    "GDPR-5-RETENTION-PERIOD",
    "GDPR-6-LAWFUL-BASIS",
}
GDPR_TRANSFERS = {"GDPR-44-TRANSFER-BASIS"}  # GDPR-49 judges only transfers on a derogation
RETAILER_2020 = CCPA_2020 | {"CCPA-1798-150-UNENCRYPTED-PI"}
# "Sharing" for cross-context behavioural advertising exists only from the CPRA (1798.140(ah)):
# the retailer's audience share is judged for opt-out, GPC, notice and third-party contract from 2023.
RETAILER_2023 = (
    RETAILER_2020
    | CPRA
    | {
        "CCPA-100-THIRD-PARTY-CONTRACT",
        "CCPA-120-OPT-OUT",
        "CCPA-135-GLOBAL-PRIVACY-CONTROL",
        "CCPA-135-OPT-OUT-NOTICE",
    }
)
# Braintree has no service-provider contract and buys nothing: a third party owed no deletion
# notice (1798.105(c)(1) names service providers, contractors and third parties sold or shared to).
SNAPSHOT_2019 = CCPA_2020 - {"CCPA-105-DELETION-VENDOR"}

# (inventory, day before, day of the milestone, rule prefixes, then for each day: the rules
# evaluated, the statuses they give and their exact FAIL/NOT_EVALUABLE findings).
Side = tuple[set[str], set[str], Findings]
NONE: Side = (set(), set(), set())
BOUNDARIES: list[tuple[str, str, str, tuple[str, ...], Side, Side]] = [
    # GDPR Art. 99(2): applies from 2018-05-25; before, no GDPR rule is evaluated at all.
    *[
        (name, "2018-05-24", "2018-05-25", ("GDPR-",), NONE, (rules, {"NOT_APPLICABLE"}, set()))
        for name, rules in [
            # The retailer's recommender model store (Opinion 28/2024) and AdReach-style audience
            # partner (Art. 26); the bookkeeper's fine-tuned extractor model.
            (
                "us-ccpa-retailer",
                GDPR_ALL - {"GDPR-20-PORTABILITY"}
                | {
                    "GDPR-26-JOINT-CONTROLLER-ARRANGEMENT",
                    "GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT",
                    "GDPR-6-BEHAVIOURAL-ADVERTISING-CONSENT",  # its audience share
                },
            ),
            (
                "canada-bookkeeping",
                GDPR_ALL
                | {
                    "GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT",
                    "GDPR-6-LEGITIMATE-INTEREST-ASSESSMENT",
                    "GDPR-7-CONSENT-RECORD",
                },
            ),
            ("us-2019-audit", GDPR_ALL - {"GDPR-20-PORTABILITY"}),
        ]
    ],
    (
        "eu-ai-lab",
        "2018-05-24",
        "2018-05-25",
        ("GDPR-",),
        NONE,
        (
            GDPR_ALL
            | {
                "GDPR-4-ANONYMISATION-EVIDENCE",
                "GDPR-6-LEGITIMATE-INTEREST-ASSESSMENT",
                "GDPR-6-TRAINING-LEGITIMATE-INTEREST",
                "GDPR-21-TRAINING-OBJECTION",
                "GDPR-28-SUBPROCESSOR-AUTHORISED",
                "GDPR-28-SUBPROCESSOR-FLOW-DOWN",
                "GDPR-5-MODEL-PERSONAL-DATA-ASSESSMENT",  # muc-models: assessed (MA-2026-02)
                "GDPR-37-DATA-PROTECTION-OFFICER",  # 60 people process personal data: BDSG s. 38
            },
            {"PASS"},
            set(),
        ),
    ),
    # The 2026 processors audited in 2018: the UK is a member state (no transfer), Switzerland is
    # adequate, but Japan's decision dates from 2019-01-23 and the US vendor's DPF certification
    # from 2023-09-14, so those two transfers have no basis yet.
    (
        "eu-adequate-processors",
        "2018-05-24",
        "2018-05-25",
        ("GDPR-",),
        NONE,
        (
            (GDPR_ALL - {"GDPR-35-DPIA-WP248-CRITERIA"})  # it runs no workload
            | GDPR_TRANSFERS
            | {"GDPR-6-LEGITIMATE-INTEREST-ASSESSMENT", "GDPR-7-CONSENT-RECORD"},
            {"PASS", "FAIL"},
            {("GDPR-44-TRANSFER-BASIS", "kotoba-jp", "FAIL"), ("GDPR-44-TRANSFER-BASIS", "mailwave-us", "FAIL")},
        ),
    ),
    # CCPA operative 2020-01-01 (1798.198(a)); GPC (AG regulations) only from 2020-08-14.
    ("us-ccpa-retailer", "2019-12-31", "2020-01-01", ("CCPA-", "CPPA-"), NONE, (RETAILER_2020, {"PASS"}, set())),
    # The 2019 snapshot pays Braintree for payments and gets nothing for the data: no sale
    # (1798.140(ad)), so the CCPA's first day brings only passes.
    ("us-2019-audit", "2019-12-31", "2020-01-01", ("CCPA-", "CPPA-"), NONE, (SNAPSHOT_2019, {"PASS"}, set())),
    (
        "eu-ai-lab",
        "2019-12-31",
        "2020-01-01",
        ("CCPA-",),
        NONE,
        (CCPA_2020 | {"CCPA-120-OPT-OUT"}, {"NOT_APPLICABLE"}, set()),
    ),
    # CPRA amendments operative 2023-01-01: retention per category, contracts, sensitive PI.
    (
        "us-ccpa-retailer",
        "2022-12-31",
        "2023-01-01",
        ("CCPA-", "CPPA-"),
        (RETAILER_2020, {"PASS"}, set()),
        (RETAILER_2023, {"PASS"}, set()),
    ),
    (
        "us-2019-audit",
        "2022-12-31",
        "2023-01-01",
        ("CCPA-", "CPPA-"),
        (SNAPSHOT_2019, {"PASS"}, set()),
        # From the CPRA a service provider needs the 1798.100(d) contract the 2019 snapshot lacks.
        (
            SNAPSHOT_2019 | {"CCPA-100-RETENTION-PER-CATEGORY", "CCPA-100-SERVICE-PROVIDER-CONTRACT"},
            {"PASS", "FAIL", "NOT_APPLICABLE"},
            {("CCPA-100-SERVICE-PROVIDER-CONTRACT", "braintree", "FAIL")},
        ),
    ),
    # CPPA 2025 regulations effective 2026-01-01: cybersecurity audit and its certification (first
    # due 2028-04-01 for revenue over $100M) and risk assessment of the SSN-holding HR records.
    (
        "us-ccpa-retailer",
        "2025-12-31",
        "2026-01-01",
        ("CCPA-", "CPPA-"),
        (RETAILER_2023, {"PASS"}, set()),
        (
            RETAILER_2023
            | {
                "CPPA-7120-CYBERSECURITY-AUDIT",
                "CPPA-7124-AUDIT-CERTIFICATION",
                "CPPA-7150-RISK-ASSESSMENT",
                "CPPA-7150-SELL-SHARE-RISK-ASSESSMENT",
            },
            {"PASS"},
            set(),
        ),
    ),
]


def _side(result: AuditResult, prefixes: tuple[str, ...]) -> Side:
    findings = _regime(result, prefixes)
    return (
        {rule for rule, _, _ in findings},
        {status for _, _, status in findings},
        {finding for finding in findings if finding[2] in ("FAIL", "NOT_EVALUABLE")},
    )


@pytest.mark.parametrize(
    ("name", "before", "after", "prefixes", "expect_before", "expect_after"),
    BOUNDARIES,
    ids=[f"{b[0]}:{b[2]}" for b in BOUNDARIES],
)
def test_both_sides_of_a_date_in_force(
    name: str, before: str, after: str, prefixes: tuple[str, ...], expect_before: Side, expect_after: Side
) -> None:
    path = PRECISION / f"{name}.yaml"
    assert _side(_audit_file(path, date.fromisoformat(before)), prefixes) == expect_before
    assert _side(_audit_file(path, date.fromisoformat(after)), prefixes) == expect_after


def test_the_2019_twins_sale_without_opt_out_fails_from_the_first_day_of_the_ccpa(tmp_path: Path) -> None:
    twin = _patched(_load("us-2019-audit"), TWINS["us-2019-audit"][0])
    before = _audit_data(tmp_path, twin, date(2019, 12, 31))
    after = _audit_data(tmp_path, twin, date(2020, 1, 1))
    assert _regime(before, ("CCPA-", "CPPA-")) == set()
    assert {f for f in _regime(after, ("CCPA-", "CPPA-")) if f[2] != "PASS"} == {
        ("CCPA-120-OPT-OUT", "flow-payments", "FAIL"),
        ("CCPA-135-OPT-OUT-NOTICE", "pacific-crest", "FAIL"),
    }
