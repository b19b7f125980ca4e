"""When rules apply: milestone names resolved to dates, with the organisation's pinned dates.

Packs and rules say `effective_from: ccpa.cpra`; the date comes from auditor/catalog/regimes.yaml
unless the config pins the milestone to another date (`milestones: {ccpa.cpra: 2023-07-01}`).
Pinned dates and pending amendments in play become notices that every report shows first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from auditor.catalog import Milestone, milestones

DateRef = date | str  # an ISO date, or a milestone name such as "gdpr.applies"


@dataclass(frozen=True)
class Calendar:
    """Milestones of the catalog, with the dates an organisation pinned in its config."""

    pins: Mapping[str, date] = field(default_factory=dict)

    def date_of(self, ref: DateRef) -> date:
        if isinstance(ref, date):
            return ref
        return self.pins.get(ref) or milestones()[ref].day

    def source_of(self, ref: DateRef) -> str:
        if isinstance(ref, date):
            return "the rule's own date"
        if ref in self.pins:
            return f"pinned to {self.pins[ref].isoformat()} in the config"
        return milestones()[ref].source

    def notices(self, used: Iterable[str], as_of: date, judged: Iterable[str] = ()) -> list[str]:
        """What the reader must know about the dates behind this audit's rules.

        A pin is always stated (it may be why nothing was judged); a pending amendment only for the
        milestones of rules that judged some asset (`judged`): elsewhere it would change nothing.
        """
        judged = set(judged)
        out = []
        for name in sorted(set(used)):
            milestone: Milestone = milestones()[name]
            if name in self.pins:
                out.append(
                    f"milestone {name} is pinned to {self.pins[name].isoformat()} by the config "
                    f"(catalog: {milestone.day.isoformat()}, {milestone.source})"
                )
            elif name in judged and milestone.pending_date and milestone.day <= as_of < milestone.pending_date:
                out.append(
                    f"milestone {name} applies from {milestone.day.isoformat()} ({milestone.source}); a pending "
                    f"amendment would move it to {milestone.pending_date.isoformat()} ({milestone.pending_by}), not "
                    f"applied because it is not law at the catalog's date; pin {name} in the config to apply it"
                )
        return out


def unknown_milestone(name: str) -> str | None:
    """Why `name` is not a milestone of the catalog (with a suggestion), or None if it is one."""
    from auditor.policy.paths import suggestion

    if name in milestones():
        return None
    return f"unknown milestone {name!r}{suggestion(name, milestones())}"
