"""Every GDPR and CCPA rule's failing case has a lawful twin that the law does not reach.

The twin keeps the same assets and defects but moves the organisation out of the regime's scope:
for the GDPR a US company with no EEA establishment whose data subjects are all in New York
(Art. 3); for the CCPA a company under every 1798.140(d)(1) threshold. What failed must now be
NOT_APPLICABLE (or, where the rule's own selector no longer matches, give no result): never FAIL.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, DEFAULT_ORGANIZATION, audit_rule, bundled, rule_case_specs, statuses


def _out_of_gdpr(data: dict[str, Any]) -> dict[str, Any]:
    twin = copy.deepcopy(data)
    org = twin.get("organization") or dict(DEFAULT_ORGANIZATION)
    twin["organization"] = {**org, "country": "US", "establishments": []}
    for dataset in twin.get("datasets", []):
        dataset.update(subject_jurisdictions=["US-NY"], eea_offering=False, eea_monitoring=False)
    return twin


def _out_of_ccpa(data: dict[str, Any]) -> dict[str, Any]:
    twin = copy.deepcopy(data)
    org = twin.get("organization") or dict(DEFAULT_ORGANIZATION)
    twin["organization"] = {
        **org,
        "annual_revenue_usd": 1_000_000,
        "ca_consumers_sold_shared": 1_000,
        "revenue_share_from_selling_pct": 0,
    }
    return twin


TWINS = {"gdpr": _out_of_gdpr, "ccpa": _out_of_ccpa}


def _failing_cases() -> list[Any]:
    policies, _ = bundled()
    params = []
    for _, spec in rule_case_specs():
        loaded = policies.rules[spec["rule"]]
        regime = loaded.rule.regime or policies.packs[loaded.pack].regime
        if regime not in TWINS:  # no regime, or one with a test of its own (a service provider's duties)
            continue
        for case in spec["cases"]:
            failing = sorted(asset for asset, status in case["expect"].items() if status == "FAIL")
            if failing:
                params.append(
                    pytest.param(
                        spec["rule"], regime, case, spec.get("config"), failing, id=f"{spec['rule']}::{case['name']}"
                    )
                )
    return params


@pytest.mark.parametrize(("rule_id", "regime", "case", "config", "failing"), _failing_cases())
def test_out_of_scope_twin_never_fails(
    tmp_path: Path, rule_id: str, regime: str, case: dict[str, Any], config: Any, failing: list[str]
) -> None:
    as_of = date.fromisoformat(str(case["as_of"])) if "as_of" in case else AS_OF
    twin = TWINS[regime](case["inventory"])
    got = statuses(audit_rule(tmp_path, rule_id, twin, as_of, case.get("config", config)), rule_id)
    assert {asset: got.get(asset) for asset in failing if got.get(asset) not in (None, "NOT_APPLICABLE")} == {}
    assert "FAIL" not in got.values()


# Rules whose own selector already excludes the twin, so it gives no result rather than
# NOT_APPLICABLE: Chapter V rules select assets where a transfer is made (no EEA data subject's
# data leaves a US-only company), CPPA-7120 and CPPA-7124 select businesses over the 7120(b)
# thresholds, GDPR-37's national trigger (BDSG s. 38) and GDPR-35's national list (the DSK's)
# select German organisations only, and the ePrivacy tracker rule selects trackers on people in the EEA.
SILENT_TWINS = {
    "CPPA-7120-CYBERSECURITY-AUDIT",
    "CPPA-7124-AUDIT-CERTIFICATION",
    "GDPR-35-DPIA-NATIONAL-LIST",
    "GDPR-37-DATA-PROTECTION-OFFICER",
    "GDPR-44-REMOTE-ACCESS",
    "GDPR-44-TRANSFER-BASIS",
    "GDPR-45-DPF-HR-DATA",
    "GDPR-46-SCC-VERSION",
    "GDPR-46-SURVEILLANCE-SUPPLEMENTARY-MEASURES",
    "GDPR-46-TRANSFER-IMPACT-ASSESSMENT",
    "GDPR-49-DEROGATION",
    "GDPR-EPRIVACY-5-3-TRACKER-CONSENT",
}


def test_twins_say_not_applicable_with_a_reason(tmp_path: Path) -> None:
    """Every other twin turns the failure into NOT_APPLICABLE with its reason, not into silence."""
    silent = set()
    for index, param in enumerate(_failing_cases()):
        rule_id, regime, case, config, failing = param.values
        as_of = date.fromisoformat(str(case["as_of"])) if "as_of" in case else AS_OF
        folder = tmp_path / str(index)
        folder.mkdir()
        result = audit_rule(folder, rule_id, TWINS[regime](case["inventory"]), as_of, case.get("config", config))
        reasons = {f.asset_id: f.message for f in result.findings if f.status.value == "NOT_APPLICABLE"}
        if not all(reasons.get(asset) for asset in failing):
            silent.add(rule_id)
    assert silent == SILENT_TWINS
