"""Reference data shipped with the package: jurisdictions, accelerators, cloud instance types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


@dataclass(frozen=True)
class AdequacyDecision:
    country: str
    name: str
    decision: str
    in_force: date
    expires: date | None
    scope: str | None
    scope_note: str | None

    def in_force_on(self, day: date) -> bool:
        return self.in_force <= day and (self.expires is None or day < self.expires)


@dataclass(frozen=True)
class Jurisdictions:
    eea: frozenset[str]
    aliases: frozenset[str]
    adequacy: dict[str, AdequacyDecision]
    as_of: str

    def is_eea(self, country: str) -> bool:
        return country in self.eea or country in self.aliases

    def decision(self, country: str, day: date) -> AdequacyDecision | None:
        found = self.adequacy.get(country)
        return found if found is not None and found.in_force_on(day) else None

    def zone(self, country: str, day: date) -> str:
        """'eea', 'adequate' (a decision in force on `day`) or 'third_country'."""
        if self.is_eea(country):
            return "eea"
        return "adequate" if self.decision(country, day) else "third_country"


@cache
def jurisdictions() -> Jurisdictions:
    data = _load("jurisdictions.yaml")
    eea = data["eea"]
    decisions = {
        entry["country"]: AdequacyDecision(
            country=entry["country"],
            name=entry["name"],
            decision=entry["decision"],
            in_force=date.fromisoformat(entry["in_force"]),
            expires=date.fromisoformat(entry["expires"]) if entry.get("expires") else None,
            scope=entry.get("scope"),
            scope_note=entry.get("scope_note"),
        )
        for entry in data["adequacy"]
    }
    return Jurisdictions(
        eea=frozenset(eea["eu_members"]) | frozenset(eea["efta_eea"]),
        aliases=frozenset(eea["aliases"]),
        adequacy=decisions,
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


def find_accelerator(model: str) -> dict[str, Any] | None:
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

    def in_force_on(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


@cache
def _threshold_tables() -> dict[str, Any]:
    return _load("ccpa_thresholds.yaml")


def threshold_row(table: str, day: date) -> ThresholdRow | None:
    """The row of `table` (business, cybersecurity_audit) in force on `day`, if any."""
    for entry in _threshold_tables()[table]:
        row = ThresholdRow(
            starts=date.fromisoformat(entry["from"]),
            ends=date.fromisoformat(entry["until"]) if entry.get("until") else None,
            figures={k: v for k, v in entry.items() if isinstance(v, int | float) and not isinstance(v, bool)},
            source=" ".join(entry["source"].split()),
        )
        if row.in_force_on(day):
            return row
    return None


def first_audit_due(revenue: float) -> tuple[date, str]:
    """11 CCR 7121(a): the due date of the first cybersecurity-audit report for a revenue figure."""
    for entry in _threshold_tables()["first_audit_due"]:
        if ("above" in entry and revenue > entry["above"]) or ("at_least" in entry and revenue >= entry["at_least"]):
            return date.fromisoformat(entry["due"]), entry["source"]
    raise ValueError(f"no 7121(a) band for revenue {revenue}")
