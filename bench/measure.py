"""One command's wall and CPU seconds and peak memory, measured alone (bench.run and bench.checkov).

Linux carries a process's peak memory over fork and exec, so a child of the (large) harness would
report at least the harness's own peak: a small launcher between them makes each figure the
command's alone (os.wait4 gives its CPU time and ru_maxrss). CPU is also kept split into user and
system (kernel) time with the minor page faults: on a virtual machine the kernel's cost of a first
touch of memory grows with the process's size (bench/README.md, 7 December), so a ratio of whole CPU
mixes the code's scaling with the machine's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Protocol

_LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
_, status, usage = os.wait4(subprocess.Popen(sys.argv[2:]).pid, 0)
figures = {"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
           "user": usage.ru_utime, "sys": usage.ru_stime, "faults": usage.ru_minflt,
           "peak_mb": usage.ru_maxrss / 1024, "exit": os.waitstatus_to_exitcode(status)}
with open(sys.argv[1], "w") as out:
    json.dump(figures, out)
"""


class Measure(Protocol):
    """How the harness measures one command (the tests pass one that runs the CLI in-process)."""

    def __call__(
        self, command: list[str], ok: tuple[int, ...] = (0,), stdout: Path | None = None
    ) -> dict[str, float]: ...


def measured(command: list[str], ok: tuple[int, ...] = (0,), stdout: Path | None = None) -> dict[str, float]:
    """Wall, CPU (also as user and system) seconds, minor page faults and peak memory (MB) of one process
    and the children it waited for; its exit status must be in `ok`."""
    with tempfile.TemporaryDirectory() as folder, open(stdout or os.devnull, "wb") as output:
        report = Path(folder) / "figures.json"
        with open(report.with_suffix(".err"), "wb") as errors:
            subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), *command], stdout=output, stderr=errors)
        figures = json.loads(report.read_text(encoding="utf-8"))
        if figures.pop("exit") not in ok:
            message = report.with_suffix(".err").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(command)} failed: {message}")
    return figures


def median_of(measure: Measure, command: list[str], runs: int) -> dict[str, object]:
    """Medians of `runs` runs of `command`, each run's figures alongside, and the load average."""
    return medians([measure(command) for _ in range(runs)])


def medians(figures: list[dict[str, float]]) -> dict[str, object]:
    """Medians of measured runs, each run's figures alongside, and the load average now."""
    keys = [key for key in ("wall", "cpu", "user", "sys", "faults", "peak_mb") if all(key in f for f in figures)]
    summary: dict[str, object] = {key: round(statistics.median(f[key] for f in figures), 3) for key in keys}
    summary["runs"] = [{key: round(value, 3) for key, value in f.items()} for f in figures]
    summary["load_average"] = [round(load, 2) for load in os.getloadavg()]
    return summary
