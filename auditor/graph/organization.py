"""Organisation-level facts: CCPA applicability and the CPPA cybersecurity-audit schedule.

Thresholds are from Cal. Civ. Code 1798.140(d)(1) (CPI-adjusted revenue threshold $26,625,000
from 2025-01-01, $25,000,000 before) and 11 CCR 7120(b) / 7121(a) (effective 2026-01-01).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from auditor.graph.build import AssetGraph
from auditor.graph.fact import described
from auditor.inventory.models import Organization


@dataclass(slots=True)
class CcpaFact:
    """Whether the organisation is a CCPA 'business' (Cal. Civ. Code 1798.140(d)(1))."""

    business: bool | None = described("Meets a threshold of 1798.140(d)(1) (None: a figure is undeclared).")
    revenue_threshold_usd: float = described("The revenue threshold in force at the audit date.", 0.0)


@dataclass(slots=True)
class CppaFact:
    """The CPPA cybersecurity-audit duty (11 CCR 7120-7121)."""

    audit_required: bool | None = described("11 CCR 7120(b) requires a cybersecurity audit.")
    first_audit_due: str | None = described("The first audit report's due date under 7121(a) (ISO date).")
    audit_due_now: bool | None = described("That date has passed at the audit date.")

CPI_ADJUSTED_FROM = date(2025, 1, 1)


def revenue_threshold(as_of: date) -> float:
    return 26_625_000 if as_of >= CPI_ADJUSTED_FROM else 25_000_000


def _any_true(*flags: bool | None) -> bool | None:
    """True if any flag is True, False if all are False, None if it cannot be told."""
    if any(flag is True for flag in flags):
        return True
    return False if all(flag is False for flag in flags) else None


def _over(value: float | None, limit: float, inclusive: bool = False) -> bool | None:
    if value is None:
        return None
    return value >= limit if inclusive else value > limit


def _first_audit_due(revenue: float | None) -> str | None:
    """11 CCR 7121(a): first audit report by 1 April of 2028, 2029 or 2030 by revenue band."""
    if revenue is None:
        return None
    if revenue > 100_000_000:
        return "2028-04-01"
    return "2029-04-01" if revenue >= 50_000_000 else "2030-04-01"


def analyse_organization(graph: AssetGraph, as_of: date) -> dict[str, tuple[CcpaFact, CppaFact]]:
    """Facts `ccpa` and `cppa` for the organisation."""
    org = graph.inventory.organization
    if not isinstance(org, Organization):
        return {}
    limit = revenue_threshold(as_of)
    business = _any_true(
        _over(org.annual_revenue_usd, limit),
        _over(org.ca_consumers_sold_shared, 100_000, inclusive=True),
        _over(org.revenue_share_from_selling_pct, 50, inclusive=True),
    )
    large = _over(org.annual_revenue_usd, limit)
    many = _any_true(
        _over(org.ca_consumers, 250_000, inclusive=True), _over(org.ca_spi_consumers, 50_000, inclusive=True)
    )
    size_trigger = False if large is False or many is False else (True if large and many else None)
    audit_required = _any_true(_over(org.revenue_share_from_selling_pct, 50, inclusive=True), size_trigger)
    due = _first_audit_due(org.revenue_2026_usd or org.annual_revenue_usd) if audit_required else None
    cppa = CppaFact(audit_required, due, None if due is None else as_of >= date.fromisoformat(due))
    return {org.id: (CcpaFact(business, limit), cppa)}
