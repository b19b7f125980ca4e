"""The generated functions (auditor.policy.fastpath) answer as the compiled closures do.

Every rule fixture case, the precision suite's organisations and a generated inventory are audited
with each generated verdict recorded and every asset then judged twice, by the generated checks and
by the closures: both must give the same Finding (evidence, missing values, message), and the verdict
must say True exactly where they record a pass, False exactly where the selector leaves the asset
out, OUT_OF_SCOPE exactly where the rule's law does not apply, None (judge it fully) everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import auditor.engine
from auditor.engine import AuditInputs
from auditor.errors import SourceLocation
from auditor.inventory.loader import load_inventory
from auditor.policy.compiler import EvalContext
from auditor.policy.config import load_config
from auditor.policy.evaluate import Evaluator, RuleRun
from auditor.policy.fastpath import OUT_OF_SCOPE, UNJUDGED, FastJudge, FullJudge, Generated
from auditor.result import Finding
from bench.generate import generate, write
from tests.conftest import AS_OF, audit_rule, bundled
from tests.test_rule_cases import _cases

PRECISION = sorted((Path(__file__).parent / "precision").glob("*.yaml"))
Disagreement = tuple[str, str, Any, Any]


@pytest.fixture
def disagreements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Disagreement]]:
    """Audits in the test run every asset through both: (rule, asset, generated, expected) where they differ."""
    answers: dict[tuple[str, str], bool | str | None] = {}
    found: list[Disagreement] = []
    unjudged: list[tuple[str, str]] = []  # (rule, asset) the generated judgement left to the closures

    class Both(Evaluator):
        fast_from = 0

        def _generated(self, rules: list[RuleRun]) -> list[Generated | None]:
            made = super()._generated(rules)
            for functions, run in zip(made, rules, strict=True):
                assert functions is not None
                functions.verdict = _recording(functions.verdict, run.compiled.rule.id)
                functions.judge = self._compared(run, functions)  # type: ignore[method-assign]
            return made

        def _compared(self, run: RuleRun, functions: Generated) -> FullJudge:
            """The rule's generated judgement, its answer compared with the drop-ins' and the closures'."""
            judge = functions.judge

            def compared(asset_id: str, asset: Any, facts: Any, params: dict[str, Any], at: SourceLocation) -> Any:
                outcome = judge(asset_id, asset, facts, params, at)
                key = (run.compiled.rule.id, asset_id)
                if outcome is UNJUDGED:
                    unjudged.append(key)
                    answers.pop(key)
                    return outcome
                view = self.view(asset_id)
                for checked in (functions.drop_ins, None):  # the drop-ins for the closures on a view, and the closures
                    ctx = EvalContext(asset_id, view, facts, self.org, self.neighbours, self.audit, params)
                    expected_outcome = self._judge(run, ctx, at, checked)
                    if outcome != expected_outcome or repr(outcome) != repr(expected_outcome):  # repr: 1 is not True
                        found.append((*key, outcome, expected_outcome))
                expected: bool | str | None = True if outcome is True else False if outcome is None else None
                scope = getattr(facts.scope, run.regime) if run.regime else None
                if isinstance(outcome, Finding) and scope is not None and scope.applies is False:
                    expected = OUT_OF_SCOPE  # the scope fact is read before the exemptions
                answer = answers.pop(key)
                if answer is not expected:
                    found.append((*key, answer, expected))
                return outcome

            return compared

    def _recording(fast: FastJudge, rule_id: str) -> FastJudge:
        def record(asset_id: str, asset: Any, facts: Any, params: dict[str, Any]) -> None:  # always judged
            answers[(rule_id, asset_id)] = fast(asset_id, asset, facts, params)

        return record

    monkeypatch.setattr(auditor.engine, "Evaluator", Both)
    yield found
    assert not answers, "an answer without a judgement"
    assert not unjudged, f"judged on views, not by the generated code: {unjudged[:5]}"


@pytest.mark.parametrize(("rule_id", "case"), _cases())
def test_rule_cases_agree(tmp_path: Path, rule_id: str, case: dict[str, Any], disagreements: list[Any]) -> None:
    as_of = date.fromisoformat(str(case["as_of"])) if "as_of" in case else AS_OF
    audit_rule(tmp_path, rule_id, case["inventory"], as_of, case["config"])
    assert disagreements == []


def _audit(path: Path) -> None:
    policies, frameworks = bundled()
    auditor.engine.audit(AuditInputs(load_inventory([path]), policies, frameworks, load_config(None, policies)), AS_OF)


@pytest.mark.parametrize("inventory", PRECISION, ids=lambda path: path.stem)
def test_precision_organisations_agree(inventory: Path, disagreements: list[Any]) -> None:
    _audit(inventory)
    assert disagreements == []


def test_generated_inventory_agrees(tmp_path: Path, disagreements: list[Any]) -> None:
    path = tmp_path / "inventory.json"
    write(generate(500), path)
    _audit(path)
    assert disagreements == []


def test_generated_verdicts_answer_every_pair_of_a_lawful_loaded_inventory() -> None:
    """The fast path reads the loaded assets (msgspec structs) itself: a verdict that raised on them would
    fall back to the closures silently, same results at several times the cost."""
    from auditor.graph.build import build_graph
    from auditor.graph.facts import derive_facts
    from auditor.policy.evaluate import _rules_by_kind

    graph = build_graph(load_inventory([Path(__file__).parent / "precision" / "eu-ai-lab.yaml"]))
    facts = derive_facts(graph, AS_OF)
    policies, _ = bundled()
    rules = [run for run in policies.runs(policies.enabled_packs()) if run.in_force(AS_OF)]
    evaluator = Evaluator(graph, facts, AS_OF)
    made = evaluator._generated(rules)
    verdicts = {id(run): functions.verdict for run, functions in zip(rules, made, strict=True) if functions}
    answers = [
        verdicts[id(run)](asset.id, asset, facts.by_asset[asset.id], run.params)
        for kind, runs in _rules_by_kind(rules).items()
        for asset in graph.inventory.by_kind.get(kind, [])
        for run in runs
    ]
    assert len(answers) == 464 and None not in answers
