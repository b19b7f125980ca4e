"""Open failures per framework and per severity over the recorded runs: the reports' trend chart.

A failure is open when it fails and no waiver covers it (as `auditor history` counts it); it counts
in every framework its rule references ("unmapped" when none), as `auditor diff` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.history.diff import UNMAPPED, rule_frameworks, totals
from auditor.history.store import load_run, runs

SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class TrendPoint:
    run: str  # the run id, or "this audit"
    as_of: str
    by_framework: tuple[tuple[str, int], ...]
    by_severity: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Trend:
    points: tuple[TrendPoint, ...]
    since_last: tuple[tuple[str, int], ...]  # new, resolved, persisting, changed severity against the last run


def _point(run: str, document: dict[str, Any]) -> TrendPoint:
    by_rule = rule_frameworks(document)
    failures = [f for f in document["findings"] if f["status"] == "FAIL" and not f["waived"]]
    frameworks = Counter(name for f in failures for name in by_rule.get(f["rule_id"], [UNMAPPED]))
    severities = Counter(f["severity"] for f in failures)
    return TrendPoint(
        run,
        document["as_of"],
        tuple(sorted(frameworks.items())),
        tuple((s, severities[s]) for s in SEVERITIES),
    )


def trend(history: Path, document: dict[str, Any], *, every_run: bool = True) -> Trend | None:
    """The recorded runs and `document` (this audit, not yet recorded); None without an earlier run.

    Without `every_run` only the last run is read: enough for the since-last notice (a CI gate
    recording every push need not read its whole history)."""
    if not history.is_file():
        return None
    recorded = runs(history)
    if not recorded:
        return None
    earlier = [(str(r.id), load_run(history, r.id)) for r in (recorded if every_run else recorded[-1:])]
    points = [_point(run, doc) for run, doc in earlier] + [_point("this audit", document)]
    return Trend(tuple(points), tuple(totals(earlier[-1][1], document).items()))
