"""Reference data shipped with the package: jurisdictions, accelerators, cloud instance types."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Membership:
    """A period in which a country counts as EEA for the GDPR, and why."""

    country: str
    start: date
    until: date | None  # last day included; None: still a member
    basis: str
    source: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class AdequacyDecision:
    """An adequacy decision (or the UK's interim bridge) for a country or an international organisation."""

    country: str | None
    international_organisation: str | None
    name: str
    decision: str
    start: date
    until: date | None  # last day in force; None: no end date
    mechanism: str
    scope: str | None
    scope_name: str | None
    scope_note: str | None
    source: str

    def in_force_on(self, day: date) -> bool:
        return self.start <= day and (self.until is None or day <= self.until)


def _in_force(rows: tuple[AdequacyDecision, ...], day: date) -> AdequacyDecision | None:
    """The newest row in force on `day` (a renewal overlapping its predecessor wins)."""
    found = [row for row in rows if row.in_force_on(day)]
    return max(found, key=lambda row: row.start) if found else None


@dataclass(frozen=True)
class Jurisdictions:
    members: dict[str, tuple[Membership, ...]]
    aliases: frozenset[str]
    adequacy: dict[str, tuple[AdequacyDecision, ...]]
    organisations: dict[str, tuple[AdequacyDecision, ...]]
    as_of: str

    def membership(self, country: str, day: date) -> Membership | None:
        return next((row for row in self.members.get(country, ()) if row.covers(day)), None)

    def is_eea(self, country: str, day: date) -> bool:
        return country in self.aliases or self.membership(country, day) is not None

    def decision(self, country: str, day: date) -> AdequacyDecision | None:
        return _in_force(self.adequacy.get(country, ()), day)

    def organisation_decision(self, organisation: str, day: date) -> AdequacyDecision | None:
        return _in_force(self.organisations.get(organisation, ()), day)

    def zone(self, country: str, day: date) -> str:
        """'eea', 'adequate' (a decision or the UK bridge in force on `day`) or 'third_country'."""
        if self.is_eea(country, day):
            return "eea"
        return "adequate" if self.decision(country, day) else "third_country"


def _grouped(rows: list[Any], key: Any) -> dict[str, tuple[Any, ...]]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        if key(row) is not None:
            grouped.setdefault(key(row), []).append(row)
    return {name: tuple(found) for name, found in grouped.items()}


@cache
def jurisdictions() -> Jurisdictions:
    data = _load("jurisdictions.yaml")
    members = [
        Membership(row["country"], date.fromisoformat(row["from"]), _day(row.get("until")), row["basis"], row["source"])
        for row in data["eea"]["members"]
    ]
    decisions = [
        AdequacyDecision(
            country=row.get("country"),
            international_organisation=row.get("international_organisation"),
            name=row["name"],
            decision=row["decision"],
            start=date.fromisoformat(row["from"]),
            until=_day(row.get("until")),
            mechanism=row.get("mechanism", "adequacy"),
            scope=row.get("scope"),
            scope_name=row.get("scope_name"),
            scope_note=row.get("scope_note"),
            source=row["source"],
        )
        for row in data["adequacy"]
    ]
    return Jurisdictions(
        members=_grouped(members, lambda row: row.country),
        aliases=frozenset(data["eea"]["aliases"]),
        adequacy=_grouped(decisions, lambda row: row.country),
        organisations=_grouped(decisions, lambda row: row.international_organisation),
        as_of=str(data["as_of"]),
    )


def _normalise(name: str) -> str:
    name = re.sub(r"^(nvidia|amd|google|intel)\s+", "", name.strip().lower())
    return re.sub(r"[\s_-]+", "", name)


@cache
def accelerators() -> dict[str, dict[str, Any]]:
    """Accelerator specs by normalised model name and alias."""
    found: dict[str, dict[str, Any]] = {}
    for entry in _load("accelerators.yaml")["accelerators"]:
        for name in (entry["model"], *entry.get("aliases", [])):
            found[_normalise(name)] = entry
    return found


@cache
def find_accelerator(model: str) -> dict[str, Any] | None:
    """The catalog entry of a model name as written (memoised: every node of a fleet names one)."""
    return accelerators().get(_normalise(model))


@cache
def instances() -> dict[str, dict[str, Any]]:
    return {entry["instance"]: entry for entry in _load("instances.yaml")["instances"]}


@cache
def data_categories() -> dict[str, dict[str, Any]]:
    """fideslang category keys with their GDPR/CCPA marks."""
    return {entry["key"]: entry for entry in _load("data_categories.yaml")["categories"]}


def category_marks(key: str) -> dict[str, Any] | None:
    """Marks of a category, or of its nearest known ancestor (custom sub-keys inherit)."""
    catalog = data_categories()
    parts = key.split(".")
    for cut in range(len(parts), 0, -1):
        found = catalog.get(".".join(parts[:cut]))
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Milestone:
    """A date from which a law, amendment or regulation applies, with its source."""

    name: str  # regime.milestone, e.g. ccpa.cpra
    day: date
    source: str
    pending_date: date | None = None  # an amendment that is not law at the catalog's date
    pending_by: str | None = None


@cache
def milestones() -> dict[str, Milestone]:
    """Every milestone of regimes.yaml by its dotted name."""
    found: dict[str, Milestone] = {}
    for regime, spec in _load("regimes.yaml")["regimes"].items():
        for name, entry in spec["milestones"].items():
            pending = entry.get("pending") or {}
            found[f"{regime}.{name}"] = Milestone(
                name=f"{regime}.{name}",
                day=date.fromisoformat(entry["date"]),
                source=" ".join(entry["source"].split()),
                pending_date=date.fromisoformat(pending["date"]) if pending else None,
                pending_by=" ".join(pending["by"].split()) if pending else None,
            )
    return found


@dataclass(frozen=True)
class ThresholdRow:
    """One dated row of a thresholds table: its figures and source."""

    starts: date
    ends: date | None
    figures: dict[str, float]
    source: str
    next_adjustment: date | None = None  # when the figures are due to be replaced by an adjustment

    def in_force_on(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


@cache
def _threshold_tables() -> dict[str, Any]:
    return _load("ccpa_thresholds.yaml")


def threshold_catalog_date() -> str:
    """The date the thresholds catalog was last checked against its sources."""
    return str(_threshold_tables()["as_of"])


def threshold_row(table: str, day: date) -> ThresholdRow | None:
    """The row of `table` (business, cybersecurity_audit) in force on `day`, if any."""
    for entry in _threshold_tables()[table]:
        row = ThresholdRow(
            starts=date.fromisoformat(entry["from"]),
            ends=date.fromisoformat(entry["until"]) if entry.get("until") else None,
            figures={k: v for k, v in entry.items() if isinstance(v, int | float) and not isinstance(v, bool)},
            source=" ".join(entry["source"].split()),
            next_adjustment=date.fromisoformat(entry["next_adjustment"]) if entry.get("next_adjustment") else None,
        )
        if row.in_force_on(day):
            return row
    return None


@dataclass(frozen=True)
class FirstAuditDue:
    """What 11 CCR 7121(a) says of a business's first cybersecurity-audit report: its due date, or, while
    a band's revenue is unknown, the earliest date still possible (both None: the text names no band)."""

    due: date | None
    not_before: date | None = None


def first_audit_due(revenue_by_year: Mapping[int, float | None]) -> FirstAuditDue:
    """The 7121(a) band of a business from its revenue of 2026, 2027 and 2028, tried in the text's order."""
    for entry in _threshold_tables()["first_audit_due"]:
        revenue = revenue_by_year.get(entry["year"])
        if revenue is None:
            return FirstAuditDue(None, date.fromisoformat(entry["due"]))
        if (
            ("above" in entry and revenue > entry["above"])
            or ("at_least" in entry and entry["at_least"] <= revenue <= entry["at_most"])
            or ("below" in entry and revenue < entry["below"])
        ):
            return FirstAuditDue(date.fromisoformat(entry["due"]))
    return FirstAuditDue(None)


@cache
def _storage_guidance() -> dict[str, Any]:
    return _load("storage_guidance.yaml")


def storage_read_need(tier: str, nodes: int) -> float | None:
    """Aggregate read GB/s the DGX SuperPOD guidance asks of `nodes` nodes at `tier`, interpolated on its table."""
    guidance = _storage_guidance()
    row = guidance["tiers"].get(tier)
    if row is None or nodes < 1:
        return None
    points: list[int] = guidance["nodes"]
    reads: list[float] = row["read"]
    if nodes >= points[-1]:
        return reads[-1] * nodes / points[-1]
    for (low, high), (low_need, high_need) in zip(pairwise(points), pairwise(reads), strict=True):
        if nodes <= high:
            return low_need + (high_need - low_need) * (nodes - low) / (high - low)
    raise AssertionError("unreachable: nodes below the table's last point")
