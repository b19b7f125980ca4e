"""Evidence values as reports show them: JSON-ready data, and one-line text for messages."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any

AS_IS = frozenset({str, int, bool, type(None)})  # types plain() returns unchanged (the generated evidence shares it)


class ExactFloat(float):
    """A float below 1e-4 that reports must print as Python does (1e-05): fast JSON encoders
    print it without an exponent (0.00001). Marked where evidence is made, the one place such
    floats enter a report."""


def plain(value: Any) -> Any:
    """JSON-ready copy of an evidence value (dates as ISO text, sets sorted, facts as mappings)."""
    kind = type(value)
    if kind in AS_IS:
        return value
    if kind is dict:  # the common case first, its plain items copied without a call each
        return {
            (k if type(k) is str else str(k)): (v if type(v) in AS_IS else plain(v))
            for k, v in sorted(value.items())
        }
    if kind is list:
        return [v if type(v) in AS_IS else plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items())}
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, float):
        rounded = round(value, 6)
        return ExactFloat(rounded) if rounded and abs(rounded) < 1e-4 else rounded
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    return value


def shown(value: Any) -> str:
    """A value inside a sentence: lists joined, floats to two decimals, None as 'unknown'."""
    if type(value) is str:
        return value
    value = plain(round(value, 2) if isinstance(value, float) else value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "unknown" if value is None else str(value)
