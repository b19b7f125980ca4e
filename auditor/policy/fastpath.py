"""Each rule's verdict and full judgement as generated Python, reading the asset models themselves.

The compiled closures (auditor.policy.compiler) judge an asset on its view (a model_dump) and a
context, recording what they read for every result: the evidence and the missing values a Finding
shows. At scale most results are passes, assets a selector leaves out or outside the scope of the
rule's law, which show none of it. This writes each rule of an audit as straight-line Python:

- a verdict, in one module for all the rules, compiled at the start: True (a pass), False (the
  selector leaves the asset out), OUT_OF_SCOPE (the rule's law does not apply) or None (anything
  else: the judgement then makes the Finding); any exception is a None;
- a judgement, which mirrors Evaluator._judge in full and returns the Finding, and drop-ins for the
  rule's closures (the same answers, the same records on a context), each compiled when the rule
  first needs it: on a lawful inventory most rules never do.

`related` conditions read the neighbours from the graph and judge each with a generated function;
`compute:` values are written as the same arithmetic (auditor.policy.expressions). Same three-valued
logic, same conversions and operators as the closures. Code objects come from auditor.policy.code_cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from keyword import iskeyword
from typing import Any

from msgspec import Struct
from pydantic import BaseModel

from auditor.errors import SourceLocation
from auditor.graph.build import AssetGraph
from auditor.policy.code_cache import CodeCache
from auditor.policy.compiler import (
    MATCHES,
    AllNode,
    AnyNode,
    Check,
    CompareNode,
    CompiledRule,
    EmptinessNode,
    MessageTemplate,
    Node,
    NotNode,
    Part,
    PresenceNode,
    RelatedNode,
    Slot,
    present,
)
from auditor.policy.expressions import Missing, number_at, quotient
from auditor.policy.operators import CONVERTERS, TypeMismatch
from auditor.policy.paths import ASSET_KINDS, held_as
from auditor.policy.values import AS_IS, plain, shown
from auditor.result import Finding, Status

# The answer for an asset outside the territorial scope of the rule's law (a NOT_APPLICABLE result).
OUT_OF_SCOPE = "out of scope"
# (asset id, asset model, facts, effective parameters) -> True (pass), False (not selected),
# OUT_OF_SCOPE, None (judge it fully).
FastJudge = Callable[[str, Any, Any, dict[str, Any]], bool | str | None]
# What a generated judgement answers when it met a value it does not read itself (an enum, a set) or
# an error: the closures then judge the asset on its view.
UNJUDGED = "judge by the closures"
# (asset id, asset model, facts, effective parameters, location) -> True (pass), None (not selected),
# the Finding, or UNJUDGED: Evaluator._judge's answers, without a view or a context.
FullJudge = Callable[[str, Any, Any, dict[str, Any], SourceLocation], "Finding | bool | str | None"]

_NUMBER, _STRING, _BOOL, _DATE = CONVERTERS["number"], CONVERTERS["string"], CONVERTERS["bool"], CONVERTERS["date"]
_SYMBOLS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


class _NotPlain(Exception):
    """A model value whose dump (the view's copy) could differ from it: left to the closures."""


_PLAIN = frozenset({str, int, float, bool, type(None), date, datetime})


def _plain(value: Any) -> Any:
    """`value` when it is what the asset's view (its model_dump) holds at that place, else _NotPlain."""
    if type(value) is list and all(type(item) in _PLAIN for item in value):
        return value
    if type(value) is dict and all(type(item) in _PLAIN for item in value.values()):
        return value
    raise _NotPlain


def _viewed(value: Any) -> Any:
    """`value` as the asset's view (its model_dump) holds it: nested models as their dumps; else _NotPlain."""
    if type(value) in _PLAIN:
        return value
    if type(value) is list:
        return [_viewed(item) for item in value]
    if type(value) is dict:
        return {key: _viewed(item) for key, item in value.items()}
    if isinstance(value, BaseModel | Struct):
        return value.model_dump()  # type: ignore[union-attr]  # the inventory's structs have it
    raise _NotPlain


def _field(value: Any, key: str) -> Any:
    """One level down, as in the view: a dict's item, a nested model's field, else None."""
    if type(value) is dict:
        return value.get(key)
    if isinstance(value, BaseModel | Struct):  # loaded assets are msgspec structs, hand-built ones models
        return getattr(value, key, None)
    return None


def _dig(value: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = _field(value, key)
    return value


def _evidence(observed: dict[str, Any]) -> dict[str, Any]:
    """values.plain(observed), quicker for what evidence is: keys that are paths (text), mostly one."""
    if len(observed) == 1:
        for key, value in observed.items():
            return {key: value if type(value) in AS_IS else plain(value)}
    return {key: value if type(value := observed[key]) in AS_IS else plain(value) for key in sorted(observed)}


def imported_from(labels: dict[str, str]) -> SourceLocation | None:
    """The file and line an importer recorded for the asset (label import.location), if any."""
    recorded = labels.get("import.location")
    if not recorded or ":" not in recorded:
        return None
    file, _, line = recorded.rpartition(":")
    return SourceLocation(file, int(line)) if line.isdigit() else None


def explained(path: str, facts: Any) -> str:
    """A missing path as a finding names it: a missing derived fact with the input that left it unknown."""
    if not path.startswith("facts."):
        return path
    parts = path.split(".")
    if len(parts) > 2:
        reason = getattr(getattr(facts, parts[1], None), "unknown_because", None)
        if reason:
            return f"{path} ({reason})"
    return path


# What the generated code refers to by name, besides its constants and the audit's own names (_Space).
_HELPERS: dict[str, Any] = {
    "_dig": _dig,
    "_field": _field,
    "_plain": _plain,
    "_viewed": _viewed,
    "_PLAIN": _PLAIN,
    "_NUMBERS": frozenset({int, float}),
    "_Mismatch": TypeMismatch,
    "_Missing": Missing,
    "_number_at": number_at,
    "_quotient": quotient,
    "_date": date,
    "_timedelta": timedelta,
    "_OUT_OF_SCOPE": OUT_OF_SCOPE,
    "_UNJUDGED": UNJUDGED,
    "_Finding": Finding,
    "_FAIL": Status.FAIL,
    "_UNDECIDED": Status.NOT_EVALUABLE,
    "_NOT_APPLICABLE": Status.NOT_APPLICABLE,
    "_evidence": _evidence,
    "_shown": shown,
    "_present": present,
    "_explained": explained,
    "_imported_from": imported_from,
}


class _Writer:
    """One module's source lines, and the constants they refer to by name (numbered in the order
    written, so the same rules write the same source)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.side: list[str] = []  # module-level functions the lines call (a neighbour's judgement)
        self.names: dict[str, Any] = {}
        self.count = 0
        self.record = False  # writing a check that records what it reads, as the closures do
        self.from_view = True  # recording: asset attributes read from the view (else from the model, as plain values)
        self.kinds: frozenset[str] = frozenset(ASSET_KINDS)  # the kinds of asset the function being written reads
        # Writing a judgement's own lines (not a neighbour's): a missing fact is noted as a finding names it.
        self.explain = False

    def const(self, value: Any) -> str:
        name = f"_k{len(self.names)}"
        self.names[name] = value
        return name

    def temp(self) -> str:
        self.count += 1
        return f"_t{self.count}"

    def add(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def source(self) -> str:
        return "\n".join(self.lines + self.side) + "\n"


def _items(root: str, keys: list[str], w: _Writer) -> str:
    """Mirrors compiler._items: dict lookups, None once a level is not a dict."""
    if not keys:
        return root
    first = f"{root}.get({keys[0]!r})"
    if len(keys) == 1:
        return first
    if len(keys) == 2:
        held = w.temp()
        return f"({held}.get({keys[1]!r}) if type({held} := {first}) is dict else None)"
    return f"_dig({first}, {tuple(keys[1:])!r})"


def _attributes(root: str, keys: list[str]) -> str:
    """Mirrors compiler._attributes: attribute reads, None when absent."""
    expression = root
    for key in keys:
        expression = f"getattr({expression}, {key!r}, None)"
    return expression


def _declared(root: str, keys: list[str], w: _Writer) -> str:
    """`root`'s attributes along `keys`, each known to be declared where it is read (a missing one
    raises, and the closures then judge): None once a level is None."""
    expression = root
    for key in keys:
        if expression == root:
            expression = f"{root}.{key}"
        else:
            held = w.temp()
            expression = f"({held}.{key} if ({held} := {expression}) is not None else None)"
    return expression


def _asset(keys: list[str], w: _Writer, needs: str) -> str:
    """An asset attribute read from its model's fields, as its view (model_dump) holds it: as it is
    for `needs` "presence" (None either way) and "raw" (even when recording: a value only looked into),
    any list for "length" (a dumped list is as long), as dumped for "record" (what a finding shows),
    else only values the dump leaves as they are.

    Fields every kind of the rule declares are read as attributes (and mappings' keys with `get`);
    the rest as the view would hold them: None where a level is absent or of another shape."""
    if keys == ["kind"]:
        return "asset.kind"
    shapes = held_as(tuple(keys), w.kinds)
    known = 0  # the keys read directly
    while known < len(keys) and shapes[known] and keys[known].isidentifier() and not iskeyword(keys[known]):
        known += 1
    first = _declared("asset", keys[:1], w) if known else f"getattr(asset, {keys[0]!r}, None)"
    for index in range(1, len(keys)):
        key = keys[index]
        held = w.temp()
        if index >= known:
            rest = keys[index:]
            if len(rest) > 1:
                first = f"_dig({first}, {tuple(rest)!r})"
            else:
                first = f"({held}.get({key!r}) if type({held} := {first}) is dict else _field({held}, {key!r}))"
            break
        read = f"{held}.{key}" if shapes[index] == "field" else f"{held}.get({key!r})"
        first = f"({read} if ({held} := {first}) is not None else None)"
    if needs in ("presence", "raw"):
        return first
    value = w.temp()
    lists = f" or type({value}) is list" if needs == "length" else ""
    copy = "_viewed" if needs == "record" else "_plain"
    return f"({value} if type({value} := {first}) in _PLAIN{lists} else {copy}({value}))"


def _read(path: str, w: _Writer, needs: str = "value") -> str:
    """The expression that reads `path`, as compiler.path_resolver does."""
    head, *rest = path.split(".")
    if head == "facts":  # facts of the kinds the path was checked against: declared, except on a view's context
        return _attributes("facts", rest) if w.record and w.from_view else _declared("facts", rest, w)
    if head == "org" and rest[:1] == ["facts"]:
        return _attributes("org.get('facts')", rest[1:])
    if head in ("org", "computed", "audit"):
        return _items(head, rest, w)
    if w.record and w.from_view:
        return _items("view", [head, *rest], w)
    if w.record and needs != "raw":
        needs = "record"  # what is recorded must be what the view holds
    return _asset([head, *rest], w, needs)


def _late(source: tuple[str, Any], w: _Writer) -> str:
    kind, value = source
    if kind == "param":
        return f"params[{value!r}]"
    if kind == "days":
        return f"audit['as_of'] - {w.const(value)}"
    if kind == "days_param":
        return f"audit['as_of'] - _timedelta(days=params[{value!r}])"
    if kind == "milestone":
        return f"audit['milestones'].date_of({value!r})"
    return _read(value, w)


def _shortcut(node: CompareNode, w: _Writer) -> tuple[str, str] | None:
    """(guard, expression) giving the comparison's answer directly for the common value types;
    every other value goes through the general code."""
    op, convert, constant = node.op, node.convert, node.constant
    if node.late is not None:
        if op in _SYMBOLS and convert is _DATE and node.late.source is not None and node.late.source[0] != "path":
            return "type(v) is _date and type(o) is _date", f"v {_SYMBOLS[op]} o"
        if op in _SYMBOLS and convert is _NUMBER:  # the converter returns ints and floats as they are
            return "type(v) in _NUMBERS and type(o) in _NUMBERS", f"v {_SYMBOLS[op]} o"
        if op in ("eq", "ne") and convert in (_STRING, _BOOL):
            kind = "str" if convert is _STRING else "bool"
            return f"type(v) is {kind} and type(o) is {kind}", f"v {_SYMBOLS[op]} o"
        return None
    if op in _SYMBOLS and convert is _BOOL and type(constant) is bool and op in ("eq", "ne"):
        return "type(v) is bool", f"v {'is' if op == 'eq' else 'is not'} {constant!r}"
    if op in _SYMBOLS and convert is _STRING and type(constant) is str:
        return "type(v) is str", f"v {_SYMBOLS[op]} {w.const(constant)}"
    if op in _SYMBOLS and convert is _NUMBER and type(constant) in (int, float):
        return "type(v) is int or type(v) is float", f"v {_SYMBOLS[op]} {w.const(constant)}"
    if op in _SYMBOLS and convert is _DATE and type(constant) is date:
        return "type(v) is _date", f"v {_SYMBOLS[op]} {w.const(constant)}"
    if op in ("in", "not_in") and type(constant) is list and convert in (_STRING, None):
        try:
            listed = frozenset(constant)
        except TypeError:
            return None
        return "type(v) is str", f"v {'in' if op == 'in' else 'not in'} {w.const(listed)}"
    if op in ("intersects", "disjoint", "subset_of") and type(constant) is list:
        try:
            members = w.const(frozenset(constant))
        except TypeError:
            return None
        test = {"intersects": f"not {members}.isdisjoint(v)", "disjoint": f"{members}.isdisjoint(v)"}
        return "type(v) is list", test.get(op, f"{members}.issuperset(v)")
    return None


def _unknown(path: str, if_missing: bool | None, target: str, w: _Writer, at: int) -> None:
    """A missing value: the rule's if_missing answer, else unknown (recorded as missing)."""
    if if_missing is None and w.record:
        explained = w.explain and path.startswith("facts.") and path.count(".") > 1
        w.add(at, f"missing.append({f'_explained({path!r}, facts)' if explained else repr(path)})")
    w.add(at, f"{target} = {if_missing!r}")


def _read_or_unknown(path: str, needs: str, if_missing: bool | None, target: str, w: _Writer, at: int) -> None:
    """`v = <path>` (observed when recording); a missing value answers as `_unknown`, and the
    caller's lines for a present value follow at `at + 1`, under the `else:` written here."""
    w.add(at, f"v = {_read(path, w, needs)}")
    if w.record:
        w.add(at, f"observed[{path!r}] = v")
    w.add(at, "if v is None:")
    _unknown(path, if_missing, target, w, at + 1)
    w.add(at, "else:")


def _compare(node: CompareNode, target: str, w: _Writer, at: int) -> None:
    """Mirrors the `binary` closure of compiler.compile_leaf."""
    _read_or_unknown(node.path, "value", node.if_missing, target, w, at)
    at += 1
    late = node.late
    if late is not None:
        assert late.source is not None
        w.add(at, f"o = {_late(late.source, w)}")
        if late.path is not None:
            if w.record:
                w.add(at, f"observed[{late.path!r}] = o")
            w.add(at, "if o is None:")
            _unknown(late.path, None, target, w, at + 1)
            w.add(at, "else:")
            at += 1
    other = "o" if late is not None else w.const(node.constant)
    w.add(at, "try:")
    shortcut = _shortcut(node, w)
    body = at + 1
    if shortcut is not None:
        guard, expression = shortcut
        w.add(body, f"if {guard}:")
        w.add(body + 1, f"{target} = {expression}")
        w.add(body, "else:")
        body += 1
    if node.convert is not None and (node.scalar_ops or node.listed):
        w.add(body, f"v = {w.const(node.convert)}(v)")
        if late is not None and (node.scalar_ops or (node.listed and late.path is None)):
            w.add(body, f"o = {w.const(node.converted)}(o)")
    w.add(body, f"{target} = {w.const(node.compare)}(v, {other})")
    if w.record:
        w.add(at, "except _Mismatch as exc:")
        w.add(at + 1, f"problems.append({node.path + ': '!r} + str(exc))")
        w.add(at + 1, f"{target} = None")
        w.add(at, "except TypeError:")
        w.add(at + 1, f"problems.append(f{node.path + ': {v!r} cannot be compared with {' + other + '!r}'!r})")
        w.add(at + 1, f"{target} = None")
    else:
        w.add(at, "except (_Mismatch, TypeError):")
        w.add(at + 1, f"{target} = None")


def _combined(parts: Sequence[Node], target: str, w: _Writer, at: int, decisive: bool) -> None:
    """`all` (decisive False) or `any` (decisive True) in Kleene's logic, stopping at the first decisive answer."""
    w.add(at, f"{target} = {not decisive!r}")
    w.add(at, "while True:")
    for part in parts:
        answer = w.temp()
        _emit(part, answer, w, at + 1)
        w.add(at + 1, f"if {answer} is {decisive!r}:")
        w.add(at + 2, f"{target} = {decisive!r}")
        w.add(at + 2, "break")
        w.add(at + 1, f"if {answer} is None:")
        w.add(at + 2, f"{target} = None")
    w.add(at + 1, "break")


def _emit(node: Node, target: str, w: _Writer, at: int) -> None:
    """Lines that set `target` to the node's verdict (True, False or None)."""
    if isinstance(node, PresenceNode):
        read = _read(node.path, w, "presence")
        if w.record:
            w.add(at, f"v = observed[{node.path!r}] = {read}")
            read = "v"
        w.add(at, f"{target} = {read} is {'not ' if node.wanted else ''}None")
    elif isinstance(node, EmptinessNode):
        _read_or_unknown(node.path, "length", node.if_missing, target, w, at)
        w.add(at + 1, f"{target} = (len(v) == 0) is {node.wanted_empty!r}")
    elif isinstance(node, CompareNode):
        _compare(node, target, w, at)
    elif isinstance(node, AllNode | AnyNode):
        _combined(node.parts, target, w, at, decisive=isinstance(node, AnyNode))
    elif isinstance(node, NotNode):
        inner = w.temp()
        _emit(node.inner, inner, w, at)
        w.add(at, f"{target} = None if {inner} is None else not {inner}")
    elif w.record and w.from_view:  # a drop-in on a context: the closure reads the neighbours' views
        w.add(at, f"{target} = {w.const(node.check)}(ctx)")
    else:
        assert isinstance(node, RelatedNode)
        _related(node, target, w, at)


def _related(node: RelatedNode, target: str, w: _Writer, at: int) -> None:
    """Mirrors the closure of compiler._compile_related: each neighbour of the kinds judged by a
    function of its own; recording, every neighbour's records under its prefix, then the answers
    combined; else the first decisive answer ends the loop."""
    inner = _neighbour_check(node.inner, node.kinds, w) if node.inner is not None else None
    decisive = node.match != "all"  # any and none look for a neighbour that holds
    answer = w.temp()
    w.add(at, f"{answer} = {'[]' if w.record else repr(not decisive)}")
    w.add(at, f"for oid in _{'targets' if node.direction == 'out' else 'sources'}(asset_id, {node.rel!r}):")
    w.add(at + 1, "other = _assets[oid]")
    if node.kinds:
        w.add(at + 1, f"if other.kind not in {w.const(node.kinds)}:")
        w.add(at + 2, "continue")
    if w.record:
        if inner is None:
            w.add(at + 1, f"{answer}.append(True)")
        else:
            w.add(at + 1, "o_observed, o_missing, o_problems = {}, [], []")
            w.add(at + 1, f"o_verdict = {inner}(oid, other, _facts[oid], params, o_observed, o_missing, o_problems)")
            w.add(at + 1, f"prefix = {node.label + '['!r} + oid + '].'")
            w.add(at + 1, "for o_path, o_value in o_observed.items():")
            w.add(at + 2, "observed[prefix + o_path] = o_value")
            w.add(at + 1, "missing.extend([prefix + o_path for o_path in o_missing])")
            w.add(at + 1, "problems.extend(o_problems)")
            w.add(at + 1, f"{answer}.append(o_verdict)")
        w.add(at, f"{target} = {w.const(MATCHES[node.match])}({answer})")
        return
    w.add(at + 1, f"o_verdict = {'True' if inner is None else f'{inner}(oid, other, _facts[oid], params)'}")
    w.add(at + 1, f"if o_verdict is {decisive!r}:")
    w.add(at + 2, f"{answer} = {decisive!r}")
    w.add(at + 2, "break")
    w.add(at + 1, "if o_verdict is None:")
    w.add(at + 2, f"{answer} = None")
    if node.match == "none":
        w.add(at, f"{target} = None if {answer} is None else not {answer}")
    else:
        w.add(at, f"{target} = {answer}")


def _neighbour_check(node: Node, neighbours: frozenset[str], w: _Writer) -> str:
    """A module-level function that judges one neighbour (recording: into the records it is given)."""
    name = w.temp()
    outer, w.lines = w.lines, []
    kinds, explain, w.kinds, w.explain = w.kinds, w.explain, neighbours or frozenset(ASSET_KINDS), False
    records = ", observed, missing, problems" if w.record else ""
    w.add(0, f"def {name}(asset_id, asset, facts, params{records}):")
    _emit(node, "answer", w, 1)
    w.add(1, "return answer")
    w.side.extend(w.lines)
    w.lines, w.kinds, w.explain = outer, kinds, explain
    return name


def _number(path: str, w: _Writer) -> str:
    """The number at `path` for arithmetic, as expressions.number_at answers (called unless an int or float)."""
    value = w.temp()
    return f"({value} if type({value} := {_read(path, w)}) in _NUMBERS else _number_at({value}, {path!r}))"


def _computed(compiled: CompiledRule, w: _Writer, at: int) -> None:
    """Mirrors compiler.run_computed: each value in order; an unknown input leaves it None (recording:
    the missing path noted)."""
    for name, expression in compiled.computed:
        w.add(at, "try:")
        w.add(at + 1, f"computed[{name!r}] = {expression.source(lambda path: _number(path, w), w.const)}")
        w.add(at, f"except _Missing{' as exc' if w.record else ''}:")
        w.add(at + 1, f"computed[{name!r}] = None")
        if w.record:
            w.add(at + 1, f"missing.append({'_explained(exc.path, facts)' if w.explain else 'exc.path'})")


def _check(name: str, node: Node, w: _Writer) -> str:
    """A drop-in for the node's closure: the same answer, the same records on the context."""
    w.record = True
    w.add(0, f"def {name}(ctx):")
    w.add(1, "view, facts, org, params, audit = ctx.view, ctx.facts, ctx.org, ctx.params, ctx.audit")
    w.add(1, "computed, observed, missing, problems = ctx.computed, ctx.observed, ctx.missing, ctx.problems")
    _emit(node, "answer", w, 1)
    w.add(1, "return answer")
    w.record = False
    return name


def _function(name: str, compiled: CompiledRule, regime: str | None, w: _Writer) -> None:
    """Mirrors Evaluator._judge up to its verdict: True only where it would record a pass, OUT_OF_SCOPE
    only where it would find the rule not applicable by the scope fact."""
    w.kinds = frozenset(compiled.rule.applies_to.kinds)
    w.add(0, f"def {name}(asset_id, asset, facts, params):")
    w.add(1, "try:")
    at = 2
    if compiled.selector_node is not None:
        _emit(compiled.selector_node, "s", w, at)
        w.add(at, "if s is False:")
        w.add(at + 1, "return False")
    if regime:
        w.add(at, f"scope = facts.scope.{regime}")
        w.add(at, "if scope is not None and scope.applies is False:")
        w.add(at + 1, "return _OUT_OF_SCOPE")  # the object itself: the evaluator tests it with `is`
    if compiled.selector_node is not None:
        w.add(at, "if s is None:")
        w.add(at + 1, "return None")
    for exempt, _ in compiled.exemptions:
        answer = w.temp()
        _emit(exempt, answer, w, at)
        w.add(at, f"if {answer} is True:")
        w.add(at + 1, "return None")
    if compiled.computed:
        w.add(at, "computed = {}")
        _computed(compiled, w, at)
    _emit(compiled.condition_node, "c", w, at)
    w.add(at, "return True if c is True else None")
    w.add(1, "except Exception:")
    w.add(2, "return None")


def _filled(template: MessageTemplate, w: _Writer) -> str:
    """Mirrors MessageTemplate.fill: its literals around each path's value as shown in a sentence,
    an optional part kept when its path's value is present."""
    return _parts(template.parts, w)


def _parts(parts: tuple[Part, ...], w: _Writer) -> str:
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(w.const(part))
        elif isinstance(part, Slot):
            value = w.temp()
            pieces.append(f"({value} if type({value} := {_read(part.path, w)}) is str else _shown({value}))")
        else:
            shown, otherwise = _parts(part.shown, w), _parts(part.otherwise, w)
            pieces.append(f"(({shown}) if _present({_read(part.path, w)}) else ({otherwise}))")
    return " + ".join(pieces) or w.const("")


def _judgement(name: str, compiled: CompiledRule, regime: str | None, w: _Writer) -> None:
    """Mirrors Evaluator._judge (no selector, exemption or computed value it does not have), reading
    the asset's model and its neighbours' from the graph: no view, no context."""
    w.record, w.from_view, w.explain = True, False, True
    rule = compiled.rule
    rule_id, severity = w.const(rule.id), w.const(rule.severity)
    w.kinds = frozenset(rule.applies_to.kinds)
    w.add(0, f"def {name}(asset_id, asset, facts, params, location):")
    w.add(1, "try:")
    at = 2
    w.add(at, "computed, observed, missing, problems = {}, {}, [], []")
    w.add(at, "kind = asset.kind")
    if compiled.selector_node is not None:
        _emit(compiled.selector_node, "s", w, at)
        w.add(at, "if s is False:")
        w.add(at + 1, "return None")
        w.add(at, "if s is True:")
        w.add(at + 1, "missing.clear()")
    if regime:
        w.add(at, f"scope = facts.scope.{regime}")
        w.add(at, "if scope is not None and scope.applies is False:")
        not_applicable = f"_Finding({rule_id}, asset_id, kind, _NOT_APPLICABLE, {severity}, scope.reason, location)"
        w.add(at + 1, f"return {not_applicable}")
    for exempt, reason in compiled.exemptions:
        answer = w.temp()
        w.add(at, "known = len(missing)")
        _emit(exempt, answer, w, at)
        w.add(at, f"if {answer} is True:")
        filled = _filled(reason, w)
        w.add(at + 1, f"return _Finding({rule_id}, asset_id, kind, _NOT_APPLICABLE, {severity}, {filled}, location)")
        w.add(at, "del missing[known:]")
    body = at
    if compiled.selector_node is not None:
        w.add(at, "c = None")
        w.add(at, "if s:")
        body += 1
    _computed(compiled, w, body)
    _emit(compiled.condition_node, "c", w, body)
    w.add(at, "if c is True:")
    w.add(at + 1, "return True")
    if regime:
        w.add(at, "if scope is not None and scope.applies is None:")
        w.add(at + 1, "c = None")
        w.add(at + 1, "problems.append(f'scope: {scope.reason}')")
    w.add(at, "evidence = observed")
    if compiled.computed:
        w.add(at, "for name, value in computed.items():")
        w.add(at + 1, "evidence['computed.' + name] = value")
    for path in compiled.rule.evidence:
        w.add(at, f"evidence[{path!r}] = {_read(path, w)}")
    w.add(at, "labels = " + _read("labels", w, "raw"))  # only looked into, never shown: as the model holds it
    graph_path = f"list({_read(rule.evidence_path, w)} or [])" if rule.evidence_path else "[]"
    key = f"str({_read(rule.fingerprint_key, w)} or '')" if rule.fingerprint_key else "''"
    place = "location, _evidence(evidence)"
    imported = "_imported_from(labels) if labels else None, labels.get('import.address') if labels else None"
    w.add(at, "if c is False:")
    w.add(at + 1, f"message = {_filled(compiled.message, w)}")
    w.add(
        at + 1,
        f"return _Finding({rule_id}, asset_id, kind, _FAIL, {severity}, message, {place}, {graph_path}, [], {key},"
        f" None, None, {imported})",
    )
    w.add(at, "shown = sorted(set(missing)) if missing else []")  # explained as noted, which sorts the same
    w.add(at, "if problems:")
    w.add(at + 1, "shown += sorted(set(problems))")
    w.add(at, "message = 'cannot decide: ' + ', '.join(shown or ['no answer'])")
    w.add(
        at,
        f"return _Finding({rule_id}, asset_id, kind, _UNDECIDED, {severity}, message, {place}, {graph_path}, shown,"
        f" {key}, None, None, {imported})",
    )
    w.add(1, "except Exception:")
    w.add(2, "return _UNJUDGED")
    w.record, w.from_view, w.explain = False, True, False


@dataclass(frozen=True)
class DropIns:
    """Generated stand-ins for one rule's closures: the same answers, the same records on the context."""

    selector: Check | None
    exemptions: tuple[Check, ...]
    condition: Check


class _Space:
    """What every generated module of one audit refers to: the helpers, the organisation, the audit's
    date and milestones, the graph's assets, relations and facts; and where the code objects come from."""

    def __init__(
        self,
        org: dict[str, Any],
        audit: dict[str, Any],
        graph: AssetGraph | None,
        facts: dict[str, Any],
        codes: CodeCache,
    ) -> None:
        self.names = {**_HELPERS, "org": org, "audit": audit, "_facts": facts}
        if graph is not None:
            self.names.update(_targets=graph.targets, _sources=graph.sources, _assets=graph.inventory.assets)
        self.codes = codes
        self._namespaces: list[dict[str, Any]] = []

    def run(self, w: _Writer) -> dict[str, Any]:
        """The module `w` wrote, run: its names."""
        namespace = {**self.names, **w.names}
        exec(self.codes.code(w.source()), namespace)  # the source is written here from compiled, checked rules
        self._namespaces.append(namespace)
        return namespace

    def close(self) -> None:
        """Empty every module run here. Each generated function refers to its module's names, which
        refer to the function: a reference cycle holding the audit's facts and graph, which only the
        collector frees (1.2 s at 100k assets when the process exits)."""
        for namespace in self._namespaces:
            namespace.clear()
        self._namespaces.clear()
        self.names.clear()


class Generated:
    """One rule's generated functions: its verdict (compiled with every rule's), its judgement and its
    drop-ins (each compiled when first asked for)."""

    def __init__(self, verdict: FastJudge, compiled: CompiledRule, regime: str | None, space: _Space) -> None:
        self.verdict = verdict
        self._compiled, self._regime, self._space = compiled, regime, space

    def release(self) -> None:
        """Let the audit's facts and graph go (see `_Space.close`); no generated function of this
        audit may run after it."""
        self._space.close()

    @cached_property
    def judge(self) -> FullJudge:
        w = _Writer()
        _judgement("judge", self._compiled, self._regime, w)
        judge: FullJudge = self._space.run(w)["judge"]
        return judge

    @cached_property
    def drop_ins(self) -> DropIns:
        w, compiled = _Writer(), self._compiled
        exempts = [_check(f"exempt_{n}", exempt, w) for n, (exempt, _) in enumerate(compiled.exemptions)]
        _check("condition", compiled.condition_node, w)
        if compiled.selector_node is not None:
            _check("selector", compiled.selector_node, w)
        names = self._space.run(w)
        return DropIns(names.get("selector"), tuple(names[name] for name in exempts), names["condition"])


def generate(
    rules: Sequence[tuple[CompiledRule, str | None]],
    org: dict[str, Any],
    audit: dict[str, Any],
    graph: AssetGraph | None,
    facts: dict[str, Any],
    codes: CodeCache | None = None,
) -> list[Generated]:
    """The generated functions of each (compiled rule, regime), in order, for an audit's organisation,
    date and graph (None: drop-ins only, for `related` conditions read through the closures) with
    `facts` by asset id."""
    space = _Space(org, audit, graph, facts, codes or CodeCache(None))
    w = _Writer()
    for index, (compiled, regime) in enumerate(rules):
        _function(f"rule_{index}", compiled, regime, w)
    names = space.run(w)
    return [
        Generated(names[f"rule_{index}"], compiled, regime, space) for index, (compiled, regime) in enumerate(rules)
    ]
