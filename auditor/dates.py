"""Dates in every input: ISO `YYYY-MM-DD` text (or a YAML date), between 1900 and 2200.

An integer is never a date (pydantic would read it as a 1970 timestamp), and a year such as 0001 or
9999 is a typo that would silently switch rules on or off, so both are refused everywhere.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(value: Any) -> date:
    """`value` as a date in range, or ValueError with a sentence saying what is expected."""
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise ValueError("expected an ISO date YYYY-MM-DD")
    if isinstance(value, str):
        if not _ISO.fullmatch(value):
            raise ValueError("expected an ISO date YYYY-MM-DD")
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError("no such day (expected an ISO date YYYY-MM-DD)") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"date outside {MIN_DATE}..{MAX_DATE}")
    return value


def _validate(value: Any) -> date:
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise PydanticCustomError("iso_date", str(exc)) from None


IsoDate = Annotated[date, BeforeValidator(_validate)]


_MILESTONE = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def _date_or_milestone(value: Any) -> date | str:
    if isinstance(value, str) and _MILESTONE.fullmatch(value):
        return value  # checked against the regimes catalog when the rule is compiled
    try:
        return parse_iso_date(value)
    except ValueError as exc:
        hint = "" if isinstance(value, str) and _ISO.fullmatch(value) else ", or a milestone name such as ccpa.cpra"
        raise PydanticCustomError("date_ref", f"{exc}{hint}") from None


DateRef = Annotated[
    date | str,
    BeforeValidator(_date_or_milestone),
    Field(description="An ISO date, or a milestone of the regimes catalog (auditor/catalog/regimes.yaml)."),
]
