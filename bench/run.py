"""Benchmark harness (not part of the test run): `make bench` or `python -m bench.run`.

Measures, on synthetic inventories from bench/generate.py:
- the whole `auditor audit` process on a 200-asset YAML inventory (the CI gate), median of 5;
- the whole process on a ~100k-asset JSON inventory, and the time of each pipeline stage.
Figures go to bench/out/results.json and are copied by hand into bench/README.md.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.generate import count, generate, write

OUT = Path(__file__).parent / "out"
AS_OF = "2026-11-01"


def whole_process(inventory: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "auditor.cli",
                "audit",
                str(inventory),
                "--out",
                str(OUT / "reports"),
                "--format",
                "json,sarif",
                "--fail-on",
                "none",
                "--as-of",
                AS_OF,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"audit failed ({proc.returncode}): {proc.stderr}")
    return times


def stages(inventory: Path) -> dict[str, float]:
    from auditor.engine import AuditRequest, run_audit
    from auditor.graph.build import build_graph
    from auditor.graph.facts import derive_facts
    from auditor.inventory.loader import load_inventory
    from auditor.policy.evaluate import Evaluator
    from auditor.policy.loader import compile_enabled, default_policies_dir, load_policies
    from auditor.report import renderer

    day = date.fromisoformat(AS_OF)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    inv = load_inventory([inventory])
    timings["load+validate"] = time.perf_counter() - start
    start = time.perf_counter()
    graph = build_graph(inv)
    timings["graph"] = time.perf_counter() - start
    start = time.perf_counter()
    facts = derive_facts(graph, day)
    timings["analyses"] = time.perf_counter() - start
    policies = load_policies(default_policies_dir())
    rules = compile_enabled(policies, {}, set(), policies.enabled_packs(), day)
    start = time.perf_counter()
    findings = list(Evaluator(graph, facts, day).run(rules))
    timings["rules"] = time.perf_counter() - start
    timings["results"] = len(findings)
    result = run_audit(AuditRequest([inventory], default_policies_dir(), day))
    for name in ("json", "sarif"):
        start = time.perf_counter()
        renderer(name)(result)
        timings[f"render {name}"] = time.perf_counter() - start
    return timings


def main() -> None:
    OUT.mkdir(exist_ok=True)
    small_doc, large_doc = generate(200), generate(100_000)
    small, large = OUT / "gate-200.yaml", OUT / "large-100k.json"
    write(small_doc, small)
    write(large_doc, large)
    gate = whole_process(small, 5)
    big = whole_process(large, 1)
    figures = {
        "gate_assets": count(small_doc),
        "gate_seconds_median": round(statistics.median(gate), 3),
        "large_assets": count(large_doc),
        "large_bytes": large.stat().st_size,
        "large_seconds_whole_process": round(big[0], 2),
        "large_stages_seconds": {k: round(v, 2) for k, v in stages(large).items()},
    }
    (OUT / "results.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
