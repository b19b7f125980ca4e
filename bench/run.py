"""Benchmark harness (not part of the test run): `make bench` or `python -m bench.run`.

Measures, on synthetic inventories from bench/generate.py:
- gate: the whole `auditor audit` process on a 200-asset YAML inventory (the CI gate), median of 5;
- large: the whole process on a ~100k-asset JSON inventory, and the time of each pipeline stage;
- medium: the same on ~20k assets, stages in CPU seconds (a quick loop on a shared machine);
- pdf: rendering the PDF report of a 5,000-asset audit with over 10,000 findings (time, pages).
`python -m bench.run [gate] [medium] [large] [pdf]` runs the named cases (all by default). Figures go to
bench/out/<case>.json and are copied by hand into bench/README.md.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
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


def stages(inventory: Path, clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Seconds of each stage by `clock`, the collector paused as in an audit (auditor.gc_pause)."""
    from auditor.engine import AuditRequest, run_audit
    from auditor.gc_pause import collector_paused
    from auditor.graph.build import build_graph
    from auditor.graph.facts import derive_facts
    from auditor.inventory.loader import load_inventory
    from auditor.policy.evaluate import Evaluator
    from auditor.policy.loader import default_policies_dir, load_policies
    from auditor.report import renderer

    day = date.fromisoformat(AS_OF)
    timings: dict[str, float] = {}
    with collector_paused():
        start = clock()
        inv = load_inventory([inventory])
        timings["load+validate"] = clock() - start
        start = clock()
        graph = build_graph(inv)
        timings["graph"] = clock() - start
        start = clock()
        facts = derive_facts(graph, day)
        timings["analyses"] = clock() - start
        policies = load_policies(default_policies_dir())
        rules = [run for run in policies.runs(policies.enabled_packs()) if run.in_force(day)]
        start = clock()
        evaluation = Evaluator(graph, facts, day).run(rules)
        timings["rules"] = clock() - start
        timings["results"] = len(evaluation.findings) + sum(len(ids) for ids in evaluation.passed.values())
    result = run_audit(AuditRequest([inventory], default_policies_dir(), day))
    for name in ("json", "sarif"):
        start = clock()
        renderer(name)(result)
        timings[f"render {name}"] = clock() - start
    return timings


def gate_case() -> dict[str, object]:
    doc = generate(200)
    path = OUT / "gate-200.yaml"
    write(doc, path)
    times = whole_process(path, 5)
    return {
        "assets": count(doc),
        "seconds_median": round(statistics.median(times), 3),
        "seconds_all": [round(t, 3) for t in times],
    }


def large_case() -> dict[str, object]:
    doc = generate(100_000)
    path = OUT / "large-100k.json"
    write(doc, path)
    return {
        "assets": count(doc),
        "bytes": path.stat().st_size,
        "seconds_whole_process": round(whole_process(path, 1)[0], 2),
        "stages_seconds": {k: round(v, 2) for k, v in stages(path).items()},
    }


def medium_case() -> dict[str, object]:
    doc = generate(20_000)
    path = OUT / "medium-20k.json"
    write(doc, path)
    return {
        "assets": count(doc),
        "stages_cpu_seconds": {k: round(v, 2) for k, v in stages(path, time.process_time).items()},
    }


def pdf_case() -> dict[str, object]:
    from auditor.engine import AuditRequest, run_audit
    from auditor.policy.loader import default_policies_dir
    from auditor.report import pdf, renderer

    doc = generate(5000)
    path = OUT / "pdf-5k.json"
    write(doc, path)
    result = run_audit(AuditRequest([path], default_policies_dir(), date.fromisoformat(AS_OF)))
    start = time.perf_counter()
    data = pdf.render(result)
    seconds = time.perf_counter() - start
    (OUT / "pdf-5k.pdf").write_bytes(data)
    counts = result.counts()
    start = time.perf_counter()
    html_bytes = len(renderer("html")(result))
    html_seconds = time.perf_counter() - start
    sarif = json.loads(renderer("sarif")(result))["runs"][0]  # default options: capped, no undecided results
    return {
        "assets": result.asset_count,
        "findings": counts["FAIL"] + counts["NOT_EVALUABLE"],
        "failed": counts["FAIL"],
        "render_seconds": round(seconds, 2),
        "pages": _pages(data),
        "bytes": len(data),
        "html_seconds": round(html_seconds, 2),
        "html_bytes": html_bytes,
        "sarif_results": len(sarif["results"]),
        "sarif_omitted": sarif["properties"]["omittedResults"],
    }


def _pages(data: bytes) -> int:
    import io

    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


CASES = {"gate": gate_case, "medium": medium_case, "large": large_case, "pdf": pdf_case}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name in sys.argv[1:] or list(CASES):
        figures = CASES[name]()
        (OUT / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
        print(name, json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
