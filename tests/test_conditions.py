"""Condition compiler: operators, typed comparisons, three-valued logic, relations, errors."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from auditor.policy.compiler import (
    EvalContext,
    RuleError,
    Scope,
    compile_condition,
    compile_rule,
    run_computed,
)
from auditor.policy.model import Condition, Rule
from tests.conftest import AS_OF, rule_text

CONDITION = TypeAdapter(Condition)


def check(
    condition: dict[str, Any],
    view: dict[str, Any],
    params: dict[str, Any] | None = None,
    neighbours: dict[str, list[dict[str, Any]]] | None = None,
) -> tuple[bool | None, EvalContext]:
    def lookup(asset_id: str, rel: str, direction: str) -> list[EvalContext]:
        return [EvalContext(v["id"], v, {}, {}, lookup) for v in (neighbours or {}).get(rel, [])]

    ctx = EvalContext("a", view, {"exposure": {"internet": False}}, {"country": "DE"}, lookup)
    fn = compile_condition(CONDITION.validate_python(condition), Scope(params or {}, AS_OF), "test")
    return fn(ctx), ctx


@pytest.mark.parametrize(
    ("condition", "view", "expected"),
    [
        ({"path": "n", "op": "ge", "value": 100}, {"n": 100}, True),
        ({"path": "n", "op": "lt", "value": 100}, {"n": 100.5}, False),
        ({"path": "v", "op": "gt", "value": "1.9.0", "type": "version"}, {"v": "1.10.0"}, True),
        ({"path": "d", "op": "lt", "value": "2026-01-01", "type": "date"}, {"d": "2025-12-31"}, True),
        ({"path": "s", "op": "in", "value": ["a", "b"]}, {"s": "b"}, True),
        ({"path": "s", "op": "not_in", "value": ["a", "b"]}, {"s": "b"}, False),
        ({"path": "l", "op": "contains", "value": "x"}, {"l": ["x", "y"]}, True),
        ({"path": "l", "op": "intersects", "value": ["z", "y"]}, {"l": ["x", "y"]}, True),
        ({"path": "l", "op": "disjoint", "value": ["z"]}, {"l": ["x", "y"]}, True),
        ({"path": "l", "op": "subset_of", "value": ["x", "y", "z"]}, {"l": ["x", "y"]}, True),
        ({"path": "s", "op": "matches", "value": "^2021/9"}, {"s": "2021/914"}, True),
        ({"path": "l", "op": "empty"}, {"l": []}, True),
        ({"path": "l", "op": "not_empty"}, {"l": []}, False),
        ({"path": "x", "op": "absent"}, {}, True),
        ({"path": "x", "op": "present"}, {"x": 0}, True),
        ({"path": "b", "op": "eq", "value": True}, {"b": False}, False),
        ({"path": "facts.exposure.internet", "op": "eq", "value": False}, {}, True),
        ({"path": "org.country", "op": "eq", "value": "DE"}, {}, True),
        ({"path": "a", "op": "le", "value": {"path": "b"}}, {"a": 3, "b": 4}, True),
    ],
)
def test_operators(condition: dict[str, Any], view: dict[str, Any], expected: bool) -> None:
    assert check(condition, view)[0] is expected


def test_missing_attribute_is_unknown_and_recorded() -> None:
    verdict, ctx = check({"path": "encryption.enabled", "op": "eq", "value": True}, {"encryption": None})
    assert verdict is None and ctx.missing == ["encryption.enabled"]


def test_type_mismatch_is_unknown_never_string_order() -> None:
    verdict, ctx = check({"path": "n", "op": "gt", "value": 5}, {"n": "10"})
    assert verdict is None and ctx.problems == ["n: '10' is not a number"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            {"all": [{"path": "t", "op": "eq", "value": True}, {"path": "missing", "op": "eq", "value": 1}]},
            None,
        ),
        (
            {"all": [{"path": "f", "op": "eq", "value": True}, {"path": "missing", "op": "eq", "value": 1}]},
            False,
        ),
        (
            {"any": [{"path": "t", "op": "eq", "value": True}, {"path": "missing", "op": "eq", "value": 1}]},
            True,
        ),
        (
            {"any": [{"path": "f", "op": "eq", "value": True}, {"path": "missing", "op": "eq", "value": 1}]},
            None,
        ),
        ({"not": {"path": "missing", "op": "eq", "value": 1}}, None),
        ({"not": {"path": "t", "op": "eq", "value": True}}, False),
    ],
)
def test_three_valued_logic(condition: dict[str, Any], expected: bool | None) -> None:
    assert check(condition, {"t": True, "f": False})[0] is expected


def test_related_conditions_over_edges() -> None:
    nets = {
        "attached_to": [
            {"id": "n1", "kind": "network", "internet_facing": False},
            {"id": "n2", "kind": "network", "internet_facing": True},
        ]
    }
    cond = {
        "related": {
            "rel": "attached_to",
            "match": "none",
            "where": {"path": "internet_facing", "op": "eq", "value": True},
        }
    }
    verdict, ctx = check(cond, {"id": "a"}, neighbours=nets)
    assert verdict is False
    assert ctx.observed["attached_to:out[n2].internet_facing"] is True
    cond["related"]["match"] = "any"
    assert check(cond, {"id": "a"}, neighbours=nets)[0] is True


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"path": "n", "op": "gt", "value": "high"}, "'gt' cannot order string values"),
        ({"path": "n", "op": "ge", "value": {"param": "nope"}}, "unknown parameter 'nope'"),
        ({"path": "n", "op": "eq"}, "operator 'eq' needs a value"),
        ({"path": "n", "op": "present", "value": 1}, "operator .present. takes no value and no if_missing"),
        ({"path": "n", "op": "lt", "value": "soon", "type": "date"}, "value 'soon' is not an ISO date"),
    ],
)
def test_invalid_conditions_are_rule_errors(condition: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        check(condition, {})


RULE = rule_text(
    "T-1",
    applies_to={"kinds": ["workload"]},
    parameters={"bytes": {"default": 16, "description": "b"}},
    compute={"gb": "params * bytes / 1e9 + max(1, 2) - ceil(0.5)"},
    condition={"path": "computed.gb", "op": "le", "value": 100},
)


def test_compute_expressions_use_parameters_and_overrides() -> None:
    compiled = compile_rule(Rule.model_validate(RULE), AS_OF, {"bytes": 20})
    ctx = EvalContext("w", {"params": 7e9}, {}, {}, lambda *a: [])
    run_computed(compiled, ctx)
    assert ctx.computed == {"gb": 141.0}
    assert compiled.condition(ctx) is False


def test_compute_with_missing_input_is_unknown() -> None:
    compiled = compile_rule(Rule.model_validate(RULE), AS_OF)
    ctx = EvalContext("w", {}, {}, {}, lambda *a: [])
    run_computed(compiled, ctx)
    assert ctx.computed == {"gb": None} and ctx.missing == ["params"]
    assert compiled.condition(ctx) is None


@pytest.mark.parametrize("expression", ["__import__('os')", "a if b else c", "x ** 2", "open(1)", "1 +"])
def test_unsafe_or_unsupported_expressions_are_rejected(expression: str) -> None:
    bad = {**RULE, "compute": {"x": expression}, "parameters": {}}
    with pytest.raises(RuleError, match=r"^T-1\.compute\.x: "):
        compile_rule(Rule.model_validate(bad), AS_OF)


def test_dates_relative_to_the_audit_date() -> None:
    recent = {"path": "tested", "op": "ge", "value": {"days_before_as_of": 365}, "type": "date"}
    assert check(recent, {"tested": "2025-11-01"})[0] is True  # AS_OF is 2026-11-01
    assert check(recent, {"tested": "2025-10-31"})[0] is False
    by_param = {
        "path": "tested",
        "op": "ge",
        "value": {"days_before_as_of": {"param": "days"}},
        "type": "date",
    }
    assert check(by_param, {"tested": "2026-10-01"}, params={"days": 30})[0] is False
    with pytest.raises(RuleError, match="days_before_as_of needs a whole number of days"):
        check(by_param, {}, params={"days": "many"})


def test_audit_date_is_a_path() -> None:
    def at(view: dict[str, Any]) -> bool | None:
        ctx = EvalContext("a", view, {}, {}, lambda *a: [], {"as_of": AS_OF})
        leaf = {"path": "audit.as_of", "op": "lt", "value": "2027-01-01", "type": "date"}
        return compile_condition(CONDITION.validate_python(leaf), Scope({}, AS_OF), "t")(ctx)

    assert at({}) is True


def test_if_missing_answers_for_a_missing_attribute() -> None:
    selector = {"path": "sale", "op": "eq", "value": True, "if_missing": False}
    verdict, ctx = check(selector, {})
    assert verdict is False and ctx.missing == []
    assert check(selector, {"sale": True})[0] is True
