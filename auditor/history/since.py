"""Since the last audit: the counts a recorded run's reports carry, against the run recorded before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.history.diff import totals
from auditor.history.store import load_run, runs


def since_last_notice(history: Path, document: dict[str, Any]) -> str | None:
    """A notice comparing `document` with the last run in `history`; None when there is none yet."""
    if not history.is_file():
        return None
    recorded = runs(history)
    if not recorded:
        return None
    last = recorded[-1]
    counts = totals(load_run(history, last.id), document)
    described = ", ".join(f"{count} {change.replace('_', ' in ')}" for change, count in counts.items())
    return f"open findings since the last recorded audit (run {last.id}, as of {last.as_of}): {described}"
