"""Organisation-level facts: CCPA applicability and the CPPA cybersecurity-audit schedule.

Every threshold comes from the dated rows of auditor/catalog/ccpa_thresholds.yaml in force at the
audit date (Cal. Civ. Code 1798.140(c)(1) as enacted, 1798.140(d)(1) after the CPRA and its CPI
adjustment; 11 CCR 7120(b) and 7121(a)), or from the organisation's config where it overrides one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from auditor.catalog import ThresholdRow, first_audit_due, milestones, threshold_catalog_date, threshold_row
from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.inventory.models import Dataset, Flow, Organization, Workload


@dataclass(slots=True)
class CcpaFact:
    """Whether the organisation is a CCPA 'business' at the audit date (1798.140(d)(1))."""

    business: bool | None = described("Meets a threshold in force at the audit date (None: a figure is undeclared).")
    revenue_threshold_usd: float | None = described("The revenue threshold in force (None: the CCPA is not operative).")
    consumers_threshold: float | None = described("The consumers/households threshold in force.")
    threshold_source: str | None = described("Where the thresholds in force come from (or the config override).")
    sells: bool | None = described(
        "A flow of California consumers' PI is a sale, derived (None: none is for sure, some is unknown).", False
    )
    shares: bool | None = described("A flow of California consumers' PI is sharing, derived (None: unknown).", False)
    selling_flows: list[str] = described("The flows that sell.", factory=list)
    sharing_flows: list[str] = described("The flows that share.", factory=list)
    gpc_unhonoured_flows: list[str] = described(
        "The selling or sharing flows not shown to honour opt-out preference signals (gpc_honored not true): "
        "a frictionless signal cannot replace the opt-out links while one of them ignores it.",
        factory=list,
    )
    holds_spi: bool | None = described(
        "A dataset of California consumers holds sensitive PI (1798.140(ae)) (None: some dataset is unknown).", False
    )


@dataclass(slots=True)
class CppaFact:
    """The CPPA cybersecurity-audit duty (11 CCR 7120-7121)."""

    audit_required: bool | None = described("11 CCR 7120(b) requires a cybersecurity audit.")
    first_audit_due: str | None = described(
        "The first report's due date under 7121(a) (ISO date; None: a band's revenue unknown, or no band applies)."
    )
    audit_due_now: bool | None = described("That date has passed at the audit date.")
    risk_assessments: list[str] = described("Assets with a CPPA 7150 risk assessment on record.", factory=list)
    risk_assessment_submission_due: str | None = described(
        "The latest 1 April on which a 7157 submission fell due (None: none yet at the audit date)."
    )
    risk_assessment_window_opens: str | None = described(
        "The first day a submission counts for that due date: the day after the previous one."
    )
    audit_report_due: str | None = described(
        "The latest 1 April, from the first due date on, by which an audit report was due (yearly, 7121)."
    )
    audit_window_opens: str | None = described(
        "The first day an audit report counts for that due date: the day after the previous one."
    )


# Config keys that override a catalog figure: `thresholds: {ccpa.business.revenue_usd: ...}`.
THRESHOLD_KEYS = (
    "ccpa.business.revenue_usd",
    "ccpa.business.consumers",
    "ccpa.business.selling_revenue_pct",
    "ccpa.cybersecurity_audit.revenue_usd",
    "ccpa.cybersecurity_audit.consumers",
    "ccpa.cybersecurity_audit.spi_consumers",
    "ccpa.cybersecurity_audit.selling_revenue_pct",
)


def _any_true(*flags: bool | None) -> bool | None:
    """True if any flag is True, False if all are False, None if it cannot be told."""
    if any(flag is True for flag in flags):
        return True
    return False if all(flag is False for flag in flags) else None


def _over(value: float | None, limit: float, inclusive: bool = False) -> bool | None:
    if value is None:
        return None
    return value >= limit if inclusive else value > limit


def _figures(table: str, as_of: date, overrides: Mapping[str, float]) -> tuple[dict[str, float], str] | None:
    """The figures of `table` in force at `as_of` with the config's overrides, and their source."""
    row = threshold_row(table, as_of)
    if row is None:
        return None
    figures = dict(row.figures)
    changed = []
    for key, value in overrides.items():
        prefix = f"ccpa.{table}."
        if key.startswith(prefix):
            figures[key.removeprefix(prefix)] = value
            changed.append(key)
    source = row.source + (f"; overridden in the config: {', '.join(sorted(changed))}" if changed else "")
    if _stale(row, as_of, f"ccpa.{table}.revenue_usd", overrides):
        source += f"; due for its CPI adjustment on {row.next_adjustment}, which the catalog does not hold"
    return figures, source


def _stale(row: ThresholdRow, as_of: date, key: str, overrides: Mapping[str, float]) -> bool:
    """The row's revenue figure was due to be replaced by `as_of` and the config does not replace it."""
    return row.next_adjustment is not None and as_of >= row.next_adjustment and key not in overrides


def stale_threshold_notices(as_of: date, overrides: Mapping[str, float]) -> list[str]:
    """The CCPA revenue figures an audit at `as_of` uses though an adjustment was due: the CPPA adjusts
    them for inflation every odd-numbered January, and a catalog older than that cannot know the new one."""
    notices = []
    for table in ("business", "cybersecurity_audit"):
        key = f"ccpa.{table}.revenue_usd"
        row = threshold_row(table, as_of)
        if row is not None and _stale(row, as_of, key, overrides):
            notices.append(
                f"threshold {key} is the catalog's figure in force from {row.starts} "
                f"({row.figures['revenue_usd']:,.0f}), due for its CPI adjustment on {row.next_adjustment}; "
                f"the catalog (as of {threshold_catalog_date()}) does not hold the adjusted figure: "
                f"set {key} in the config (thresholds:) to the CPPA's figure"
            )
    return notices


def analyse_organization(
    graph: AssetGraph, as_of: date, overrides: Mapping[str, float] | None = None
) -> dict[str, tuple[CcpaFact, CppaFact]]:
    """Facts `ccpa` and `cppa` for the organisation."""
    org = graph.inventory.organization
    if not isinstance(org, Organization):
        return {}
    overrides = overrides or {}
    business_rules = _figures("business", as_of, overrides)
    if business_rules is None:  # before 1 Jan 2020 the CCPA defines no business at all
        ccpa = CcpaFact(business=False, threshold_source="the CCPA is not operative at the audit date")
    else:
        figures, source = business_rules
        business = _any_true(
            _over(org.annual_revenue_usd, figures["revenue_usd"]),
            _over(org.ca_consumers_sold_shared, figures["consumers"], inclusive=True),
            _over(org.revenue_share_from_selling_pct, figures["selling_revenue_pct"], inclusive=True),
        )
        ccpa = CcpaFact(business, figures["revenue_usd"], figures["consumers"], source)
    cppa = _cybersecurity_audit(org, as_of, overrides)
    cppa.risk_assessments = _risk_assessments(graph)
    due = _submission_due(as_of)
    if due is not None:
        cppa.risk_assessment_submission_due = due.isoformat()
        cppa.risk_assessment_window_opens = _window_opens(due).isoformat()
    return {org.id: (ccpa, cppa)}


def _risk_assessments(graph: AssetGraph) -> list[str]:
    assets: list[Dataset | Flow | Workload] = [*graph.of_kind(Dataset), *graph.of_kind(Flow), *graph.of_kind(Workload)]
    return sorted(a.id for a in assets if a.risk_assessment_ref)


def _submission_due(as_of: date) -> date | None:
    """11 CCR 7157(a): the latest 1 April, from the first due date, on or before `as_of`."""
    return _latest_due(milestones()["ccpa.risk_assessment_submission"].day, as_of)


def _window_opens(due: date) -> date:
    """The first day a yearly filing counts for `due`: the day after the due date a year before."""
    return date(due.year - 1, due.month, due.day) + timedelta(days=1)


def _latest_due(first: date, as_of: date) -> date | None:
    """The latest anniversary of `first` on or before `as_of` (None before `first`): a yearly due date."""
    if as_of < first:
        return None
    due = date(as_of.year, first.month, first.day)
    return due if due <= as_of else date(as_of.year - 1, first.month, first.day)


def _cybersecurity_audit(org: Organization, as_of: date, overrides: Mapping[str, float]) -> CppaFact:
    found = _figures("cybersecurity_audit", as_of, overrides)
    if found is None:
        return CppaFact(audit_required=False)
    figures, _ = found
    large = _over(org.annual_revenue_usd, figures["revenue_usd"])
    many = _any_true(
        _over(org.ca_consumers, figures["consumers"], inclusive=True),
        _over(org.ca_spi_consumers, figures["spi_consumers"], inclusive=True),
    )
    size_trigger = False if large is False or many is False else (True if large and many else None)
    required = _any_true(
        _over(org.revenue_share_from_selling_pct, figures["selling_revenue_pct"], inclusive=True), size_trigger
    )
    if not required:
        return CppaFact(audit_required=required)
    # 7121(a)'s bands read 2026, 2027 and 2028 revenue; the current figure stands in for 2026's only
    # while it can be 2026's (this year's or the preceding year's revenue in 2026 and 2027)
    stand_in = org.annual_revenue_usd if as_of.year <= 2027 else None
    revenues = {
        2026: org.revenue_2026_usd if org.revenue_2026_usd is not None else stand_in,
        2027: org.revenue_2027_usd,
        2028: org.revenue_2028_usd,
    }
    band = first_audit_due(revenues)
    if band.due is not None:  # a report every year from the first due date (11 CCR 7121)
        fact = CppaFact(required, band.due.isoformat(), as_of >= band.due)
        report_due = _latest_due(band.due, as_of)
        if report_due is not None:
            fact.audit_report_due = report_due.isoformat()
            fact.audit_window_opens = _window_opens(report_due).isoformat()
        return fact
    if band.not_before is not None and as_of < band.not_before:  # no band's date can have passed yet
        return CppaFact(required, None, False)
    return CppaFact(audit_required=required)
