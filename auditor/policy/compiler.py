"""Compile a rule's condition tree once into plain closures with three-valued results.

A compiled condition takes an EvalContext and answers True (holds), False (does not hold)
or None (cannot tell: an attribute it needs is missing or of the wrong type). `all`, `any`
and `not` combine those answers by Kleene's three-valued logic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from auditor.policy.expressions import Compiled, Missing, compile_expression
from auditor.policy.model import (
    All,
    Any_,
    AsOfRef,
    Condition,
    Leaf,
    Not,
    ParamRef,
    PathRef,
    Related,
    Rule,
)
from auditor.policy.operators import (
    BINARY,
    CONVERTERS,
    EMPTINESS,
    ORDERED,
    PRESENCE,
    SET_OPERATORS,
    TypeMismatch,
)

Verdict = bool | None
Check = Callable[["EvalContext"], Verdict]


# 100,000 days (about 270 years) before any audit date (1900-2200) is still a valid date.
MAX_DAYS_BEFORE_AS_OF = 100_000


class RuleError(ValueError):
    """A rule that cannot be compiled: stops the run like any invalid rule."""


class EvalContext:
    """What a condition sees of one asset: its attributes, facts, computed values, the org."""

    __slots__ = (
        "asset_id",
        "audit",
        "computed",
        "facts",
        "missing",
        "neighbours",
        "observed",
        "org",
        "problems",
        "view",
    )

    def __init__(
        self,
        asset_id: str,
        view: dict[str, Any],
        facts: dict[str, Any],
        org: dict[str, Any],
        neighbours: Callable[[str, str, str], list[EvalContext]],
        audit: dict[str, Any] | None = None,
    ) -> None:
        self.asset_id = asset_id
        self.audit = audit or {}
        self.view = view
        self.facts = facts
        self.org = org
        self.neighbours = neighbours
        self.computed: dict[str, Any] = {}
        self.observed: dict[str, Any] = {}
        self.missing: list[str] = []
        self.problems: list[str] = []


Resolver = Callable[[EvalContext], Any]


_ROOTS = {
    "facts": attrgetter("facts"),
    "computed": attrgetter("computed"),
    "org": attrgetter("org"),
    "audit": attrgetter("audit"),
}
_VIEW = attrgetter("view")


def path_resolver(path: str) -> Resolver:
    """A reader for a dotted path: facts.*, computed.*, org.*, audit.as_of or the asset's attributes.

    Runs millions of times on large inventories, hence the specialised shapes: every root is a
    dict, so only the levels below it need checking.
    """
    head, *rest = path.split(".")
    root = _ROOTS.get(head)
    keys = rest if root else [head, *rest]
    get_root = root or _VIEW
    if not keys:
        return get_root
    first, *deeper = keys
    if not deeper:
        return lambda ctx: get_root(ctx).get(first)

    def resolve(ctx: EvalContext) -> Any:
        value = get_root(ctx).get(first)
        for key in deeper:
            if type(value) is not dict:
                return None
            value = value.get(key)
        return value

    return resolve


def _infer_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list) and value:
        kinds = {_infer_type(item) for item in value}
        return kinds.pop() if len(kinds) == 1 else None
    return None


@dataclass(frozen=True)
class Scope:
    """What a rule is compiled against: its effective parameters and the audit date."""

    params: dict[str, Any]
    as_of: date


@dataclass
class _Operand:
    constant: Any = None
    resolver: Resolver | None = None
    path: str | None = None

    def get(self, ctx: EvalContext) -> Any:
        return self.resolver(ctx) if self.resolver else self.constant


def _param(name: str, scope: Scope, where: str) -> Any:
    if name not in scope.params:
        raise RuleError(f"{where}: unknown parameter {name!r}")
    return scope.params[name]


def _operand(leaf: Leaf, scope: Scope, where: str) -> _Operand:
    value = leaf.value
    if isinstance(value, ParamRef):
        return _Operand(constant=_param(value.param, scope, where))
    if isinstance(value, AsOfRef):
        days = value.days_before_as_of
        count = _param(days.param, scope, where) if isinstance(days, ParamRef) else days
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_DAYS_BEFORE_AS_OF:
            raise RuleError(
                f"{where}: days_before_as_of needs a whole number of days from 0 to {MAX_DAYS_BEFORE_AS_OF}, "
                f"got {count!r}"
            )
        return _Operand(constant=scope.as_of - timedelta(days=count))
    if isinstance(value, PathRef):
        return _Operand(resolver=path_resolver(value.path), path=value.path)
    return _Operand(constant=value)


def compile_leaf(leaf: Leaf, scope: Scope, where: str) -> Check:
    resolve = path_resolver(leaf.path)
    path, op = leaf.path, leaf.op

    if op in PRESENCE:
        if leaf.value is not None or leaf.if_missing is not None:
            raise RuleError(f"{where}: operator {op!r} takes no value and no if_missing")
        wanted = op == "present"

        def presence(ctx: EvalContext) -> Verdict:
            value = resolve(ctx)
            ctx.observed[path] = value
            return (value is not None) is wanted

        return presence

    if op in EMPTINESS:
        wanted_empty = op == "empty"

        def emptiness(ctx: EvalContext) -> Verdict:
            value = resolve(ctx)
            ctx.observed[path] = value
            if value is None:
                if leaf.if_missing is not None:
                    return leaf.if_missing
                ctx.missing.append(path)
                return None
            return (len(value) == 0) is wanted_empty

        return emptiness

    if leaf.value is None:
        raise RuleError(f"{where}: operator {op!r} needs a value")
    operand = _operand(leaf, scope, where)
    if op in SET_OPERATORS and operand.resolver is None and not isinstance(operand.constant, list):
        raise RuleError(f"{where}: operator {op!r} needs a list value, got {operand.constant!r}")
    if_missing = leaf.if_missing
    value_type = leaf.type or (_infer_type(operand.constant) if operand.resolver is None else None)
    if op in ORDERED:
        value_type = value_type or "number"
        if value_type in ("bool", "string"):
            raise RuleError(f"{where}: {op!r} cannot order {value_type} values; give type number, date or version")
    convert = CONVERTERS[value_type] if value_type else None
    compare = BINARY[op]
    scalar_ops = op not in SET_OPERATORS and op not in ("contains", "not_contains")
    if convert is not None and operand.resolver is None:
        try:
            constant = (
                [convert(item) for item in operand.constant]
                if op in ("in", "not_in")
                else convert(operand.constant)
                if scalar_ops
                else operand.constant
            )
        except TypeMismatch as exc:
            raise RuleError(f"{where}: value {exc}") from None
        operand = _Operand(constant=constant)

    def binary(ctx: EvalContext) -> Verdict:
        value = resolve(ctx)
        ctx.observed[path] = value
        if value is None:
            if if_missing is not None:
                return if_missing
            ctx.missing.append(path)
            return None
        other = operand.get(ctx)
        if operand.path is not None:
            ctx.observed[operand.path] = other
            if other is None:
                ctx.missing.append(operand.path)
                return None
        try:
            if convert is not None and (scalar_ops or op in ("in", "not_in")):
                value = convert(value)
                if operand.resolver is not None and scalar_ops:
                    other = convert(other)
            return compare(value, other)
        except TypeMismatch as exc:
            ctx.problems.append(f"{path}: {exc}")
            return None
        except TypeError:
            ctx.problems.append(f"{path}: {value!r} cannot be compared with {other!r}")
            return None

    return binary


def compile_condition(condition: Condition, scope: Scope, where: str) -> Check:
    if isinstance(condition, All):
        parts = [compile_condition(c, scope, f"{where}.all[{i}]") for i, c in enumerate(condition.all)]
        return lambda ctx: _all(part(ctx) for part in parts)
    if isinstance(condition, Any_):
        parts = [compile_condition(c, scope, f"{where}.any[{i}]") for i, c in enumerate(condition.any)]
        return lambda ctx: _any(part(ctx) for part in parts)
    if isinstance(condition, Not):
        inner = compile_condition(condition.not_, scope, f"{where}.not")
        return lambda ctx: _not(inner(ctx))
    if isinstance(condition, Related):
        return _compile_related(condition, scope, where)
    assert isinstance(condition, Leaf)
    return compile_leaf(condition, scope, where)


def _all(verdicts: Any) -> Verdict:
    result: Verdict = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


def _any(verdicts: Any) -> Verdict:
    result: Verdict = False
    for verdict in verdicts:
        if verdict is True:
            return True
        if verdict is None:
            result = None
    return result


def _not(verdict: Verdict) -> Verdict:
    return None if verdict is None else not verdict


def _compile_related(condition: Related, scope: Scope, where: str) -> Check:
    relation = condition.related
    inner = compile_condition(relation.where, scope, f"{where}.related.where") if relation.where is not None else None
    kinds = frozenset(relation.kinds)
    label = f"{relation.rel}:{relation.direction}"

    def related(ctx: EvalContext) -> Verdict:
        verdicts: list[Verdict] = []
        for other in ctx.neighbours(ctx.asset_id, relation.rel, relation.direction):
            if kinds and other.view.get("kind") not in kinds:
                continue
            verdict = True if inner is None else inner(other)
            for path, value in other.observed.items():
                ctx.observed[f"{label}[{other.asset_id}].{path}"] = value
            ctx.missing.extend(f"{label}[{other.asset_id}].{p}" for p in other.missing)
            ctx.problems.extend(other.problems)
            verdicts.append(verdict)
        if relation.match == "any":
            return _any(verdicts)
        if relation.match == "all":
            return _all(verdicts)
        return _not(_any(verdicts))

    return related


@dataclass
class CompiledRule:
    rule: Rule
    params: dict[str, Any]
    selector: Check | None
    computed: list[tuple[str, Compiled, dict[str, Resolver]]]
    condition: Check


def compile_rule(rule: Rule, as_of: date, overrides: dict[str, Any] | None = None) -> CompiledRule:
    params = {name: spec.default for name, spec in rule.parameters.items()}
    params.update(overrides or {})
    scope = Scope(params, as_of)
    where = rule.id
    selector = (
        compile_condition(rule.applies_to.where, scope, f"{where}.applies_to.where")
        if rule.applies_to.where is not None
        else None
    )
    computed = []
    for name, text in rule.compute.items():
        try:
            fn, paths = compile_expression(text, params)
        except ValueError as exc:
            raise RuleError(f"{where}.compute.{name}: {exc}") from None
        computed.append((name, fn, {p: path_resolver(p) for p in paths}))
    condition = compile_condition(rule.condition, scope, f"{where}.condition")
    return CompiledRule(rule, params, selector, computed, condition)


def run_computed(compiled: CompiledRule, ctx: EvalContext) -> None:
    """Fill ctx.computed; an unknown input leaves the value None and notes the missing path."""
    for name, fn, resolvers in compiled.computed:

        def lookup(path: str, resolvers: dict[str, Resolver] = resolvers) -> Any:
            return resolvers[path](ctx)

        try:
            ctx.computed[name] = fn(lookup)
        except Missing as exc:
            ctx.computed[name] = None
            ctx.missing.append(exc.path)
