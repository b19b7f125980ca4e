"""Compile a rule once, at load, into plain closures with three-valued results.

A compiled condition takes an EvalContext and answers True (holds), False (does not hold)
or None (cannot tell: an attribute it needs is missing or of the wrong type). `all`, `any`
and `not` combine those answers by Kleene's three-valued logic.

Compiling also checks the rule: every path it reads must exist on the kinds it applies to
(auditor.policy.paths), regexes must compile, operators must get the values they need. The
audit date and the rule's effective parameters are not compiled in: they come with the
context, so one compiled rule serves every audit date and every organisation's config.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from auditor.graph.scope import ScopeFact
from auditor.inventory.source import DataPath
from auditor.policy.calendar import unknown_milestone
from auditor.policy.expressions import Expression, ExpressionError, Missing, compile_expression
from auditor.policy.model import (
    All,
    Any_,
    AsOfRef,
    Condition,
    Leaf,
    MilestoneRef,
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
from auditor.policy.paths import ASSET_KINDS, RELATIONS, PathError, check_path, suggestion
from auditor.policy.values import shown

Verdict = bool | None
Check = Callable[["EvalContext"], Verdict]
Neighbours = Callable[["EvalContext", str, str], list["EvalContext"]]


# 100,000 days (about 270 years) before any audit date (1900-2200) is still a valid date.
MAX_DAYS_BEFORE_AS_OF = 100_000


class RuleError(ValueError):
    """A rule that cannot be compiled, with where in the rule document it goes wrong."""

    def __init__(self, where: DataPath, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


class EvalContext:
    """What a condition sees of one asset: its attributes, facts, computed values, the org,
    the rule's effective parameters and the audit date."""

    __slots__ = (
        "asset_id",
        "audit",
        "computed",
        "facts",
        "missing",
        "neighbours",
        "observed",
        "org",
        "params",
        "problems",
        "view",
    )

    def __init__(
        self,
        asset_id: str,
        view: dict[str, Any],
        facts: Any,
        org: dict[str, Any],
        neighbours: Neighbours,
        audit: dict[str, Any],
        params: dict[str, Any],
    ) -> None:
        self.asset_id = asset_id
        self.audit = audit
        self.view = view
        self.facts = facts
        self.org = org
        self.neighbours = neighbours
        self.params = params
        self.computed: dict[str, Any] = {}
        self.observed: dict[str, Any] = {}
        self.missing: list[str] = []
        self.problems: list[str] = []


Resolver = Callable[[EvalContext], Any]

_DICT_ROOTS = {"computed": attrgetter("computed"), "audit": attrgetter("audit")}
_VIEW = attrgetter("view")
_FACTS = attrgetter("facts")


def _org_facts(ctx: EvalContext) -> Any:
    return ctx.org.get("facts")


def path_resolver(path: str) -> Resolver:
    """A reader for a dotted path (checked at load, so its shape is known).

    Attributes and the organisation are dicts (model dumps); facts are typed objects. Runs
    millions of times on large inventories, hence the specialised shapes.
    """
    head, *rest = path.split(".")
    if head == "facts":
        return _attributes(_FACTS, rest)
    if head == "org" and rest[:1] == ["facts"]:
        return _attributes(_org_facts, rest[1:])
    if head == "org":
        return _items(attrgetter("org"), rest)
    root = _DICT_ROOTS.get(head)
    return _items(root, rest) if root else _items(_VIEW, [head, *rest])


def _items(get_root: Resolver, keys: list[str]) -> Resolver:
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


def _attributes(get_root: Resolver, keys: list[str]) -> Resolver:
    if not keys:
        return get_root
    if len(keys) == 2:
        outer, inner = keys

        def two(ctx: EvalContext) -> Any:
            return getattr(getattr(get_root(ctx), outer, None), inner, None)

        return two

    def resolve(ctx: EvalContext) -> Any:
        value = get_root(ctx)
        for key in keys:
            value = getattr(value, key, None)
        return value

    return resolve


def _infer_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list) and value:
        kinds = {_infer_type(item) for item in value}
        return kinds.pop() if len(kinds) == 1 else None
    return None


@dataclass(frozen=True)
class Scope:
    """What a condition is compiled against: the rule's parameters (defaults), its computed
    values, and the asset kinds it is evaluated on."""

    defaults: dict[str, Any]
    computed: Collection[str]
    kinds: Collection[str]

    def check(self, path: str, where: DataPath) -> None:
        try:
            check_path(path, self.kinds, self.computed)
        except PathError as exc:
            raise RuleError(where, str(exc)) from None


@dataclass
class _Operand:
    constant: Any = None
    resolver: Resolver | None = None
    path: str | None = None
    source: tuple[str, Any] | None = None  # what the resolver reads, for auditor.policy.fastpath


def _param_reader(name: str, scope: Scope, where: DataPath) -> Resolver:
    if name not in scope.defaults:
        known = ", ".join(sorted(scope.defaults)) or "none"
        raise RuleError(where, f"unknown parameter {name!r} (declared: {known}){suggestion(name, scope.defaults)}")
    return lambda ctx: ctx.params[name]


def _days_before(days: int | ParamRef, scope: Scope, where: DataPath) -> _Operand:
    """The audit date minus `days` (a number or a parameter), read at evaluation."""
    if isinstance(days, ParamRef):
        name = days.param
        _param_reader(name, scope, where)
        count = scope.defaults[name]
        _check_days(count, where)
        return _Operand(
            resolver=lambda ctx: ctx.audit["as_of"] - timedelta(days=ctx.params[name]), source=("days_param", name)
        )
    _check_days(days, where)
    delta = timedelta(days=days)
    return _Operand(resolver=lambda ctx: ctx.audit["as_of"] - delta, source=("days", delta))


def _check_days(count: Any, where: DataPath) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_DAYS_BEFORE_AS_OF:
        message = f"days_before_as_of needs a whole number of days from 0 to {MAX_DAYS_BEFORE_AS_OF}, got {count!r}"
        raise RuleError(where, message)


def _operand(leaf: Leaf, scope: Scope, where: DataPath) -> tuple[_Operand, Any]:
    """The operand and a sample of its value (for type inference and load-time checks)."""
    value = leaf.value
    at = (*where, "value")
    if isinstance(value, ParamRef):
        reader = _param_reader(value.param, scope, at)
        return _Operand(resolver=reader, source=("param", value.param)), scope.defaults[value.param]
    if isinstance(value, AsOfRef):
        return _days_before(value.days_before_as_of, scope, at), date(2000, 1, 1)
    if isinstance(value, MilestoneRef):
        problem = unknown_milestone(value.milestone)
        if problem:
            raise RuleError((*at, "milestone"), problem)
        name = value.milestone
        reader = lambda ctx: ctx.audit["milestones"].date_of(name)  # noqa: E731
        return _Operand(resolver=reader, source=("milestone", name)), date(2000, 1, 1)
    if isinstance(value, PathRef):
        scope.check(value.path, at)
        return _Operand(resolver=path_resolver(value.path), path=value.path, source=("path", value.path)), None
    return _Operand(constant=value), value


@dataclass(frozen=True)
class PresenceNode:
    """`present` / `absent`: a missing value is the answer."""

    path: str
    wanted: bool  # True for present
    check: Check


@dataclass(frozen=True)
class EmptinessNode:
    """`empty` / `not_empty` of a list or text."""

    path: str
    wanted_empty: bool
    if_missing: bool | None
    check: Check


@dataclass(frozen=True)
class CompareNode:
    """A binary operator: the attribute at `path` against a constant or a value read late."""

    path: str
    op: str
    if_missing: bool | None
    convert: Callable[[Any], Any] | None
    compare: Callable[[Any, Any], bool]
    constant: Any
    late: _Operand | None
    scalar_ops: bool  # the conversion applies to the value itself (not to a list of them)
    listed: bool  # in / not_in: the comparison value is a list of converted items
    converted: Callable[[Any], Any]
    check: Check


@dataclass(frozen=True)
class AllNode:
    parts: tuple[Node, ...]
    check: Check


@dataclass(frozen=True)
class AnyNode:
    parts: tuple[Node, ...]
    check: Check


@dataclass(frozen=True)
class NotNode:
    inner: Node
    check: Check


@dataclass(frozen=True)
class RelatedNode:
    """A `related` condition: `inner` (None: any neighbour counts) judged on each neighbour of the
    kinds (empty: any) along `rel` in `direction`, the answers combined by `match`."""

    rel: str
    direction: str
    kinds: frozenset[str]
    match: str
    inner: Node | None
    label: str  # what the neighbours' records are prefixed with: "<label>[<neighbour id>].<path>"
    check: Check


# A compiled condition: `check` answers it on a context; auditor.policy.fastpath writes the
# same logic as Python source.
Node = PresenceNode | EmptinessNode | CompareNode | AllNode | AnyNode | NotNode | RelatedNode


def compile_leaf(leaf: Leaf, scope: Scope, where: DataPath) -> Node:
    scope.check(leaf.path, (*where, "path"))
    resolve = path_resolver(leaf.path)
    path, op = leaf.path, leaf.op

    if op in PRESENCE:
        if leaf.value is not None or leaf.if_missing is not None:
            raise RuleError(where, f"operator {op!r} takes no value and no if_missing")
        wanted = op == "present"

        def presence(ctx: EvalContext) -> Verdict:
            value = resolve(ctx)
            ctx.observed[path] = value
            return (value is not None) is wanted

        return PresenceNode(path, wanted, presence)

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

        return EmptinessNode(path, wanted_empty, leaf.if_missing, emptiness)

    if leaf.value is None:
        raise RuleError(where, f"operator {op!r} needs a value")
    operand, sample = _operand(leaf, scope, where)
    if op in SET_OPERATORS and operand.path is None and not isinstance(sample, list):
        raise RuleError((*where, "value"), f"operator {op!r} needs a list value, got {sample!r}")
    if_missing = leaf.if_missing
    value_type = leaf.type or (_infer_type(sample) if operand.path is None else None)
    if op in ORDERED:
        value_type = value_type or "number"
        if value_type in ("bool", "string"):
            raise RuleError(where, f"{op!r} cannot order {value_type} values; give type number, date or version")
    convert = CONVERTERS[value_type] if value_type else None
    compare = BINARY[op]
    scalar_ops = op not in SET_OPERATORS and op not in ("contains", "not_contains")
    listed = op in ("in", "not_in")

    def converted(value: Any) -> Any:
        if convert is None:
            return value
        if listed:
            return [convert(item) for item in value]
        return convert(value) if scalar_ops else value

    if sample is not None:  # constants and parameter defaults are checked (and constants converted) now
        try:
            checked = converted(sample)
        except (TypeMismatch, TypeError) as exc:
            raise RuleError((*where, "value"), f"value {exc}") from None
        if op == "matches":
            checked = _regex(checked, (*where, "value"))
        if operand.resolver is None:
            operand = _Operand(constant=checked)
    late = operand.resolver
    other_path = operand.path
    constant = operand.constant

    def binary(ctx: EvalContext) -> Verdict:
        value = resolve(ctx)
        ctx.observed[path] = value
        if value is None:
            if if_missing is not None:
                return if_missing
            ctx.missing.append(path)
            return None
        other = constant
        if late is not None:
            other = late(ctx)
            if other_path is not None:
                ctx.observed[other_path] = other
                if other is None:
                    ctx.missing.append(other_path)
                    return None
        try:
            if convert is not None and (scalar_ops or listed):
                value = convert(value)
                if late is not None and (scalar_ops or (listed and other_path is None)):
                    other = converted(other)
            return compare(value, other)
        except TypeMismatch as exc:
            ctx.problems.append(f"{path}: {exc}")
            return None
        except TypeError:
            ctx.problems.append(f"{path}: {value!r} cannot be compared with {other!r}")
            return None

    late_operand = operand if late is not None else None
    return CompareNode(
        path, op, if_missing, convert, compare, constant, late_operand, scalar_ops, listed, converted, binary
    )


def _regex(pattern: Any, where: DataPath) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise RuleError(where, f"'matches' needs a regular expression as text, got {pattern!r}")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RuleError(where, f"invalid regular expression {pattern!r}: {exc}") from None


def compile_condition(condition: Condition, scope: Scope, where: DataPath) -> Check:
    return compile_node(condition, scope, where).check


def compile_node(condition: Condition, scope: Scope, where: DataPath) -> Node:
    if isinstance(condition, All):
        parts = tuple(compile_node(c, scope, (*where, "all", i)) for i, c in enumerate(condition.all))
        checks = [part.check for part in parts]
        return AllNode(parts, lambda ctx: all_of(check(ctx) for check in checks))
    if isinstance(condition, Any_):
        parts = tuple(compile_node(c, scope, (*where, "any", i)) for i, c in enumerate(condition.any))
        checks = [part.check for part in parts]
        return AnyNode(parts, lambda ctx: any_of(check(ctx) for check in checks))
    if isinstance(condition, Not):
        inner = compile_node(condition.not_, scope, (*where, "not"))
        inner_check = inner.check
        return NotNode(inner, lambda ctx: negated(inner_check(ctx)))
    if isinstance(condition, Related):
        return _compile_related(condition, scope, where)
    assert isinstance(condition, Leaf)
    return compile_leaf(condition, scope, where)


def all_of(verdicts: Any) -> Verdict:
    """`all` in Kleene's logic: False decides, else unknown if any is."""
    result: Verdict = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


def any_of(verdicts: Any) -> Verdict:
    """`any` in Kleene's logic: True decides, else unknown if any is."""
    result: Verdict = False
    for verdict in verdicts:
        if verdict is True:
            return True
        if verdict is None:
            result = None
    return result


def negated(verdict: Verdict) -> Verdict:
    return None if verdict is None else not verdict


# How a `related` condition combines its neighbours' answers.
MATCHES: dict[str, Callable[[list[Verdict]], Verdict]] = {
    "any": any_of,
    "all": all_of,
    "none": lambda verdicts: negated(any_of(verdicts)),
}


def _compile_related(condition: Related, scope: Scope, where: DataPath) -> RelatedNode:
    relation = condition.related
    at = (*where, "related")
    if relation.rel not in RELATIONS:
        hint = suggestion(relation.rel, RELATIONS)
        raise RuleError((*at, "rel"), f"unknown relation {relation.rel!r}{hint} (known: {', '.join(RELATIONS)})")
    kinds = frozenset(relation.kinds)
    inner_scope = Scope(scope.defaults, (), kinds or ASSET_KINDS)
    inner_node = compile_node(relation.where, inner_scope, (*at, "where")) if relation.where is not None else None
    inner = inner_node.check if inner_node is not None else None
    label = f"{relation.rel}:{relation.direction}"
    combine = MATCHES[relation.match]

    def related(ctx: EvalContext) -> Verdict:
        verdicts: list[Verdict] = []
        for other in ctx.neighbours(ctx, relation.rel, relation.direction):
            if kinds and other.view.get("kind") not in kinds:
                continue
            verdict = True if inner is None else inner(other)
            for path, value in other.observed.items():
                ctx.observed[f"{label}[{other.asset_id}].{path}"] = value
            ctx.missing.extend(f"{label}[{other.asset_id}].{p}" for p in other.missing)
            ctx.problems.extend(other.problems)
            verdicts.append(verdict)
        return combine(verdicts)

    return RelatedNode(relation.rel, relation.direction, kinds, relation.match, inner_node, label, related)


_TOKEN = re.compile(r"\{(\?)?([A-Za-z_][A-Za-z0-9_.]*)\}|\{(:)\}|\{(/)\}")


class TemplateError(ValueError):
    """A message template whose optional parts are not well formed."""


def present(value: Any) -> bool:
    """A value worth a sentence: not unknown (None) and not empty."""
    return value is not None and value != "" and value != [] and value != ()


@dataclass(frozen=True, slots=True)
class Slot:
    """{path}: the path's value as shown in a sentence."""

    path: str
    resolve: Resolver


@dataclass(frozen=True, slots=True)
class Choice:
    """{?path}shown{:}otherwise{/}: the first parts when the path's value is present, else the others."""

    path: str
    resolve: Resolver
    shown: tuple[str | Slot | Choice, ...]
    otherwise: tuple[str | Slot | Choice, ...]


Part = str | Slot | Choice


class MessageTemplate:
    """A failure message with {path} placeholders, parsed once per rule.

    `{?path}text{/}` keeps `text` only when the path's value is present (not unknown, not empty),
    and `{?path}text{:}other{/}` shows `other` instead when it is not; they may nest.
    """

    def __init__(self, template: str) -> None:
        self.paths: list[str] = []
        stack: list[tuple[str, list[Part], list[Part] | None]] = []
        parts: list[Part] = []
        at = 0
        for match in _TOKEN.finditer(template):
            if match.start() > at:
                parts.append(template[at : match.start()])
            at = match.end()
            optional, path, otherwise, close = match.groups()
            if path and not optional:
                self.paths.append(path)
                parts.append(Slot(path, path_resolver(path)))
            elif path:
                self.paths.append(path)
                stack.append((path, parts, None))
                parts = []
            elif not stack:
                raise TemplateError(f"{{{otherwise or close}}} with no {{?path}} before it")
            elif otherwise:
                path, outer, first = stack[-1]
                if first is not None:
                    raise TemplateError(f"a second {{:}} in the part of {{?{path}}}")
                stack[-1] = (path, outer, parts)
                parts = []
            else:
                path, outer, first = stack.pop()
                shown, otherwise_parts = (parts, []) if first is None else (first, parts)
                outer.append(Choice(path, path_resolver(path), tuple(shown), tuple(otherwise_parts)))
                parts = outer
        if stack:
            raise TemplateError(f"{{?{stack[-1][0]}}} is not closed by {{/}}")
        if at < len(template):
            parts.append(template[at:])
        self.parts: tuple[Part, ...] = tuple(parts)

    def fill(self, ctx: EvalContext) -> str:
        return _filled(self.parts, ctx)


def _filled(parts: tuple[Part, ...], ctx: EvalContext) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Slot):
            out.append(shown(part.resolve(ctx)))
        else:
            out.append(_filled(part.shown if present(part.resolve(ctx)) else part.otherwise, ctx))
    return "".join(out)


@dataclass
class CompiledRule:
    """A rule ready to run on any audit date with any parameter overrides."""

    rule: Rule
    selector_node: Node | None
    computed: list[tuple[str, Expression]]
    condition_node: Node
    evidence: list[tuple[str, Resolver]]
    graph_path: Resolver | None
    key: Resolver | None
    message: MessageTemplate
    exemptions: tuple[tuple[Node, MessageTemplate], ...] = ()

    @property
    def selector(self) -> Check | None:
        return self.selector_node.check if self.selector_node is not None else None

    @property
    def condition(self) -> Check:
        return self.condition_node.check

    @property
    def defaults(self) -> dict[str, Any]:
        return {name: spec.default for name, spec in self.rule.parameters.items()}

    def parameters(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """The effective parameters: the defaults with the organisation's overrides."""
        return {**self.defaults, **(overrides or {})}


def compile_rule(rule: Rule, check_with: dict[str, Any] | None = None) -> CompiledRule:
    """Compile and check `rule`; RuleError names the place in the rule document that is wrong.

    `check_with`: parameter values (an organisation's overrides) to check in place of the defaults.
    """
    defaults = {name: spec.default for name, spec in rule.parameters.items()} | (check_with or {})
    scope = Scope(defaults, tuple(rule.compute), rule.applies_to.kinds)
    selector_scope = Scope(defaults, (), rule.applies_to.kinds)
    selector = (
        compile_node(rule.applies_to.where, selector_scope, ("applies_to", "where"))
        if rule.applies_to.where is not None
        else None
    )
    exemptions = []
    declared = rule.applies_to.not_applicable
    listed = declared if isinstance(declared, list) else [] if declared is None else [declared]
    for index, exempt in enumerate(listed):
        at: DataPath = ("applies_to", "not_applicable", *((index,) if isinstance(declared, list) else ()))
        when = compile_node(exempt.when, selector_scope, (*at, "when"))
        reason = _template(exempt.reason, (*at, "reason"))
        for path in reason.paths:
            selector_scope.check(path, (*at, "reason"))
        exemptions.append((when, reason))
    computed = []
    for name, text in rule.compute.items():
        where: DataPath = ("compute", name)
        try:
            expression = compile_expression(text, defaults, path_resolver)
        except ExpressionError as exc:
            raise RuleError(where, str(exc)) from None
        for path in expression.paths:
            scope.check(path, where)
        computed.append((name, expression))
    condition = compile_node(rule.condition, scope, ("condition",))
    for index, path in enumerate(rule.evidence):
        scope.check(path, ("evidence", index))
    for field in ("evidence_path", "fingerprint_key"):
        value = getattr(rule, field)
        if value is not None:
            scope.check(value, (field,))
    if rule.regime is not None:
        regimes = [f.name for f in dataclasses.fields(ScopeFact)]
        if rule.regime not in regimes:
            raise RuleError(("regime",), f"unknown regime {rule.regime!r}{suggestion(rule.regime, regimes)}")
    for field in ("effective_from", "effective_until"):
        ref = getattr(rule, field)
        problem = isinstance(ref, str) and unknown_milestone(ref)
        if problem:
            raise RuleError((field,), problem)
    message = _template(rule.message or rule.title, ("message",))
    for path in message.paths:
        scope.check(path, ("message",))
    return CompiledRule(
        rule=rule,
        selector_node=selector,
        computed=computed,
        condition_node=condition,
        evidence=[(p, path_resolver(p)) for p in rule.evidence],
        graph_path=path_resolver(rule.evidence_path) if rule.evidence_path else None,
        key=path_resolver(rule.fingerprint_key) if rule.fingerprint_key else None,
        message=message,
        exemptions=tuple(exemptions),
    )


def _template(text: str, where: DataPath) -> MessageTemplate:
    try:
        return MessageTemplate(text)
    except TemplateError as exc:
        raise RuleError(where, str(exc)) from None


def run_computed(compiled: CompiledRule, ctx: EvalContext) -> None:
    """Fill ctx.computed; an unknown input leaves the value None and notes the missing path."""
    for name, expression in compiled.computed:
        try:
            ctx.computed[name] = expression.evaluate(ctx)
        except Missing as exc:
            ctx.computed[name] = None
            ctx.missing.append(exc.path)
