"""Benchmark harness (not part of the test run): `make bench` or `python -m bench.run [CASE]... [--1m] [--quick]`.

Every whole-process figure is the `auditor` process alone (bench.measure): wall seconds, CPU seconds
(user + system) and peak memory (ru_maxrss), the median of several runs; the load average is kept
because the machine is shared. The cases are issue 14's table, on inventories from bench/generate.py:
- gate: `auditor audit --format json,sarif` of the 200-asset sparse YAML inventory (the CI gate), 7 runs;
- scale: sparse and fully declared inventories, JSON and YAML, 1k/10k/100k assets, whole process,
  3 runs each (1 at 100k YAML);
- 1m (only with --1m: long): the fully declared 1M-asset JSON inventory, one file, 1 run, with a run of
  the 100k one just before and after it, for the ratio;
- machine (always, first): the CPU seconds of a fixed pure-Python workload (bench.calibrate);
- cache: 100k sparse YAML audited with the parse cache warm, and with --no-cache;
- files: 100k declared and sparse YAML as one file and as 8 files (a child parses the last files),
  runs alternated, 3 each;
- yaml50: `auditor validate` of a single 50 MB YAML file, peak memory against the file's size;
- checkov: Checkov against `auditor import terraform` + `audit` on a 10,010-resource plan (bench.checkov).
By name only: medium (stages of a 20k JSON audit in CPU seconds) and pdf (the PDF report of a
5,000-asset audit). At the end one table (bench.summary) gives every figure and the issue's ratios,
all from this run. `--quick` (or BENCH_QUICK=1): every size divided by 100, 1 run each, Checkov
skipped when its virtual environment is absent: a check that the harness works, not figures.
Raw figures go to bench/out/<case>.json; the parse cache lives in bench/out/cache for the run.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO, cast

from bench import checkov
from bench.calibrate import ITEMS, calibrate
from bench.generate import count, declared, generate, split, write
from bench.measure import Measure, measured, median_of, medians
from bench.summary import BESIDE_1M, table

OUT = Path(__file__).parent / "out"
AS_OF = "2026-11-01"
QUICK_DIVISOR = 100


@dataclass(frozen=True)
class Settings:
    """What a run of the harness measures, and how."""

    out: Path = OUT
    divisor: int = 1  # every inventory size is divided by it (--quick: 100)
    runs: int | None = None  # runs of each command; None: each case's own number
    measure: Measure = measured
    checkov_venv: Path = checkov.VENV
    install_checkov: bool = True  # else a missing Checkov environment skips the comparison, saying why

    def size(self, assets: int) -> int:
        return max(1, assets // self.divisor)

    def runs_of(self, runs: int) -> int:
        return self.runs if self.runs is not None else runs

    def audit_command(self, inventory: Path, *extra: str) -> list[str]:
        return [
            *_CLI,
            "audit",
            str(inventory),
            "--out",
            str(self.out / "reports"),
            "--format",
            "json,sarif",
            "--fail-on",
            "none",
            "--as-of",
            AS_OF,
            *extra,
        ]

    def whole_process(self, inventory: Path, runs: int, *extra: str) -> dict[str, object]:
        return median_of(self.measure, self.audit_command(inventory, *extra), self.runs_of(runs))


_CLI = [sys.executable, "-m", "auditor.cli"]
Case = Callable[[Settings], dict[str, object]]


def gate_case(settings: Settings) -> dict[str, object]:
    doc = generate(settings.size(200))
    path = settings.out / "gate-200.yaml"
    write(doc, path)
    settings.measure(settings.audit_command(path))  # the parse cache warm, as on a CI runner that keeps it
    return {"assets": count(doc), **settings.whole_process(path, 7)}


SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
GENERATORS = {"sparse": generate, "declared": declared}


def scale_case(
    settings: Settings,
    sizes: dict[str, int] = SIZES,
    generators: tuple[str, ...] = ("sparse", "declared"),
    suffixes: tuple[str, ...] = (".json", ".yaml"),
) -> dict[str, object]:
    """Keys name the nominal size ("sparse 100k json"); each entry gives the real assets and bytes."""
    figures: dict[str, object] = {}
    for label, size in sizes.items():
        for name in generators:
            doc = GENERATORS[name](settings.size(size))
            for suffix in suffixes:
                path = settings.out / f"{name}-{label}{suffix}"
                write(doc, path)
                runs = 1 if size >= 1_000_000 or (size >= 100_000 and suffix == ".yaml") else 3
                key = f"{name} {label} {suffix[1:]}"
                figures[key] = {
                    "assets": count(doc),
                    "bytes": path.stat().st_size,
                    **settings.whole_process(path, runs, "--no-cache"),
                }
                print(key, json.dumps(figures[key]), flush=True)
            del doc
    return figures


def million_case(settings: Settings) -> dict[str, object]:
    """The 1M declared JSON audit, with the 100k one run just before and just after it: the machine's
    speed drifts by up to 1.5x within one harness run, so the ratio is taken between neighbours."""
    doc = declared(settings.size(100_000))
    hundred = settings.out / "declared-100k-beside-1M.json"
    write(doc, hundred)
    del doc
    before = settings.whole_process(hundred, 1, "--no-cache")
    figures = scale_case(settings, {"1M": 1_000_000}, ("declared",), (".json",))
    after = settings.whole_process(hundred, 1, "--no-cache")
    figures[BESIDE_1M] = {"before": before, "after": after}
    return figures


def cache_case(settings: Settings) -> dict[str, object]:
    doc = generate(settings.size(100_000))
    path = settings.out / "sparse-100k-cache.yaml"
    write(doc, path)
    settings.measure(settings.audit_command(path))  # fills the cache
    return {
        "assets": count(doc),
        "cached": settings.whole_process(path, 3),
        "not cached": settings.whole_process(path, 1, "--no-cache"),
        "load stage cpu, cached": round(_load_cpu(path, cached=True), 2),
        "load stage cpu, not cached": round(_load_cpu(path, cached=False), 2),
    }


FILES = 8


def files_case(settings: Settings) -> dict[str, object]:
    """100k assets in one YAML file and in FILES files, runs alternated (the machine's speed drifts): the
    folder's last files are parsed by a child on the second CPU (auditor/inventory/yaml_child.py)."""
    figures: dict[str, object] = {}
    for name in ("declared", "sparse"):
        doc = GENERATORS[name](settings.size(100_000))
        single, folder = settings.out / f"{name}-100k-one-file.yaml", settings.out / f"{name}-100k-{FILES}-files"
        write(doc, single)
        for number, part in enumerate(split(doc, FILES)):
            write(part, folder / f"part{number}.yaml")
        one: list[dict[str, float]] = []
        several: list[dict[str, float]] = []
        for _ in range(settings.runs_of(3)):
            one.append(settings.measure(settings.audit_command(single, "--no-cache")))
            several.append(settings.measure(settings.audit_command(folder, "--no-cache")))
        figures[name] = {"assets": count(doc), "one file": medians(one), f"{FILES} files": medians(several)}
        print(f"files {name}", json.dumps(figures[name]), flush=True)
        del doc
    return figures


def _load_cpu(path: Path, cached: bool) -> float:
    from auditor.gc_pause import collector_paused
    from auditor.inventory.loader import load_inventory
    from auditor.inventory.parse_cache import ParseCache, default_cache_dir

    with collector_paused():
        start = time.process_time()
        load_inventory([path], cache=ParseCache(default_cache_dir()) if cached else None)
        return time.process_time() - start


def yaml50_case(settings: Settings) -> dict[str, object]:
    doc = generate(settings.size(330_000))
    path = settings.out / "single-50mb.yaml"
    write(doc, path)
    command = [*_CLI, "validate", str(path), "--no-cache"]
    file_mib = path.stat().st_size / 2**20
    figures = median_of(settings.measure, command, settings.runs_of(3))
    return {
        "assets": count(doc),
        "file_mb": round(file_mib, 1),
        **figures,
        "peak_over_file": round(float(figures["peak_mb"]) / file_mib, 1),  # type: ignore[arg-type]
    }


def checkov_case(settings: Settings) -> dict[str, object]:
    if not (settings.checkov_venv / "bin" / "checkov").exists() and not settings.install_checkov:
        reason = f"skipped: no Checkov in {settings.checkov_venv} (quick mode does not install it; make bench does)"
        print(f"checkov {reason}", flush=True)
        return {"skipped": reason}
    binary = checkov.checkov_binary(settings.checkov_venv)
    return checkov.compare(binary, settings.size(checkov.COPIES), settings.out, settings.measure, [*_CLI], AS_OF)


def medium_case(settings: Settings) -> dict[str, object]:
    doc = generate(settings.size(20_000))
    path = settings.out / "medium-20k.json"
    write(doc, path)
    return {
        "assets": count(doc),
        "stages_cpu_seconds": {k: round(v, 2) for k, v in stages(path, time.process_time).items()},
    }


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
        with tempfile.TemporaryFile("w+b", buffering=1 << 20) as out:  # streamed as the CLI writes it
            start = clock()
            stream(result, ReportOptions(), cast(BinaryIO, out))
            timings[f"render {name}"] = clock() - start
    return timings


def pdf_case(settings: Settings) -> dict[str, object]:
    from auditor.engine import AuditRequest, run_audit
    from auditor.policy.loader import default_policies_dir
    from auditor.report import ReportOptions, pdf, renderer

    doc = generate(settings.size(5000))
    path = settings.out / "pdf-5k.json"
    write(doc, path)
    result = run_audit(AuditRequest([path], default_policies_dir(), date.fromisoformat(AS_OF)))
    start = time.perf_counter()
    data = pdf.render(result, ReportOptions())
    seconds = time.perf_counter() - start
    (settings.out / "pdf-5k.pdf").write_bytes(data)
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


def machine_case(settings: Settings) -> dict[str, object]:
    """The reference workload's CPU seconds (bench.calibrate): how fast the machine is during this run."""
    return calibrate(settings.runs_of(3), max(10_000, settings.size(ITEMS)))  # quick mode too: a measurable time


CASES: dict[str, Case] = {
    "machine": machine_case,
    "gate": gate_case,
    "scale": scale_case,
    "1m": million_case,
    "cache": cache_case,
    "files": files_case,
    "yaml50": yaml50_case,
    "checkov": checkov_case,
    "medium": medium_case,
    "pdf": pdf_case,
}
DEFAULT = ["gate", "scale", "cache", "files", "yaml50", "checkov"]


def run_cases(names: list[str], settings: Settings) -> dict[str, dict[str, object]]:
    """Run the named cases in order; each one's figures are also written to <out>/<case>.json."""
    settings.out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict[str, object]] = {}
    for name in names:
        figures[name] = CASES[name](settings)
        (settings.out / f"{name}.json").write_text(json.dumps(figures[name], indent=2) + "\n", encoding="utf-8")
    return figures


def main(argv: list[str]) -> None:
    flags = {arg.removeprefix("--") for arg in argv if arg.startswith("--")}
    unknown = [arg for arg in argv if arg not in CASES and arg not in ("--1m", "--quick")]
    if unknown:
        raise SystemExit(f"unknown case {unknown[0]!r}; cases: {', '.join(CASES)}; options: --1m, --quick")
    chosen = [arg for arg in argv if not arg.startswith("--")] or DEFAULT
    names = [name for name in CASES if name in chosen or name == "machine" or (name == "1m" and "1m" in flags)]
    quick = "quick" in flags or os.environ.get("BENCH_QUICK") == "1"
    settings = Settings(divisor=QUICK_DIVISOR, runs=1, install_checkov=False) if quick else Settings()
    os.environ["XDG_CACHE_HOME"] = str(settings.out / "cache")  # the parse cache of this run, not the user's
    figures = run_cases(names, settings)
    print(table(figures, quick=quick))


if __name__ == "__main__":
    main(sys.argv[1:])
