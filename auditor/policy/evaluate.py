"""Evaluate compiled rules over the assets they apply to: one Finding per (rule, asset)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from auditor.errors import SourceLocation
from auditor.graph.build import AssetGraph
from auditor.graph.facts import Facts
from auditor.policy.calendar import Calendar
from auditor.policy.code_cache import CodeCache
from auditor.policy.compiler import CompiledRule, EvalContext, Neighbours, run_computed
from auditor.policy.fastpath import (
    OUT_OF_SCOPE,
    UNJUDGED,
    DropIns,
    FastJudge,
    Generated,
    explained,
    generate,
    imported_from,
)
from auditor.policy.values import plain
from auditor.result import Finding, Status

# Enum members read through a descriptor on every access; these run once per (rule, asset).
_FAIL, _UNDECIDED, _NOT_APPLICABLE = Status.FAIL, Status.NOT_EVALUABLE, Status.NOT_APPLICABLE


@dataclass
class Evaluation:
    """What the rules found: a Finding per result that is not a pass (in evaluation order), and
    per rule the ids of the assets that passed, sorted."""

    findings: list[Finding]
    passed: dict[str, list[str]]


def _rules_by_kind(rules: list[RuleRun]) -> dict[str, list[RuleRun]]:
    grouped: dict[str, list[RuleRun]] = {}
    for run in rules:
        for kind in run.compiled.rule.applies_to.kinds:
            grouped.setdefault(kind, []).append(run)
    return grouped


@dataclass(frozen=True)
class RuleRun:
    """One rule of an audit: compiled once, with the parameters and dates in effect for this organisation."""

    compiled: CompiledRule
    pack: str
    params: dict[str, Any]
    regime: str | None = None  # the law whose scope fact gates the rule (facts.scope.<regime>)
    starts: date | None = None
    ends: date | None = None  # first day it no longer applies
    since: str | None = None  # where the start date comes from
    milestones: tuple[str, ...] = ()

    def in_force(self, day: date) -> bool:
        return (self.starts is None or self.starts <= day) and (self.ends is None or day < self.ends)


def _judge_fully(asset_id: str, asset: Any, facts: Any, params: dict[str, Any]) -> None:
    return None


def _out_of_scope(run: RuleRun, asset_id: str, kind: str, reason: str, location: SourceLocation) -> Finding:
    """NOT_APPLICABLE: the asset is outside the territorial scope of the rule's law."""
    rule = run.compiled.rule
    return Finding(rule.id, asset_id, kind, _NOT_APPLICABLE, rule.severity, reason, location)


def _verdict(generated: Generated | None) -> FastJudge:
    return _judge_fully if generated is None else generated.verdict


class Evaluator:
    """Holds the per-asset views (built lazily, once) that contexts read.

    `code_cache`: the folder where the generated code's compiled form is kept (None: compiled in the process)."""

    # From how many (rule, asset) pairs the generated verdicts pay for compiling them (~50 ms, unless kept compiled):
    # a CI gate's few hundred assets are judged by the closures alone.
    fast_from = 20_000

    def __init__(
        self,
        graph: AssetGraph,
        facts: Facts,
        as_of: date,
        calendar: Calendar | None = None,
        code_cache: Path | None = None,
    ) -> None:
        self.graph = graph
        self.code_cache = code_cache
        self.facts = facts
        self.audit = {"as_of": as_of, "milestones": calendar or Calendar()}
        self._views: dict[str, dict[str, Any]] = {}
        self._facts = facts.by_asset
        self._locations = graph.inventory.locations
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

    def context(self, asset_id: str, params: dict[str, Any]) -> EvalContext:
        view = self._views.get(asset_id)
        return EvalContext(
            asset_id,
            self.view(asset_id) if view is None else view,
            self._facts[asset_id],
            self.org,
            self.neighbours,
            self.audit,
            params,
        )

    def neighbours(self, ctx: EvalContext, rel: str, direction: str) -> list[EvalContext]:
        asset_id = ctx.asset_id
        ids = self.graph.targets(asset_id, rel) if direction == "out" else self.graph.sources(asset_id, rel)
        return [self.context(other, ctx.params) for other in ids]

    def run(self, rules: list[RuleRun]) -> Evaluation:
        """Evaluate each rule (the caller passes those in force) on every asset of its kinds.

        Row-wise: the rules of one asset kind run one after the other on each asset, which is
        looked up once (view, facts, location) for all of them. A pass is recorded as the
        asset's id under its rule; only the other results become Findings.
        """
        passed: dict[str, list[str]] = {run.compiled.rule.id: [] for run in rules}
        findings: list[Finding] = []
        by_kind = self.graph.inventory.by_kind
        grouped = _rules_by_kind(rules)
        pairs = sum(len(by_kind.get(kind, ())) * len(runs) for kind, runs in grouped.items())
        made = self._generated(rules) if pairs >= self.fast_from else [None] * len(rules)
        try:
            self._evaluate(grouped, dict(zip(map(id, rules), made, strict=True)), passed, findings.append)
        finally:
            for checks in made:
                if checks is not None:
                    checks.release()
        for ids in passed.values():
            ids.sort()
        return Evaluation(findings, passed)

    def _evaluate(
        self,
        grouped: dict[str, list[RuleRun]],
        generated: dict[int, Generated | None],
        passed: dict[str, list[str]],
        keep: Callable[[Finding], None],
    ) -> None:
        """The row loop of `run`: every rule of each kind on each of its assets, passes and findings kept."""
        # One bound method for every context, held here and not on self: on self it would be a
        # reference cycle, which the paused collector keeps alive with the graph, facts and views
        # until the process ends (1.8 GB more at 1M assets).
        neighbours = self.neighbours
        by_kind = self.graph.inventory.by_kind
        for kind, runs in grouped.items():
            recorders = [
                (run, _verdict(generated[id(run)]), generated[id(run)], passed[run.compiled.rule.id].append)
                for run in runs
            ]
            for asset in by_kind.get(kind, []):
                asset_id = asset.id
                facts = self._facts[asset_id]
                for run, fast, checks, record_pass in recorders:
                    verdict = fast(asset_id, asset, facts, run.params)
                    if verdict is True:
                        record_pass(asset_id)
                        continue
                    if verdict is False:
                        continue
                    if verdict is OUT_OF_SCOPE:
                        reason = getattr(facts.scope, run.regime or "").reason
                        keep(_out_of_scope(run, asset_id, asset.kind, reason, self._locations[asset_id]))
                        continue
                    location = self._locations[asset_id]
                    outcome = UNJUDGED if checks is None else checks.judge(asset_id, asset, facts, run.params, location)
                    if outcome is UNJUDGED:
                        outcome = self._full(run, asset, facts, location, neighbours, checks)
                    if outcome is True:
                        record_pass(asset_id)
                    elif outcome is not None:
                        keep(outcome)  # type: ignore[arg-type]  # a Finding: UNJUDGED was judged on the view
            self._views.clear()  # this kind's views are done with: never every asset's copy at once

    def _full(
        self,
        run: RuleRun,
        asset: Any,
        facts: Any,
        location: SourceLocation,
        neighbours: Neighbours,
        checks: Generated | None,
    ) -> Finding | Literal[True] | None:
        """`_judge` on the asset's view: what the generated judgement does not read itself, or none was made."""
        asset_id = asset.id
        ctx = EvalContext(asset_id, self.view(asset_id), facts, self.org, neighbours, self.audit, run.params)
        return self._judge(run, ctx, location, checks.drop_ins if checks is not None else None)

    def _generated(self, rules: list[RuleRun]) -> list[Generated | None]:
        pairs = [(run.compiled, run.regime) for run in rules]
        return list(generate(pairs, self.org, self.audit, self.graph, self._facts, CodeCache(self.code_cache)))

    def _judge(
        self, run: RuleRun, ctx: EvalContext, location: SourceLocation, checks: DropIns | None = None
    ) -> Finding | Literal[True] | None:
        """True for a pass, None when the rule's selector leaves the asset out, else the Finding.

        `checks`: the rule's generated drop-ins for its closures (same answers, same records)."""
        compiled = run.compiled
        rule = compiled.rule
        asset_id = ctx.asset_id
        selector = compiled.selector if checks is None else checks.selector
        if selector is not None:
            applies = selector(ctx)
            if applies is False:
                return None
            if applies is True:  # what the selector could not read does not matter once it matched
                ctx.missing.clear()
        else:
            applies = True
        scope = getattr(ctx.facts.scope, run.regime) if run.regime else None
        if scope is not None and scope.applies is False:
            return _out_of_scope(run, asset_id, ctx.view["kind"], scope.reason, location)
        exempts = [exempt.check for exempt, _ in compiled.exemptions] if checks is None else checks.exemptions
        for exempt, (_, reason) in zip(exempts, compiled.exemptions, strict=True):
            known = len(ctx.missing)
            if exempt(ctx) is True:
                return Finding(
                    rule.id, asset_id, ctx.view["kind"], _NOT_APPLICABLE, rule.severity, reason.fill(ctx), location
                )
            del ctx.missing[known:]  # an unknown value does not exempt, and is no reason to undecide
        verdict = None
        if applies:
            run_computed(compiled, ctx)
            verdict = (compiled.condition if checks is None else checks.condition)(ctx)
        if verdict is True:
            return True
        if scope is not None and scope.applies is None:
            verdict = None  # compliant either way is a pass; a failure needs the law to apply
            ctx.problems.append(f"scope: {scope.reason}")
        status = _FAIL if verdict is False else _UNDECIDED
        evidence = dict(ctx.observed)  # plain() below sorts it
        for name, value in ctx.computed.items():
            evidence["computed." + name] = value
        for path, resolve in compiled.evidence:
            evidence[path] = resolve(ctx)
        missing = [explained(path, ctx.facts) for path in sorted(set(ctx.missing))] + sorted(set(ctx.problems))
        if status is _UNDECIDED:
            message = "cannot decide: " + ", ".join(missing or ["no answer"])
        else:
            message = compiled.message.fill(ctx)
        view = ctx.view
        labels = view.get("labels")
        return Finding(
            rule.id,
            asset_id,
            view["kind"],
            status,
            rule.severity,
            message,
            location,
            plain(evidence),
            list(compiled.graph_path(ctx) or []) if compiled.graph_path else [],
            missing if status is _UNDECIDED else [],
            str(compiled.key(ctx) or "") if compiled.key else "",
            imported_from=imported_from(labels) if labels else None,
            imported_address=labels.get("import.address") if labels else None,
        )
