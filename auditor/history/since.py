"""Since the last audit: the notice a recorded run's reports carry, against the run recorded before it."""

from __future__ import annotations

from auditor.history.trend import Trend


def since_last_notice(trend: Trend) -> str:
    """The notice comparing this audit with the last recorded run (the trend's point before this audit)."""
    last = trend.points[-2]
    described = ", ".join(f"{count} {change.replace('_', ' in ')}" for change, count in trend.since_last)
    return f"open findings since the last recorded audit (run {last.run}, as of {last.as_of}): {described}"
