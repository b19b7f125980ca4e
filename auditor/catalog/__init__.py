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
