"""Where an audit's memory goes: `python -m bench.memory INVENTORY [--sizes | --collect]` (not a test).

Default: the CLI's path (`run_audit`, then the JSON and SARIF renders with the CLI's default options,
then `publish`), the process's resident memory (RSS, /proc/self/statm) and peak (ru_maxrss) printed at
each stage boundary, from the engine's own stage calls; `--collect` adds a full garbage collection
between the audit and the renders. `--sizes`: the stages done one by one and what
each keeps alive measured exclusively (a walk of `gc.get_referents` from each root in pipeline order:
a shared string counts once, for the first root that reaches it), plus tracemalloc's top allocation
sites; slow (about a minute per 100k assets) and the RSS is tracemalloc's too.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import types
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from auditor import teardown

AS_OF = date(2026, 11, 1)
_PAGE = os.sysconf("SC_PAGE_SIZE")
_OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.CodeType)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StageLog:
    """Called with each stage's name as it starts; prints the stage that ended: CPU s, RSS and peak after it."""

    def __init__(self) -> None:
        self._stage = "imports"
        self._cpu = time.process_time()
        print(f"{'stage':58} {'CPU s':>6} {'RSS after':>10} {'peak after':>11}")

    def __call__(self, next_stage: str) -> None:
        cpu = time.process_time()
        print(f"{self._stage[:58]:58} {cpu - self._cpu:6.1f} {rss_mb():7.0f} MB {peak_mb():8.0f} MB", flush=True)
        self._stage, self._cpu = next_stage, cpu


def cli_path(inventory: Path, collect: bool = False) -> None:
    """The stages of `auditor audit INVENTORY --format json,sarif --fail-on none --no-cache`.

    `collect`: a full collection after the audit, before the renders: what the peak would be if the
    audit's cyclic garbage (the evaluator refers to itself) were freed when the audit ends.
    """
    from auditor.engine import AuditRequest, run_audit
    from auditor.gc_pause import collector_paused
    from auditor.policy.loader import default_policies_dir
    from auditor.report import OUTPUT_FILES, Report, ReportOptions, outputs
    from auditor.report.write import publish

    log = StageLog()
    with collector_paused():  # as the CLI runs it
        result = run_audit(AuditRequest([inventory], [default_policies_dir()], AS_OF, flow_map=False), log)
    if collect:
        log("gc.collect()")
        gc.collect()
    options = ReportOptions(fail_on=None)
    reports: dict[str, Report] = {}
    for name in ("json", "sarif"):
        for file, render in outputs(name).items():
            log(f"render {file} (a streamed format only prepares its writer)")
            reports[file] = render(result, options)
    with tempfile.TemporaryDirectory() as folder:
        publish(Path(folder) / "reports", reports, OUTPUT_FILES, log)  # each file's writing is a stage
        log("end")
        written = Path(folder) / "reports"
        print(", ".join(f"{file} {(written / file).stat().st_size / 2**20:.0f} MB" for file in reports))


def deep_size(roots: Iterable[Any], seen: set[int]) -> tuple[int, int]:
    """Bytes and objects reachable from `roots` not already in `seen` (classes, modules, code excluded)."""
    total = objects = 0
    stack = list(roots)
    while stack:
        obj = stack.pop()
        key = id(obj)
        if key in seen or isinstance(obj, _OPAQUE):
            continue
        seen.add(key)
        total += sys.getsizeof(obj)
        objects += 1
        stack.extend(gc.get_referents(obj))
    return total, objects


def sizes(inventory: Path) -> None:
    """What each stage's output keeps alive, exclusively, and the top allocation sites."""
    from auditor.engine import AuditRequest, audit, load_inputs
    from auditor.gc_pause import collector_paused
    from auditor.graph.build import build_graph
    from auditor.graph.facts import derive_facts
    from auditor.policy.evaluate import Evaluator
    from auditor.policy.loader import default_policies_dir
    from auditor.report import ReportOptions, outputs

    tracemalloc.start(1)
    with collector_paused():
        inputs = load_inputs(AuditRequest([inventory], [default_policies_dir()], AS_OF))
        rules = [r for r in inputs.policies.runs(inputs.policies.enabled_packs()) if r.in_force(AS_OF)]
        evaluation = Evaluator(graph := build_graph(inputs.inventory), derive_facts(graph, AS_OF), AS_OF).run(rules)
        traced = tracemalloc.get_traced_memory()[0]
        snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    print(
        f"tracemalloc: {traced / 2**20:.0f} MB traced after load + graph + facts + rules "
        f"({len(evaluation.findings)} findings); top sites:"
    )
    for stat in snapshot.statistics("lineno")[:25]:
        frame = stat.traceback[0]
        print(f"  {stat.size / 2**20:8.1f} MB {stat.count:10d} blocks  {_short(frame.filename)}:{frame.lineno}")
    del snapshot, evaluation, graph, inputs
    gc.collect()
    # Again, untraced (tracemalloc's tables would be counted otherwise): the pieces, then the audit
    # itself for the findings, passes and result, then the renders.
    with collector_paused():
        inputs = load_inputs(AuditRequest([inventory], [default_policies_dir()], AS_OF))
        graph = build_graph(inputs.inventory)
        facts = derive_facts(graph, AS_OF)
        evaluator = Evaluator(graph, facts, AS_OF)
        evaluator.run(rules)
        result = audit(inputs, AS_OF)
        options = ReportOptions(fail_on=None)
        rendered = {
            file: render(result, options) for name in ("json", "sarif") for file, render in outputs(name).items()
        }
    inv = inputs.inventory
    parts: list[tuple[str, list[Any]]] = [
        ("inventory models (assets)", [inv.assets, inv.by_kind]),
        ("inventory locations", [inv.locations]),
        ("graph (relation indexes, data graph)", [graph]),
        ("facts (per asset + lineage)", [facts]),
        ("evaluator views (model_dump copies)", [evaluator._views]),
        ("findings (not passing)", [result.findings]),
        ("pass arrays (ids per rule, kind and location per asset)", [result.passes]),
        ("audit result (the rest: rules, posture, flow map, waivers)", [result]),
        ("rendered outputs (bytes)", list(rendered.values())),
    ]
    print(f"{len(inv.assets)} assets, {len(result.findings)} findings; exclusive sizes, in this order:")
    seen: set[int] = set()
    for label, roots in parts:
        size, count = deep_size(roots, seen)
        print(f"  {label:60} {size / 2**20:8.0f} MB {count:11d} objects")
    print(f"rss {rss_mb():.0f} MB, peak {peak_mb():.0f} MB")


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/auditor/", "/lib/python"):
        if marker in filename:
            return filename[filename.index(marker) :]
    return filename


def main() -> None:
    """As a script, the audit is kept to the end and the process leaves as the console script does
    (auditor.teardown): otherwise the first stage after the audit shows the freeing of its graph and
    facts (3.1 s of "applying waivers and baseline" at 1M), which the console script skips."""
    inventory, flags = Path(sys.argv[1]), sys.argv[2:]
    teardown.hold_until_exit()
    sizes(inventory) if "--sizes" in flags else cli_path(inventory, collect="--collect" in flags)
    teardown.leave(0)


if __name__ == "__main__":
    main()
