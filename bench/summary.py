"""The one table `python -m bench.run` ends with: issue 14's cases and ratios, from the figures of that run.

A case that was not run (not asked for, Checkov skipped) still has its row, saying so, so the table
always has the same rows; the ratios are computed only from figures of the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Figures = Mapping[str, Mapping[str, Any]]

SCALE_TARGETS = {
    "sparse 100k json": "<= 10 s",
    "declared 100k json": "<= 5 s",
    "sparse 100k yaml": "<= 15 s",
    "declared 100k yaml": "<= 15 s",
}
NOT_RUN = "not run"
NOT_MEASURABLE = "not measurable (0 in the 100k runs)"
BESIDE_1M = "declared 100k json, beside the 1M run"  # the 1m case's 100k runs, just before and after


def _process(run: Mapping[str, Any] | None) -> list[str]:
    """Wall, CPU and peak cells of one measured process (medians), or 'not run'."""
    if not run:
        return [NOT_RUN, "", ""]
    return [f"{run['wall']:.2f}", f"{run['cpu']:.2f}", f"{run['peak_mb']:.0f}"]


def _case_rows(figures: Figures) -> list[list[str]]:
    rows: list[list[str]] = []
    gate = figures.get("gate")
    rows.append(["CI gate, sparse YAML (issue: 200 assets)", _assets(gate), *_process(gate), "<= 0.5 s"])
    scale = figures.get("scale", {})
    for generator in ("sparse", "declared"):
        for fmt in ("json", "yaml"):
            for size in ("1k", "10k", "100k"):
                key = f"{generator} {size} {fmt}"
                run = scale.get(key)
                rows.append(
                    [f"{size} {fmt.upper()}, {generator}", _assets(run), *_process(run), SCALE_TARGETS.get(key, "")]
                )
    million = figures.get("1m", {}).get("declared 1M json")
    rows.append(["1M JSON, declared, one file (--1m)", _assets(million), *_process(million), "<= 60 s, <= 6 GB"])
    cache = figures.get("cache")
    rows.append(["100k YAML, sparse, parse cache warm", _assets(cache), *_process(cache and cache["cached"]), "<= 2 s"])
    rows.append(["same, --no-cache", _assets(cache), *_process(cache and cache["not cached"]), "<= 15 s"])
    files = figures.get("files", {})
    for generator in ("declared", "sparse"):
        run = files.get(generator)
        label = f"100k YAML, {generator}, one file / 8 files (runs alternated)"
        rows.append([label, _assets(run), *_pair(run), ""])
    yaml50 = figures.get("yaml50")
    rows.append(["50 MB YAML file, validate", _assets(yaml50), *_process(yaml50), "<= 10x the file in memory"])
    checkov = figures.get("checkov")
    if checkov and "skipped" in checkov:
        rows.append(["Checkov 3.3.30, Terraform plan", "", checkov["skipped"], "", "", ""])
        rows.append(["auditor import + audit, same plan", "", checkov["skipped"], "", "", ""])
    else:
        theirs = checkov and checkov["checkov"]
        resources = f"{checkov['resources']:,}" if checkov else ""
        rows.append(["Checkov 3.3.30, Terraform plan (resources)", resources, *_process(theirs), ""])
        ours = checkov and {
            "wall": checkov["auditor import"]["wall"] + checkov["auditor audit"]["wall"],
            "cpu": checkov["auditor import"]["cpu"] + checkov["auditor audit"]["cpu"],
            "peak_mb": max(checkov["auditor import"]["peak_mb"], checkov["auditor audit"]["peak_mb"]),
        }
        rows.append(["auditor import + audit, same plan", resources, *_process(ours), ""])
    return rows


def _pair(run: Mapping[str, Any] | None) -> list[str]:
    """Wall, CPU and peak cells of one file / several files, medians of alternated runs."""
    if not run:
        return [NOT_RUN, "", ""]
    one, several = run["one file"], run["8 files"]
    return [
        f"{one[key]:.2f} / {several[key]:.2f}" if key != "peak_mb" else f"{one[key]:.0f} / {several[key]:.0f}"
        for key in ("wall", "cpu", "peak_mb")
    ]


def _assets(figures: Mapping[str, Any] | None) -> str:
    return f"{figures['assets']:,}" if figures else ""


def _ratio_rows(figures: Figures) -> list[list[str]]:
    million = figures.get("1m", {}).get("declared 1M json")
    beside = figures.get("1m", {}).get(BESIDE_1M)
    cpu, wall, user, system, faults = (
        _beside(million, beside, key) for key in ("cpu", "wall", "user", "sys", "faults")
    )
    hundred = figures.get("scale", {}).get("declared 100k json")
    checkov = figures.get("checkov")
    if checkov is None:
        versus = NOT_RUN
    else:
        versus = checkov.get("skipped") or f"{checkov['cpu per resource, checkov / auditor (import + audit)']:.1f}"
    yaml50 = figures.get("yaml50")
    gate = figures.get("gate")
    machine = figures.get("machine")
    return [
        ["reference workload CPU s (bench/calibrate.py: the machine's speed)", _cpu(machine), ""],
        ["100k declared JSON CPU / reference workload", _per_reference(hundred, machine), ""],
        ["time(1M) / time(100k), declared JSON, CPU (100k run just before and after)", cpu, "<= 11"],
        ["time(1M) / time(100k), declared JSON, wall (same)", wall, "<= 11"],
        ["same, user CPU only (the process's own code)", user, ""],
        ["same, system CPU only (the kernel: mostly first touches of memory)", system, ""],
        ["minor page faults(1M) / faults(100k), same runs", faults, ""],
        ["Checkov CPU per resource / auditor's (import + audit)", versus, ">= 10"],
        ["50 MB YAML validate: peak memory / file size", _over_file(yaml50), "<= 10"],
        ["CI gate wall (s)", f"{gate['wall']:.3f}" if gate else NOT_RUN, "<= 0.5"],
    ]


def _beside(million: Mapping[str, Any] | None, beside: Mapping[str, Any] | None, key: str) -> str:
    """The 1M run's `key` over the mean of the 100k runs just before and after it (the machine drifts)."""
    if not million or not beside:
        return f"{NOT_RUN}: needs the 1m case (--1m)"
    before, after = beside["before"], beside["after"]
    if key not in million or key not in before or key not in after:
        return "not measured (figures of an older harness)"
    if not before[key] + after[key]:  # e.g. no system time at all in tiny runs
        return NOT_MEASURABLE
    return f"{million[key] * 2 / (before[key] + after[key]):.1f}"


def _cpu(figures: Mapping[str, Any] | None) -> str:
    return f"{figures['cpu']:.2f}" if figures else NOT_RUN


def _per_reference(run: Mapping[str, Any] | None, machine: Mapping[str, Any] | None) -> str:
    """A case's CPU in units of the reference workload: comparable between a fast day and a slow one."""
    return f"{run['cpu'] / machine['cpu']:.2f}" if run and machine and machine["cpu"] else NOT_RUN


def _over_file(yaml50: Mapping[str, Any] | None) -> str:
    return f"{yaml50['peak_over_file']:.1f} ({yaml50['file_mb']} MB file)" if yaml50 else NOT_RUN


def _markdown(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def table(figures: Figures, quick: bool = False) -> str:
    """Every case's medians (wall s, CPU s, peak MB) and the ratios, as Markdown."""
    loads = sorted({tuple(f["load_average"]) for case in figures.values() for f in _measured(case)})
    lines = ["", "QUICK MODE: sizes / 100, 1 run each: checks the harness, not the issue's figures."] if quick else [""]
    lines += _markdown(["case", "assets", "wall s", "CPU s", "peak MB", "target"], _case_rows(figures))
    lines += ["", *_markdown(["ratio (this run)", "measured", "target"], _ratio_rows(figures))]
    if loads:
        lines += ["", f"load average (1, 5, 15 min) after each case: {loads[0]} to {loads[-1]}"]
    return "\n".join(lines) + "\n"


def _measured(case: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The medians dicts found in a case's figures (they carry the load average)."""
    if "load_average" in case:
        return [case]
    return [found for value in case.values() if isinstance(value, Mapping) for found in _measured(value)]
