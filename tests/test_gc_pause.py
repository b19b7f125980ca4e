"""The collector is off during an audit or a render and back on after, even after an error."""

from __future__ import annotations

import gc
import weakref
from datetime import date
from typing import cast

import pytest

from auditor.gc_pause import collector_paused
from auditor.graph.build import build_graph
from auditor.graph.facts import Facts, derive_facts
from auditor.inventory.loader import load_inventory
from auditor.policy.evaluate import Evaluator
from auditor.policy.loader import default_policies_dir, load_policies
from auditor.report import ReportOptions, renderer
from auditor.result import AuditResult
from tests.conftest import EXAMPLE


def test_paused_inside_and_enabled_after_nested_blocks() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not switch it back on early
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing left frozen out of later collections


def test_enabled_again_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_collector_disabled_by_the_caller_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_renderers_run_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.report import json_report

    seen: list[bool] = []

    def render(result: AuditResult, options: ReportOptions) -> bytes:
        seen.append(gc.isenabled())
        return b"{}"

    monkeypatch.setattr(json_report, "render", render)
    assert renderer("json")(cast(AuditResult, None)) == b"{}"
    assert seen == [False]
    assert gc.isenabled()


def test_what_the_block_made_leaves_in_the_oldest_generation_and_nothing_stays_frozen() -> None:
    """Frozen on the way out, then unfrozen: the next young collections do not scan the audit's
    objects, and a later full collection can still free them."""
    with collector_paused():
        made = [[index] for index in range(5)]  # lists are tracked by the collector
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in made)
    assert gc.get_freeze_count() == 0


def test_the_evaluator_is_freed_without_the_collector() -> None:
    """With the collector paused, anything in a reference cycle lives until the process ends: the
    evaluator holds the graph, facts and every view, so it must be freed by reference counting."""
    day = date(2026, 11, 1)
    graph = build_graph(load_inventory([EXAMPLE]))
    facts = derive_facts(graph, day)
    policies = load_policies(default_policies_dir())
    rules = [run for run in policies.runs(policies.enabled_packs()) if run.in_force(day)]
    with collector_paused():
        evaluator = Evaluator(graph, facts, day)
        gone = weakref.ref(evaluator)
        for fast_from in (10**9, 0):  # the closures and the generated verdicts
            evaluator.fast_from = fast_from
            evaluation = evaluator.run(rules)
            assert evaluation.findings and not evaluator._views  # no asset's view kept past its kind
        del evaluator
        assert gone() is None


class _TrackedFacts(dict):  # type: ignore[type-arg]  # a dict that a weak reference can watch
    pass


def test_the_facts_are_freed_after_generated_rules_ran_without_the_collector() -> None:
    """Generated rule functions refer to their module's names, which hold the facts and the graph and
    refer back to the functions: unless the evaluator empties those modules when it is done, the facts
    stay in a cycle that only the collector frees (1.2 s when a 100k-asset audit's process exits)."""
    day = date(2026, 11, 1)
    graph = build_graph(load_inventory([EXAMPLE]))
    facts = derive_facts(graph, day)
    tracked = _TrackedFacts(facts.by_asset)
    watched = weakref.ref(tracked)
    policies = load_policies(default_policies_dir())
    rules = [run for run in policies.runs(policies.enabled_packs()) if run.in_force(day)]
    with collector_paused():
        evaluator = Evaluator(graph, Facts(tracked, facts.lineage), day)
        evaluator.fast_from = 0  # the generated verdicts and judgements
        del tracked
        assert evaluator.run(rules).findings
        del evaluator
        assert watched() is None
