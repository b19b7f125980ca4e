"""Condition compiler: operators, typed comparisons, three-valued logic, relations, errors."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import TypeAdapter

from auditor.graph.exposure import ExposureFact
from auditor.graph.facts import AssetFacts
from auditor.policy.compiler import (
    CompiledRule,
    EvalContext,
    MessageTemplate,
    RuleError,
    Scope,
    compile_node,
    compile_rule,
    run_computed,
)
from auditor.policy.fastpath import generate
from auditor.policy.model import Condition, Rule
from auditor.policy.paths import ASSET_KINDS
from tests.conftest import AS_OF, rule_text

CONDITION = TypeAdapter(Condition)
FACTS = AssetFacts(exposure=ExposureFact(internet=False))


def context(
    view: dict[str, Any],
    params: dict[str, Any] | None = None,
    neighbours: dict[str, list[dict[str, Any]]] | None = None,
    as_of: Any = AS_OF,
) -> EvalContext:
    def lookup(ctx: EvalContext, rel: str, direction: str) -> list[EvalContext]:
        found = (neighbours or {}).get(rel, [])
        return [EvalContext(v["id"], v, AssetFacts(), {}, lookup, ctx.audit, ctx.params) for v in found]

    return EvalContext("a", view, FACTS, {"country": "DE"}, lookup, {"as_of": as_of}, params or {})


def check(
    condition: dict[str, Any],
    view: dict[str, Any],
    params: dict[str, Any] | None = None,
    neighbours: dict[str, list[dict[str, Any]]] | None = None,
) -> tuple[bool | None, EvalContext]:
    """Evaluate `condition` on one asset of any kind; `params` are the declared defaults.

    The check generated as Python (auditor.policy.fastpath) must answer and record the same."""
    ctx = context(view, params, neighbours)
    node = compile_node(CONDITION.validate_python(condition), Scope(params or {}, (), ASSET_KINDS), ("condition",))
    verdict = node.check(ctx)
    twin = context(view, params, neighbours)
    # A rule stand-in: the generated judgement reads the rule's id, severity, evidence and message.
    scope = SimpleNamespace(kinds=ASSET_KINDS)
    rule = SimpleNamespace(id="X", severity="low", evidence=[], evidence_path=None, fingerprint_key=None)
    rule.applies_to = scope
    compiled = CompiledRule(rule, None, [], node, [], None, None, MessageTemplate("m"))  # type: ignore[arg-type]
    generated = generate([(compiled, None)], twin.org, twin.audit, None, {})[0]
    assert (generated.drop_ins.condition(twin), twin.observed, twin.missing, twin.problems) == (
        verdict,
        ctx.observed,
        ctx.missing,
        ctx.problems,
    )
    return verdict, ctx


@pytest.mark.parametrize(
    ("condition", "view", "expected"),
    [
        ({"path": "capacity_tb", "op": "ge", "value": 100}, {"capacity_tb": 100}, True),
        ({"path": "capacity_tb", "op": "lt", "value": 100}, {"capacity_tb": 100.5}, False),
        ({"path": "os", "op": "gt", "value": "1.9.0", "type": "version"}, {"os": "1.10.0"}, True),
        (
            {"path": "last_patched", "op": "lt", "value": "2026-01-01", "type": "date"},
            {"last_patched": "2025-12-31"},
            True,
        ),
        ({"path": "type", "op": "in", "value": ["a", "b"]}, {"type": "b"}, True),
        ({"path": "type", "op": "not_in", "value": ["a", "b"]}, {"type": "b"}, False),
        ({"path": "tags", "op": "contains", "value": "x"}, {"tags": ["x", "y"]}, True),
        ({"path": "tags", "op": "intersects", "value": ["z", "y"]}, {"tags": ["x", "y"]}, True),
        ({"path": "tags", "op": "disjoint", "value": ["z"]}, {"tags": ["x", "y"]}, True),
        ({"path": "tags", "op": "subset_of", "value": ["x", "y", "z"]}, {"tags": ["x", "y"]}, True),
        ({"path": "scc_version", "op": "matches", "value": "^2021/9"}, {"scc_version": "2021/914"}, True),
        ({"path": "tags", "op": "empty"}, {"tags": []}, True),
        ({"path": "tags", "op": "not_empty"}, {"tags": []}, False),
        ({"path": "owner", "op": "absent"}, {}, True),
        ({"path": "owner", "op": "present"}, {"owner": 0}, True),
        ({"path": "public_access", "op": "eq", "value": True}, {"public_access": False}, False),
        ({"path": "facts.exposure.internet", "op": "eq", "value": False}, {}, True),
        ({"path": "org.country", "op": "eq", "value": "DE"}, {}, True),
        ({"path": "labels.team", "op": "eq", "value": "ml"}, {"labels": {"team": "ml"}}, True),
        (
            {"path": "read_gbytes_s", "op": "le", "value": {"path": "write_gbytes_s"}},
            {"read_gbytes_s": 3, "write_gbytes_s": 4},
            True,
        ),
    ],
)
def test_operators(condition: dict[str, Any], view: dict[str, Any], expected: bool) -> None:
    assert check(condition, view)[0] is expected


def test_missing_attribute_is_unknown_and_recorded() -> None:
    verdict, ctx = check(
        {"path": "encryption_at_rest.enabled", "op": "eq", "value": True}, {"encryption_at_rest": None}
    )
    assert verdict is None and ctx.missing == ["encryption_at_rest.enabled"]


def test_type_mismatch_is_unknown_never_string_order() -> None:
    verdict, ctx = check({"path": "capacity_tb", "op": "gt", "value": 5}, {"capacity_tb": "10"})
    assert verdict is None and ctx.problems == ["capacity_tb: '10' is not a number"]


def test_values_that_cannot_be_compared_are_unknown_with_both_values_named() -> None:
    verdict, ctx = check({"path": "tags", "op": "intersects", "value": ["a"]}, {"tags": [["x"]]})
    assert verdict is None and ctx.problems == ["tags: [['x']] cannot be compared with ['a']"]
    verdict, ctx = check({"path": "tags", "op": "in", "value": ["a"]}, {"tags": ["x"]})
    assert verdict is None and ctx.problems == ["tags: ['x'] has the wrong type"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            {
                "all": [
                    {"path": "public_access", "op": "eq", "value": True},
                    {"path": "capacity_tb", "op": "eq", "value": 1},
                ]
            },
            None,
        ),
        (
            {
                "all": [
                    {"path": "gpudirect_storage", "op": "eq", "value": True},
                    {"path": "capacity_tb", "op": "eq", "value": 1},
                ]
            },
            False,
        ),
        (
            {
                "any": [
                    {"path": "public_access", "op": "eq", "value": True},
                    {"path": "capacity_tb", "op": "eq", "value": 1},
                ]
            },
            True,
        ),
        (
            {
                "any": [
                    {"path": "gpudirect_storage", "op": "eq", "value": True},
                    {"path": "capacity_tb", "op": "eq", "value": 1},
                ]
            },
            None,
        ),
        ({"not": {"path": "capacity_tb", "op": "eq", "value": 1}}, None),
        ({"not": {"path": "public_access", "op": "eq", "value": True}}, False),
    ],
)
def test_three_valued_logic(condition: dict[str, Any], expected: bool | None) -> None:
    assert check(condition, {"public_access": True, "gpudirect_storage": False})[0] is expected


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
        ({"path": "capacity_tb", "op": "gt", "value": "high"}, "'gt' cannot order string values"),
        ({"path": "capacity_tb", "op": "ge", "value": {"param": "nope"}}, "unknown parameter 'nope'"),
        ({"path": "capacity_tb", "op": "eq"}, "operator 'eq' needs a value"),
        ({"path": "capacity_tb", "op": "present", "value": 1}, "operator .present. takes no value and no if_missing"),
        ({"path": "last_patched", "op": "lt", "value": "soon", "type": "date"}, "value 'soon' is not an ISO date"),
        ({"path": "name", "op": "matches", "value": "(unclosed"}, r"invalid regular expression '\(unclosed'"),
        ({"path": "encryption_at_rst", "op": "eq", "value": 1}, "did you mean 'encryption_at_rest'"),
        ({"path": "facts.transfer.bases", "op": "eq", "value": 1}, "unknown attribute 'bases' of facts.transfer"),
        ({"path": "facts.transfers.basis", "op": "eq", "value": 1}, "unknown fact facts.transfers; did you mean"),
        ({"path": "computed.gb", "op": "eq", "value": 1}, r"unknown computed value 'gb' \(declared: none\)"),
        ({"path": "audit.today", "op": "eq", "value": 1}, "only 'audit.as_of'"),
        ({"path": "tags.first", "op": "eq", "value": 1}, "tags is a plain value; it has no attribute 'first'"),
        ({"related": {"rel": "attach_to"}}, "unknown relation 'attach_to'; did you mean 'attached_to'"),
        (
            {"path": "audit.as_of", "op": "lt", "value": {"milestone": "scc.new_clause"}, "type": "date"},
            "unknown milestone 'scc.new_clause'; did you mean 'scc.new_clauses'",
        ),
    ],
)
def test_invalid_conditions_are_rule_errors(condition: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        check(condition, {})


RULE = rule_text(
    "T-1",
    applies_to={"kinds": ["workload"]},
    parameters={"bytes": {"default": 16, "description": "b"}},
    compute={"gb": "parameters_billion * bytes + max(1, 2) - ceil(0.5)"},
    condition={"path": "computed.gb", "op": "le", "value": 100},
)


def test_compute_expressions_read_the_parameters_in_effect() -> None:
    compiled = compile_rule(Rule.model_validate(RULE))
    ctx = context({"parameters_billion": 7}, compiled.parameters({"bytes": 20}))
    run_computed(compiled, ctx)
    assert ctx.computed == {"gb": 141.0}
    assert compiled.condition(ctx) is False
    with_defaults = context({"parameters_billion": 7}, compiled.parameters())
    run_computed(compiled, with_defaults)
    assert with_defaults.computed == {"gb": 113.0}


def test_compute_with_missing_input_is_unknown() -> None:
    compiled = compile_rule(Rule.model_validate(RULE))
    ctx = context({}, compiled.parameters())
    run_computed(compiled, ctx)
    assert ctx.computed == {"gb": None} and ctx.missing == ["parameters_billion"]
    assert compiled.condition(ctx) is None


@pytest.mark.parametrize("expression", ["__import__('os')", "a if b else c", "x ** 2", "open(1)", "1 +"])
def test_unsafe_or_unsupported_expressions_are_rejected(expression: str) -> None:
    bad = {**RULE, "compute": {"x": expression}, "parameters": {}}
    with pytest.raises(RuleError) as caught:
        compile_rule(Rule.model_validate(bad))
    assert caught.value.where == ("compute", "x")


def test_compute_paths_are_checked() -> None:
    bad = {**RULE, "compute": {"gb": "parameter_billion * bytes"}}
    with pytest.raises(RuleError, match="did you mean 'parameters_billion'") as caught:
        compile_rule(Rule.model_validate(bad))
    assert caught.value.where == ("compute", "gb")


def test_facts_of_other_kinds_are_refused() -> None:
    bad = rule_text("T-2", condition={"path": "facts.capacity.gpus", "op": "gt", "value": 0})
    with pytest.raises(RuleError, match=r"facts\.capacity describes only workload assets, never storage"):
        compile_rule(Rule.model_validate(bad))


def test_message_and_evidence_paths_are_checked() -> None:
    with pytest.raises(RuleError, match="unknown attribute 'nmae' of storage; did you mean 'name'") as caught:
        compile_rule(Rule.model_validate(rule_text("T-3", message="{nmae} is public")))
    assert caught.value.where == ("message",)
    with pytest.raises(RuleError) as caught:
        compile_rule(Rule.model_validate(rule_text("T-3", evidence=["id", "facts.exposure.paths"])))
    assert caught.value.where == ("evidence", 1)


def test_one_compiled_rule_serves_every_audit_date() -> None:
    compiled = compile_rule(
        Rule.model_validate(
            rule_text(
                "T-4",
                applies_to={"kinds": ["compute"]},
                condition={"path": "last_patched", "op": "ge", "value": {"days_before_as_of": 30}, "type": "date"},
            )
        )
    )
    view = {"last_patched": "2026-10-15"}
    assert compiled.condition(context(view, as_of=AS_OF)) is True
    assert compiled.condition(context(view, as_of=AS_OF.replace(year=2027))) is False


def test_dates_relative_to_the_audit_date() -> None:
    recent = {"path": "last_patched", "op": "ge", "value": {"days_before_as_of": 365}, "type": "date"}
    assert check(recent, {"last_patched": "2025-11-01"})[0] is True  # AS_OF is 2026-11-01
    assert check(recent, {"last_patched": "2025-10-31"})[0] is False
    by_param = {
        "path": "last_patched",
        "op": "ge",
        "value": {"days_before_as_of": {"param": "days"}},
        "type": "date",
    }
    assert check(by_param, {"last_patched": "2026-10-01"}, params={"days": 30})[0] is False
    with pytest.raises(RuleError, match="days_before_as_of needs a whole number of days"):
        check(by_param, {}, params={"days": "many"})


def test_audit_date_is_a_path() -> None:
    leaf = {"path": "audit.as_of", "op": "lt", "value": "2027-01-01", "type": "date"}
    assert check(leaf, {})[0] is True


def test_if_missing_answers_for_a_missing_attribute() -> None:
    selector = {"path": "sale", "op": "eq", "value": True, "if_missing": False}
    verdict, ctx = check(selector, {})
    assert verdict is False and ctx.missing == []
    assert check(selector, {"sale": True})[0] is True


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ({"id": "s", "tags": ["a", "b"], "owner": "o"}, "s (a, b; o) is public"),
        ({"id": "s", "tags": ["a"], "owner": None}, "s (a) is public"),
        ({"id": "s", "tags": [], "owner": "o"}, "s (no tags) is public"),
        ({"id": "s", "owner": "o"}, "s (no tags) is public"),
    ],
)
def test_message_optional_parts_show_only_present_values(view: dict[str, Any], expected: str) -> None:
    """{?path}...{:}...{/}: a list that is empty or a value that is unknown reads as the other part,
    never as an empty slot or 'unknown'; the parts nest. (The generated judgements fill the same:
    tests/test_fastpath.py compares their messages on every rule fixture case.)"""
    text = "{id} ({?tags}{tags}{?owner}; {owner}{/}{:}no tags{/}) is public"
    compiled = compile_rule(Rule.model_validate(rule_text("T-9", message=text)))
    assert compiled.message.paths == ["id", "tags", "tags", "owner", "owner"]
    ctx = context(view)
    assert compiled.message.fill(ctx) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{id} {/}", "{/} with no {?path} before it"),
        ("{id} {:}", "{:} with no {?path} before it"),
        ("{?id} x", "{?id} is not closed by {/}"),
        ("{?id} x {:} y {:} z {/}", "a second {:} in the part of {?id}"),
    ],
)
def test_malformed_optional_parts_are_refused(text: str, error: str) -> None:
    with pytest.raises(RuleError, match=re.escape(error)):
        compile_rule(Rule.model_validate(rule_text("T-9", message=text)))


def test_optional_part_paths_are_checked() -> None:
    with pytest.raises(RuleError, match="unknown attribute 'nmae' of storage") as caught:
        compile_rule(Rule.model_validate(rule_text("T-9", message="{?nmae}x{/}")))
    assert caught.value.where == ("message",)
