"""Two designs of rule evaluation at scale, measured on the same audit (issue 14, item 1).

`python -m bench.eval_prototypes INVENTORY.json [RUNS]` evaluates every rule in force on the
inventory with each design, checks that both give the same results, and prints the CPU seconds
(user + system) of each, runs alternated, median of RUNS (default 3).

- row-wise (auditor.policy.evaluate.Evaluator, the one the audit uses): per asset kind, each asset
  looked up once and every rule of the kind run on it in turn;
- column-wise (below): per rule, a pass over a column of prepared asset records of its kinds,
  statuses kept as one byte per asset, Findings made for what does not pass.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
from datetime import date
from pathlib import Path

from auditor.graph.build import build_graph
from auditor.graph.facts import derive_facts
from auditor.inventory.loader import load_inventory
from auditor.policy.compiler import EvalContext
from auditor.policy.evaluate import Evaluation, Evaluator, RuleRun
from auditor.policy.loader import default_policies_dir, load_policies
from auditor.result import Finding

AS_OF = date(2026, 11, 1)
PASSED, LEFT_OUT, OTHER = 1, 0, 2


class ColumnEvaluator(Evaluator):
    """Column-wise: each rule runs over the column of its kind's assets, prepared once per kind."""

    def run(self, rules: list[RuleRun]) -> Evaluation:
        columns: dict[str, list[tuple]] = {}  # kind -> (asset id, view, facts, location) per asset
        for kind, assets in self.graph.inventory.by_kind.items():
            columns[kind] = [(a.id, self.view(a.id), self._facts[a.id], self._locations[a.id]) for a in assets]
        findings: list[Finding] = []
        passed: dict[str, list[str]] = {}
        for run in rules:
            ids: list[str] = []
            for kind in run.compiled.rule.applies_to.kinds:
                column = columns.get(kind, [])
                codes = bytearray(len(column))
                for row, (asset_id, view, facts, location) in enumerate(column):
                    ctx = EvalContext(asset_id, view, facts, self.org, self.neighbours, self.audit, run.params)
                    outcome = self._judge(run, ctx, location)
                    if outcome is True:
                        codes[row] = PASSED
                    elif outcome is not None:
                        codes[row] = OTHER
                        findings.append(outcome)
                ids += [column[row][0] for row, code in enumerate(codes) if code == PASSED]
            passed[run.compiled.rule.id] = sorted(ids)
        return Evaluation(findings, passed)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(inventory: Path, runs: int) -> None:
    gc.disable()  # as in an audit (auditor.gc_pause)
    graph = build_graph(load_inventory([inventory]))
    facts = derive_facts(graph, AS_OF)
    policies = load_policies(default_policies_dir())
    rules = [run for run in policies.runs(policies.enabled_packs()) if run.in_force(AS_OF)]
    designs = {"row-wise": Evaluator, "column-wise": ColumnEvaluator}
    seconds: dict[str, list[float]] = {name: [] for name in designs}
    outputs = {}
    for _ in range(runs):
        for name, design in designs.items():
            start = _cpu()
            evaluation = design(graph, facts, AS_OF).run(rules)
            seconds[name].append(_cpu() - start)
            outputs[name] = (sorted(f.sort_key for f in evaluation.findings), evaluation.passed)
    if outputs["row-wise"] != outputs["column-wise"]:
        raise SystemExit("the designs disagree")
    results = len(outputs["row-wise"][0]) + sum(len(ids) for ids in outputs["row-wise"][1].values())
    print(f"{inventory.name}: {len(graph.inventory.assets)} assets, {results} results")
    for name, figures in seconds.items():
        print(f"  {name}: median {statistics.median(figures):.2f} s CPU of {[round(s, 2) for s in figures]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
