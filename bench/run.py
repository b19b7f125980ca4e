"""Benchmark harness (not part of the test run): `make bench` or `python -m bench.run [CASE]... [--1m]`.

Every whole-process figure is the `auditor` process alone (os.wait4): wall seconds, CPU seconds (user +
system) and peak memory (ru_maxrss), the median of several runs; the load average is printed because
the machine is shared. Cases, on inventories from bench/generate.py:
- gate: `auditor audit --format json,sarif` of the 200-asset sparse YAML inventory (the CI gate), 7 runs;
- scale: sparse and fully declared inventories, JSON and YAML, 1k/10k/100k assets (1M JSON with --1m:
  long), whole process, 3 runs each (1 at 100k YAML and above);
- cache: 100k sparse YAML audited with the parse cache warm, and with --no-cache;
- yaml50: `auditor validate` of a single 50 MB YAML file, peak memory against the file's size;
- medium: stages of a 20k JSON audit in CPU seconds (a quick loop);
- pdf: rendering the PDF report of a 5,000-asset audit with over 10,000 findings (time, pages).
`python -m bench.checkov` compares with Checkov in its own virtual environment. Figures go to
bench/out/<case>.json and are copied by hand into bench/README.md.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bench.generate import count, declared, generate, write

OUT = Path(__file__).parent / "out"
AS_OF = "2026-11-01"


# Runs the command and reports on it. Linux carries a process's peak memory over fork and exec, so a
# child of this (large) harness would report at least the harness's own peak: a small launcher between
# them makes each figure the command's alone.
_LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
_, status, usage = os.wait4(subprocess.Popen(sys.argv[2:]).pid, 0)
figures = {"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
           "peak_mb": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status)}
with open(sys.argv[1], "w") as out:
    json.dump(figures, out)
"""


def measured(command: list[str], ok: tuple[int, ...] = (0,), stdout: Path | None = None) -> dict[str, float]:
    """Wall and CPU seconds and peak memory (MB) of one process; its exit status must be in `ok`."""
    with tempfile.TemporaryDirectory() as folder, open(stdout or os.devnull, "wb") as output:
        report = Path(folder) / "figures.json"
        with open(report.with_suffix(".err"), "wb") as errors:
            subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), *command], stdout=output, stderr=errors)
        figures = json.loads(report.read_text(encoding="utf-8"))
        if figures.pop("exit") not in ok:
            message = report.with_suffix(".err").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(command)} failed: {message}")
    return figures


def median_of(command: list[str], runs: int) -> dict[str, object]:
    """Medians of `runs` runs of `command`, each run's figures alongside."""
    figures = [measured(command) for _ in range(runs)]
    summary: dict[str, object] = {
        key: round(statistics.median(f[key] for f in figures), 3) for key in ("wall", "cpu", "peak_mb")
    }
    summary["runs"] = [{key: round(value, 3) for key, value in f.items()} for f in figures]
    summary["load_average"] = [round(load, 2) for load in os.getloadavg()]
    return summary


def audit_command(inventory: Path, *extra: str) -> list[str]:
    return [
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
        *extra,
    ]


def whole_process(inventory: Path, runs: int, *extra: str) -> dict[str, object]:
    return median_of(audit_command(inventory, *extra), runs)


def stages(inventory: Path, clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Seconds of each stage by `clock`, the collector paused as in an audit (auditor.gc_pause)."""
    from auditor.engine import AuditRequest, run_audit
    from auditor.gc_pause import collector_paused
    from auditor.graph.build import build_graph
    from auditor.graph.facts import derive_facts
    from auditor.inventory.loader import load_inventory
    from auditor.policy.evaluate import Evaluator
    from auditor.policy.loader import default_policies_dir, load_policies
    from auditor.report import ReportOptions, streamer

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
    result = run_audit(AuditRequest([inventory], [default_policies_dir()], day))
    for name in ("json", "sarif"):
        stream = streamer(name)
        assert stream is not None
        with tempfile.TemporaryFile(buffering=1 << 20) as out:  # streamed as the CLI writes it
            start = clock()
            stream(result, ReportOptions(), out)
            timings[f"render {name}"] = clock() - start
    return timings


def gate_case() -> dict[str, object]:
    doc = generate(200)
    path = OUT / "gate-200.yaml"
    write(doc, path)
    measured(audit_command(path))  # the parse cache warm, as on a CI runner that keeps it
    return {"assets": count(doc), **whole_process(path, 7)}


SIZES = (1_000, 10_000, 100_000)
GENERATORS = {"sparse": generate, "declared": declared}


def scale_case(sizes: tuple[int, ...] = SIZES) -> dict[str, object]:
    figures: dict[str, object] = {}
    for size in sizes:
        for name, generator in GENERATORS.items():
            doc = generator(size)
            for suffix in (".json", ".yaml") if size < 1_000_000 else (".json",):
                path = OUT / f"{name}-{size}{suffix}"
                write(doc, path)
                runs = 1 if size >= 1_000_000 or (size >= 100_000 and suffix == ".yaml") else 3
                key = f"{name} {size} {suffix[1:]}"
                figures[key] = {"assets": count(doc), "bytes": path.stat().st_size}
                figures[key].update(whole_process(path, runs, "--no-cache"))  # type: ignore[attr-defined]
                print(key, figures[key], flush=True)
    return figures


def million_case() -> dict[str, object]:
    return scale_case((1_000_000,))


def cache_case() -> dict[str, object]:
    doc = generate(100_000)
    path = OUT / "sparse-100000.yaml"
    write(doc, path)
    measured(audit_command(path))  # fills the cache
    return {
        "assets": count(doc),
        "cached": whole_process(path, 3),
        "not cached": whole_process(path, 1, "--no-cache"),
        "load stage cpu, cached": round(_load_cpu(path, cached=True), 2),
        "load stage cpu, not cached": round(_load_cpu(path, cached=False), 2),
    }


def _load_cpu(path: Path, cached: bool) -> float:
    from auditor.gc_pause import collector_paused
    from auditor.inventory.loader import load_inventory
    from auditor.inventory.parse_cache import ParseCache, default_cache_dir

    with collector_paused():
        start = time.process_time()
        load_inventory([path], cache=ParseCache(default_cache_dir()) if cached else None)
        return time.process_time() - start


def yaml50_case() -> dict[str, object]:
    doc = generate(330_000)
    path = OUT / "single-50mb.yaml"
    write(doc, path)
    command = [sys.executable, "-m", "auditor.cli", "validate", str(path), "--no-cache"]
    size_mb = path.stat().st_size / 1e6
    figures = median_of(command, 3)
    return {
        "assets": count(doc),
        "file_mb": round(size_mb, 1),
        **figures,
        "peak_over_file": round(float(figures["peak_mb"]) * 1.048576 / size_mb, 1),  # type: ignore[arg-type]
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
    from auditor.report import ReportOptions, pdf, renderer

    doc = generate(5000)
    path = OUT / "pdf-5k.json"
    write(doc, path)
    result = run_audit(AuditRequest([path], default_policies_dir(), date.fromisoformat(AS_OF)))
    start = time.perf_counter()
    data = pdf.render(result, ReportOptions())
    seconds = time.perf_counter() - start
    (OUT / "pdf-5k.pdf").write_bytes(data)
    counts = result.counts()
    start = time.perf_counter()
    html_bytes = len(renderer("html")(result, ReportOptions()))
    html_seconds = time.perf_counter() - start
    # default options: capped, no undecided results
    sarif = json.loads(renderer("sarif")(result, ReportOptions()))["runs"][0]
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


CASES = {
    "gate": gate_case,
    "scale": scale_case,
    "cache": cache_case,
    "yaml50": yaml50_case,
    "medium": medium_case,
    "pdf": pdf_case,
    "1m": million_case,
}
DEFAULT = ["gate", "scale", "cache", "yaml50", "medium", "pdf"]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    names = [name.removeprefix("--") for name in sys.argv[1:]]
    only = [name for name in names if name != "1m"]
    for name in (only or DEFAULT) + (["1m"] if "1m" in names else []):
        figures = CASES[name]()
        (OUT / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
        print(name, json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
