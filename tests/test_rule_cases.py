"""Per-rule fixture cases as data (tests/rules/<RULE_ID>.yaml), expanded into one test each.

A case gives an inventory and the status expected for listed assets under the file's rule
(null: the rule does not apply to that asset, so no result at all). A file may give a `config`
(e.g. to enable a pack that is off by default) and state, under `not_evaluable`, why its rule
can never be NOT_EVALUABLE.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from auditor.policy.loader import default_policies_dir, load_policies
from tests.conftest import AS_OF, audit_rule, rule_case_specs, statuses


def _cases() -> list[Any]:
    params = []
    for _, spec in rule_case_specs():
        for case in spec["cases"]:
            case = {"config": spec.get("config"), **case}  # a case may give its own config
            params.append(pytest.param(spec["rule"], case, id=f"{spec['rule']}::{case['name']}"))
    return params


@pytest.mark.parametrize(("rule_id", "case"), _cases())
def test_rule_case(tmp_path: Path, rule_id: str, case: dict[str, Any]) -> None:
    as_of = date.fromisoformat(str(case["as_of"])) if "as_of" in case else AS_OF
    result = audit_rule(tmp_path, rule_id, case["inventory"], as_of, case["config"])
    got = statuses(result, rule_id)
    assert {asset: got.get(asset) for asset in case["expect"]} == case["expect"]


def test_every_rule_has_pass_fail_and_not_evaluable_cases() -> None:
    rules = load_policies(default_policies_dir()).rules
    seen: dict[str, set[str]] = {}
    for path, spec in rule_case_specs():
        assert path.stem == spec["rule"], f"{path.name} must be named after its rule"
        outcomes = seen.setdefault(spec["rule"], set())
        if spec.get("not_evaluable"):  # a stated reason why the rule can never be NOT_EVALUABLE
            outcomes.add("NOT_EVALUABLE")
        for case in spec["cases"]:
            outcomes.update(v for v in case["expect"].values() if v)
    missing = {
        rule_id: sorted({"PASS", "FAIL", "NOT_EVALUABLE"} - seen.get(rule_id, set()))
        for rule_id in rules
        if {"PASS", "FAIL", "NOT_EVALUABLE"} - seen.get(rule_id, set())
    }
    assert missing == {}
    assert set(seen) <= set(rules), "fixture files for rules that do not exist"
