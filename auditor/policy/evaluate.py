"""Evaluate compiled rules over the assets they apply to: one Finding per (rule, asset)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from auditor.graph.build import AssetGraph
from auditor.graph.facts import Facts
from auditor.policy.compiler import CompiledRule, EvalContext, Resolver, path_resolver, run_computed
from auditor.result import Finding, Status

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


_AS_IS = frozenset({str, int, bool, type(None)})


def plain(value: Any) -> Any:
    """JSON-ready copy of an evidence value (dates as ISO text, sets sorted)."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items())}
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


class _MessageTemplate:
    """A failure message with {path} placeholders, parsed once per rule."""

    def __init__(self, template: str) -> None:
        pieces = _PLACEHOLDER.split(template)  # literal, path, literal, path, ..., literal
        self.literals = pieces[0::2]
        self.resolvers = [path_resolver(path) for path in pieces[1::2]]

    def fill(self, ctx: EvalContext) -> str:
        out = [self.literals[0]]
        for resolve, literal in zip(self.resolvers, self.literals[1:], strict=True):
            out.append(_shown(resolve(ctx)))
            out.append(literal)
        return "".join(out)


def _shown(value: Any) -> str:
    value = plain(round(value, 2) if isinstance(value, float) else value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "unknown" if value is None else str(value)


@dataclass(frozen=True)
class _Plan:
    """One rule ready to run: compiled conditions plus the readers of its evidence and message."""

    compiled: CompiledRule
    extra: list[tuple[str, Resolver]]
    graph_path: Resolver | None
    key: Resolver | None
    message: _MessageTemplate


class Evaluator:
    """Holds the per-asset views (built lazily, once) that contexts read."""

    def __init__(self, graph: AssetGraph, facts: Facts, as_of: date) -> None:
        self.graph = graph
        self.facts = facts
        self.audit = {"as_of": as_of}
        self._views: dict[str, dict[str, Any]] = {}
        org = graph.inventory.organization
        self.org = {**self.view(org.id), "facts": facts.by_asset[org.id]} if org is not None else {}

    def view(self, asset_id: str) -> dict[str, Any]:
        found = self._views.get(asset_id)
        if found is None:
            asset = self.graph.asset(asset_id)
            found = asset.model_dump()
            found["kind"] = asset.kind
            self._views[asset_id] = found
        return found

    def context(self, asset_id: str) -> EvalContext:
        return EvalContext(
            asset_id,
            self.view(asset_id),
            self.facts.by_asset[asset_id],
            self.org,
            self.neighbours,
            self.audit,
        )

    def neighbours(self, asset_id: str, rel: str, direction: str) -> list[EvalContext]:
        ids = self.graph.targets(asset_id, rel) if direction == "out" else self.graph.sources(asset_id, rel)
        return [self.context(other) for other in ids]

    def run(self, rules: list[tuple[CompiledRule, str]]) -> Iterator[Finding]:
        """Evaluate each rule (the caller passes those in force) on every asset of its kinds."""
        by_kind = self.graph.inventory.by_kind
        for compiled, _pack in rules:
            rule = compiled.rule
            plan = _Plan(
                compiled,
                [(p, path_resolver(p)) for p in rule.evidence],
                path_resolver(rule.evidence_path) if rule.evidence_path else None,
                path_resolver(rule.fingerprint_key) if rule.fingerprint_key else None,
                _MessageTemplate(rule.message or rule.title),
            )
            for kind in rule.applies_to.kinds:
                for asset in by_kind.get(kind, []):
                    finding = self._evaluate(plan, asset.id)
                    if finding is not None:
                        yield finding

    def _evaluate(self, plan: _Plan, asset_id: str) -> Finding | None:
        compiled = plan.compiled
        rule = compiled.rule
        ctx = self.context(asset_id)
        if compiled.selector is not None:
            applies = compiled.selector(ctx)
            if applies is False:
                return None
        else:
            applies = True
        verdict = None
        if applies:
            run_computed(compiled, ctx)
            verdict = compiled.condition(ctx)
        status = Status.PASS if verdict is True else Status.FAIL if verdict is False else Status.NOT_EVALUABLE
        location = self.graph.inventory.locations[asset_id]
        if status is Status.PASS:  # a pass is recorded, its evidence is not: reports list passes by id
            return Finding(rule.id, asset_id, ctx.view["kind"], status, rule.severity, "", location)
        evidence = {path: ctx.observed[path] for path in sorted(ctx.observed)}
        evidence.update({f"computed.{k}": v for k, v in ctx.computed.items()})
        for path, resolve in plan.extra:
            evidence[path] = resolve(ctx)
        missing = [self._explain(path, ctx) for path in sorted(set(ctx.missing))] + sorted(set(ctx.problems))
        if status is Status.NOT_EVALUABLE:
            message = "cannot decide: " + ", ".join(missing or ["no answer"])
        else:
            message = plan.message.fill(ctx)
        return Finding(
            rule_id=rule.id,
            asset_id=asset_id,
            asset_kind=ctx.view["kind"],
            status=status,
            severity=rule.severity,
            message=message,
            location=location,
            evidence=plain(evidence),
            graph_path=list(plan.graph_path(ctx) or []) if plan.graph_path else [],
            missing=missing if status is Status.NOT_EVALUABLE else [],
            evidence_key=str(plan.key(ctx) or "") if plan.key else "",
        )

    @staticmethod
    def _explain(path: str, ctx: EvalContext) -> str:
        """A missing derived fact names the input that left it unknown."""
        parts = path.split(".")
        if len(parts) > 2 and parts[0] == "facts":
            reason = (ctx.facts.get(parts[1]) or {}).get("unknown_because")
            if reason:
                return f"{path} ({reason})"
        return path
