"""Waivers (active, expired, unused) and the config file (parameter overrides, errors)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditor.engine import AuditRequest, run_audit
from auditor.errors import InputError
from tests.conftest import audit_data, checked, statuses, write

PLAIN_STORES = {
    "storage": [
        {"id": "legacy-a", "encryption_at_rest": {"enabled": False}},
        {"id": "legacy-b", "encryption_at_rest": {"enabled": False}},
        {"id": "new-c", "encryption_at_rest": {"enabled": False}},
    ],
    "datasets": [
        {
            "id": "d",
            "personal_data": True,
            "retention_days": 1,
            "stored_in": ["legacy-a", "legacy-b", "new-c"],
        }
    ],
}


def test_active_waiver_marks_findings_and_expired_waiver_is_reported(tmp_path: Path) -> None:
    waivers = write(
        tmp_path,
        "waivers.yaml",
        """
        waivers:
          - rule: GDPR-32-*
            assets: legacy-*
            justification: Decommissioned in Q1; migration ticket MIG-12
            approver: ciso@example.com
            expires: 2026-12-31
          - rule: GDPR-32-ENCRYPTION-AT-REST
            assets: new-c
            justification: old exception
            approver: ciso@example.com
            expires: 2026-01-31
          - rule: AI-NET-01
            assets: "train-*"
            justification: nothing to waive
            approver: cto@example.com
            expires: 2027-01-01
        """,
    )
    result = audit_data(tmp_path, PLAIN_STORES, waivers=waivers)
    findings = {f.asset_id: f for f in result.findings if f.rule_id == "GDPR-32-ENCRYPTION-AT-REST"}
    assert {k: (f.status.value, f.waived) for k, f in findings.items()} == {
        "legacy-a": ("FAIL", True),
        "legacy-b": ("FAIL", True),
        "new-c": ("FAIL", False),
    }
    assert findings["legacy-a"].waived_by.approver == "ciso@example.com"
    assert [(s.state, s.matched) for s in result.waivers] == [("active", 2), ("expired", 1), ("unused", 0)]


def test_bad_waiver_file_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    waivers = write(
        tmp_path, "w.yaml", "waivers:\n  - rule: X\n    assets: '*'\n    approver: me\n    expires: someday\n"
    )
    with pytest.raises(InputError) as caught:
        audit_data(tmp_path, PLAIN_STORES, waivers=waivers)
    assert [str(i) for i in caught.value.issues] == [
        "w.yaml:2:5: $.waivers[0].justification: missing required attribute 'justification'",
        "w.yaml:5:14: $.waivers[0].expires: expected an ISO date YYYY-MM-DD (got 'someday')",
    ]


TRAINING = {
    "compute": [
        {
            "id": "n",
            "count": 2,
            "accelerator": {"model": "H100 SXM", "count": 8},
            "nics": [{"fabric": "ethernet", "gbps": 100, "count": 4}],
        }
    ],
    # 20B: AI-NET-01's 10-100B band, floor min_gbps_per_gpu (100) against 50 Gb/s per GPU.
    "workloads": [{"id": "job", "type": "training", "runs_on": ["n"], "parameters_billion": 20, "sharding": "none"}],
}


def test_config_overrides_parameters_and_disables_rules(tmp_path: Path) -> None:
    assert statuses(audit_data(tmp_path, TRAINING), "AI-NET-01") == {"job": "FAIL"}
    config = write(
        tmp_path,
        "config.yaml",
        """
        parameters:
          AI-NET-01: {min_gbps_per_gpu: 50}
        disabled_rules: [AI-MEM-TRAIN-01]
        """,
    )
    result = audit_data(tmp_path, TRAINING, config=config)
    assert statuses(result, "AI-NET-01") == {"job": "PASS"}
    assert statuses(result, "AI-MEM-TRAIN-01") == {}
    assert next(r for r in result.rules if r.id == "AI-NET-01").parameters["min_gbps_per_gpu"] == 50


def test_config_errors_name_the_unknown_things(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = write(
        tmp_path,
        "config.yaml",
        """
        parameters:
          AI-NET-01: {min_gbps: 50, min_gbps_per_gpu: fast}
          NOPE-1: {x: 1}
        disabled_rules: [NOPE-2]
        """,
    )
    with pytest.raises(InputError) as caught:
        audit_data(tmp_path, TRAINING, config=config)
    assert [str(i) for i in caught.value.issues] == [
        "config.yaml:2:25: $.parameters.AI-NET-01.min_gbps: rule AI-NET-01 has no parameter 'min_gbps'; "
        "did you mean 'min_gbps_small'? (known: large_model_billion, min_gbps_large, min_gbps_per_gpu, "
        "min_gbps_small, small_model_billion)",
        "config.yaml:2:47: $.parameters.AI-NET-01.min_gbps_per_gpu: expected a number like the default 100, got 'fast'",
        "config.yaml:3:11: $.parameters.NOPE-1: unknown rule 'NOPE-1'",
        "config.yaml:4:18: $.disabled_rules[0]: unknown rule 'NOPE-2'",
    ]


def test_rules_run_only_inside_their_effective_dates(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    write(policies, "p/pack.yaml", "name: p\ntitle: P\nversion: '1'\n")
    write(
        policies,
        "p/T-2027.yaml",
        """
        id: T-2027
        title: Applies from 2027
        severity: low
        description: d
        rationale: r
        remediation: m
        references: {x: ["1"]}
        effective_from: 2027-01-01
        applies_to: {kinds: [storage]}
        condition: {path: public_access, op: eq, value: false}
        """,
    )
    inventory = write(tmp_path, "inv.yaml", "storage: [{id: s, public_access: false}]\n")
    runs = {}
    for day in (date(2026, 12, 31), date(2027, 1, 1)):
        result = checked(run_audit(AuditRequest([inventory], policies, day, allow_empty=True)))
        runs[day.isoformat()] = (statuses(result, "T-2027"), result.notices)
    assert runs == {
        "2026-12-31": ({}, ["no rule is enabled and in force at the audit date; audited anyway (--allow-empty)"]),
        "2027-01-01": ({"s": "PASS"}, []),
    }


AI_ORGANISATION = {
    "organization": {"id": "lab", "country": "DE", "ai_systems": True},
    "workloads": [
        {
            "id": "assistant",
            "type": "inference",
            "ai_act_role": "provider",
            "interacts_with_people": True,
            "ai_interaction_disclosed": False,
        }
    ],
}


def test_the_ai_act_pack_runs_by_default_and_switching_it_off_is_stated(tmp_path: Path) -> None:
    on = audit_data(tmp_path, AI_ORGANISATION)
    assert {f.rule_id: f.status.value for f in on.findings if f.rule_id.startswith("AIACT")} == {
        "AIACT-4-AI-LITERACY": "FAIL",
        "AIACT-50-AI-INTERACTION-DISCLOSURE": "FAIL",
    }
    assert not any("disable" in notice for notice in on.notices)
    config = write(tmp_path, "config.yaml", "disable_packs: [eu-ai-act]\n")
    off = audit_data(tmp_path, AI_ORGANISATION, config=config)
    assert not [f for f in off.findings if f.rule_id.startswith("AIACT")]
    assert off.notices == [
        "rule pack eu-ai-act runs by default but is disabled by the config (disable_packs): "
        "its rules were not evaluated"
    ]
    assert {p["name"]: p["enabled"] for p in off.packs}["eu-ai-act"] is False


def test_disabling_a_pack_that_is_off_by_default_says_nothing(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    write(policies, "p/pack.yaml", "name: p\ntitle: P\nversion: '1'\nenabled_by_default: false\n")
    config = write(tmp_path, "config.yaml", "disable_packs: [p]\n")
    inventory = write(tmp_path, "inv.yaml", "storage: [{id: s}]\n")
    result = checked(run_audit(AuditRequest([inventory], policies, date(2026, 11, 1), config=config, allow_empty=True)))
    assert result.notices == ["no rule is enabled and in force at the audit date; audited anyway (--allow-empty)"]


HIGH_RISK = {"workloads": [{"id": "scoring", "type": "inference", "ai_act_high_risk": True, "log_retention_days": 30}]}


def test_a_pending_amendment_is_stated_only_where_a_rule_on_that_date_judged_something(tmp_path: Path) -> None:
    assert audit_data(tmp_path, {"storage": [{"id": "s"}]}).notices == []
    judged = audit_data(tmp_path, HIGH_RISK)
    assert statuses(judged, "AIACT-12-LOG-RETENTION") == {"scoring": "FAIL"}
    assert [n.split(";")[0] for n in judged.notices] == [
        "milestone eu_ai_act.annex_iii_high_risk applies from 2026-08-02 (AI Act Art. 113: applies from 2 Aug 2026, "
        "including Annex III high-risk systems)"
    ]
    config = write(tmp_path, "config.yaml", "milestones: {eu_ai_act.annex_iii_high_risk: 2027-12-02}\n")
    # a pin is stated even where nothing is judged: it may be why
    pinned = audit_data(tmp_path, {"storage": [{"id": "s"}]}, config=config)
    assert [n.split(" (")[0] for n in pinned.notices] == [
        "milestone eu_ai_act.annex_iii_high_risk is pinned to 2027-12-02 by the config"
    ]
