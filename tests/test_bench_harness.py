"""`make bench`'s harness on tiny inventories: every case runs and its table has every row and ratio.

The cases run as in `python -m bench.run --quick --1m`, with sizes so small that every inventory is
one generator unit, the CLI run in-process (a subprocess per run would take most of a minute here)
and no Checkov environment (so the comparison says why it was skipped). Timings are not asserted.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from bench.measure import measured
from bench.run import Settings, main, run_cases
from bench.summary import BESIDE_1M, NOT_MEASURABLE, table
from tests.conftest import EXAMPLE, REPO

CASE_ROWS = [
    "CI gate, sparse YAML (issue: 200 assets)",
    *(
        f"{size} {fmt}, {generator}"
        for generator in ("sparse", "declared")
        for fmt in ("JSON", "YAML")
        for size in ("1k", "10k", "100k")
    ),
    "1M JSON, declared, one file (--1m)",
    "100k YAML, sparse, parse cache warm",
    "same, --no-cache",
    "100k YAML, declared, one file / 8 files (runs alternated)",
    "100k YAML, sparse, one file / 8 files (runs alternated)",
    "50 MB YAML file, validate",
]
RATIOS = [
    "reference workload CPU s (bench/calibrate.py: the machine's speed)",
    "100k declared JSON CPU / reference workload",
    "time(1M) / time(100k), declared JSON, CPU (100k run just before and after)",
    "time(1M) / time(100k), declared JSON, wall (same)",
    "same, user CPU only (the process's own code)",
    "same, system CPU only (the kernel: mostly first touches of memory)",
    "minor page faults(1M) / faults(100k), same runs",
    "Checkov CPU per resource / auditor's (import + audit)",
    "50 MB YAML validate: peak memory / file size",
    "CI gate wall (s)",
]
NUMBER = re.compile(r"\d+(\.\d+)?")


def in_process(command: list[str], ok: tuple[int, ...] = (0,), stdout: Path | None = None) -> dict[str, float]:
    """Runs `python -m auditor.cli ...` in this process; the peak is this process's so far."""
    assert command[:3] == [sys.executable, "-m", "auditor.cli"]
    start, cpu, before = time.perf_counter(), time.process_time(), resource.getrusage(resource.RUSAGE_SELF)
    outcome = CliRunner().invoke(app, command[3:])
    assert outcome.exit_code in ok, outcome.output
    if stdout is not None:
        stdout.write_text(outcome.stdout, encoding="utf-8")
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "wall": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "user": after.ru_utime - before.ru_utime,
        "sys": after.ru_stime - before.ru_stime,
        "faults": after.ru_minflt - before.ru_minflt,
        "peak_mb": after.ru_maxrss / 1024,
    }


def rows(markdown: str) -> dict[str, list[str]]:
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in markdown.splitlines()]
    return {row[0]: row[1:] for row in cells if len(row) > 1 and row[0] not in ("case", "ratio (this run)", "---")}


def test_every_case_gives_its_rows_and_the_ratios(tmp_path: Path) -> None:
    missing_venv = tmp_path / "no-checkov-venv"
    settings = Settings(
        out=tmp_path, divisor=1_000_000, runs=1, measure=in_process, checkov_venv=missing_venv, install_checkov=False
    )
    figures = run_cases(["machine", "gate", "scale", "1m", "cache", "files", "yaml50", "checkov"], settings)

    found = rows(table(figures, quick=True))

    reason = f"skipped: no Checkov in {missing_venv} (quick mode does not install it; make bench does)"
    assert found.pop("Checkov 3.3.30, Terraform plan") == ["", reason, "", "", ""]
    assert found.pop("auditor import + audit, same plan") == ["", reason, "", "", ""]
    assert list(found) == CASE_ROWS + RATIOS
    assert found["Checkov CPU per resource / auditor's (import + audit)"] == [reason, ">= 10"]
    for label in CASE_ROWS:  # assets, wall, CPU, peak are numbers (one file / 8 files: two)
        cells = [part for cell in found[label][:4] for part in cell.split(" / ")]
        assert all(NUMBER.fullmatch(cell.replace(",", "")) for cell in cells), (label, found[label])
    assert all(" / " in cell for cell in found["100k YAML, sparse, one file / 8 files (runs alternated)"][1:4])
    for label in RATIOS[:4] + RATIOS[8:]:
        assert NUMBER.match(found[label][0]), (label, found[label])
    for label in RATIOS[4:7]:  # one-unit runs may spend no system time at all
        assert NUMBER.match(found[label][0]) or found[label][0] == NOT_MEASURABLE, (label, found[label])
    assert found["50 MB YAML validate: peak memory / file size"][0].endswith(" (0.0 MB file)")
    assert json.loads((tmp_path / "1m.json").read_text())["declared 1M json"]["assets"] == 32


def test_a_case_not_run_keeps_its_row_and_says_why() -> None:
    found = rows(table({}))

    assert found["1M JSON, declared, one file (--1m)"][:2] == ["", "not run"]
    assert found["time(1M) / time(100k), declared JSON, CPU (100k run just before and after)"][0] == (
        "not run: needs the 1m case (--1m)"
    )
    assert found["CI gate wall (s)"][0] == "not run"
    assert found["100k declared JSON CPU / reference workload"][0] == "not run"


def test_the_launcher_measures_one_process_and_refuses_a_failure() -> None:
    figures = measured([sys.executable, "-c", "print('hello')"])
    assert set(figures) == {"wall", "cpu", "user", "sys", "faults", "peak_mb"} and figures["peak_mb"] > 1
    assert figures["cpu"] == pytest.approx(figures["user"] + figures["sys"]) and figures["faults"] > 0

    with pytest.raises(SystemExit, match="failed: boom"):
        measured([sys.executable, "-c", "import sys; sys.exit('boom')"])


CPU_RATIO, WALL_RATIO, USER_RATIO, SYSTEM_RATIO, FAULT_RATIO = RATIOS[2:7]


def _run(wall: float, user: float, system: float, faults: int) -> dict[str, float]:
    return {"wall": wall, "cpu": user + system, "user": user, "sys": system, "faults": faults, "peak_mb": 1.0}


def _ratios(million: dict[str, float], before: dict[str, float], after: dict[str, float]) -> dict[str, str]:
    """The measured cell of each ratio row for one 1M run and the 100k runs just before and after it."""
    figures = {
        "1m": {"declared 1M json": {"assets": 999_992, **million}, BESIDE_1M: {"before": before, "after": after}}
    }
    found = rows(table(figures))
    return {label: found[label][0] for label in RATIOS}


def test_the_1m_ratios_split_the_cpu_into_the_code_and_the_kernel() -> None:
    """Figures shaped like 7 December's: user CPU grows 10.3x, system CPU 18x for 9.8x the page faults."""
    found = _ratios(_run(58.5, 61.4, 11.7, 2_731_078), _run(5.0, 5.4, 0.6, 280_090), _run(5.2, 6.5, 0.7, 279_953))

    assert [found[label] for label in (CPU_RATIO, WALL_RATIO, USER_RATIO, SYSTEM_RATIO, FAULT_RATIO)] == [
        "11.1",
        "11.5",
        "10.3",
        "18.0",
        "9.8",
    ]


def test_a_split_the_100k_runs_spent_nothing_on_is_not_measurable() -> None:
    found = _ratios(_run(0.13, 0.10, 0.0, 426), _run(0.12, 0.11, 0.0, 445), _run(0.12, 0.12, 0.0, 440))

    assert found[SYSTEM_RATIO] == NOT_MEASURABLE
    assert found[USER_RATIO] == "0.9"


def test_figures_of_an_older_harness_give_the_split_as_not_measured() -> None:
    old = {"wall": 5.0, "cpu": 6.0, "peak_mb": 1.0}
    found = _ratios({**old, "wall": 57.0}, old, old)

    assert found[WALL_RATIO] == "11.4"
    assert found[USER_RATIO] == "not measured (figures of an older harness)"


@pytest.mark.parametrize("argument", ["scales", "--gate"])
def test_an_unknown_case_is_refused_naming_the_cases(argument: str) -> None:
    cases = "machine, gate, scale, 1m, cache, files, yaml50, checkov, medium, pdf"
    expected = f"unknown case '{argument}'; cases: {cases}; options: --1m, --quick"
    with pytest.raises(SystemExit) as refused:
        main([argument])
    assert str(refused.value) == expected


def test_the_stage_view_keeps_the_audit_to_the_end_as_the_console_script_does() -> None:
    """`python -m bench.memory INVENTORY` holds the audit to its exit (auditor.teardown) and leaves with
    status 0: the stage after the audit no longer shows the graph and facts being freed."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", str(EXAMPLE)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    stages = [line[:58].rstrip() for line in done.stdout.splitlines()[1:7]]  # the table's stage column
    assert stages == [
        "imports",
        "loading and validating the inputs",
        "building the graph of 98 assets",
        "deriving facts (jurisdiction, lineage, transfers, exposure",
        "evaluating 118 rules",
        "applying waivers and baseline",
    ]
    assert done.stdout.rstrip().splitlines()[-1].startswith("results.json ")
