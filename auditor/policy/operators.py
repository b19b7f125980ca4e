"""The one table of comparison operators, and the typed conversions they compare under.

A value that cannot be converted to the comparison's type raises TypeMismatch: the rule
result becomes NOT_EVALUABLE with the reason, never a silent comparison of strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from packaging.version import InvalidVersion, Version


class TypeMismatch(Exception):
    pass


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeMismatch(f"{value!r} is not a number")
    return value


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise TypeMismatch(f"{value!r} is not an ISO date")


def _version(value: Any) -> Version:
    try:
        return Version(str(value)) if isinstance(value, str | int | float) else _fail(value)
    except InvalidVersion:
        raise TypeMismatch(f"{value!r} is not a version") from None


def _fail(value: Any) -> Any:
    raise TypeMismatch(f"{value!r} has the wrong type")


def _string(value: Any) -> str:
    return value if isinstance(value, str) else _fail(value)


def _bool(value: Any) -> bool:
    return value if isinstance(value, bool) else _fail(value)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "number": _number,
    "date": _date,
    "version": _version,
    "string": _string,
    "bool": _bool,
}


def _as_set(value: Any) -> set[Any]:
    if not isinstance(value, list | tuple | set | frozenset):
        raise TypeMismatch(f"{value!r} is not a list")
    return set(value)


def _matches(value: Any, pattern: Any) -> bool:
    return re.search(pattern, _string(value)) is not None


def _contains(value: Any, item: Any) -> bool:
    if isinstance(value, str):
        return _string(item) in value
    return item in _as_set(value)


# Binary operators: (attribute value, comparison value) -> bool. Values arrive converted.
BINARY: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "in": lambda a, b: a in _as_set(b),
    "not_in": lambda a, b: a not in _as_set(b),
    "contains": _contains,
    "not_contains": lambda a, b: not _contains(a, b),
    "intersects": lambda a, b: bool(_as_set(a) & _as_set(b)),
    "disjoint": lambda a, b: not (_as_set(a) & _as_set(b)),
    "subset_of": lambda a, b: _as_set(a) <= _as_set(b),
    "matches": _matches,
}
ORDERED = frozenset({"lt", "le", "gt", "ge"})
# Unary operators decide on presence itself, so a missing value is an answer, not unknown.
PRESENCE = frozenset({"present", "absent"})
EMPTINESS = frozenset({"empty", "not_empty"})
# Operators whose comparison value is a list (element types are compared as they are).
SET_OPERATORS = frozenset({"in", "not_in", "intersects", "disjoint", "subset_of"})
