"""YAML 1.2 core-schema scalars for every input file, on PyYAML's (C) safe loader.

PyYAML implements YAML 1.1, where `NO` (Norway), `yes`, `on` and `off` are booleans, `012` is octal
and `1:30` is a base-60 number. Here only true/false are booleans and numbers follow the 1.2 core
schema; everything else stays a string, as a reader of the file would expect.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TAG = "tag:yaml.org,2002:"

NULL = re.compile(r"~|null|Null|NULL|")
BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
# The largest magnitude a number may have: beyond it floats overflow to infinity.
MAX_NUMBER = 1e308


class CoreSchemaLoader(_Base):  # type: ignore[misc]
    """The safe loader with YAML 1.2 core-schema implicit resolvers (and the merge key `<<`)."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


for _tag, _pattern, _first in (
    ("null", NULL, ["~", "n", "N", ""]),
    ("bool", re.compile("|".join(BOOL)), list("tTfF")),
    ("int", INT, [*"-+0123456789"]),
    ("float", FLOAT, [*"-+.0123456789"]),
    ("merge", re.compile("<<"), ["<"]),
):
    CoreSchemaLoader.add_implicit_resolver(f"{TAG}{_tag}", re.compile(f"(?:{_pattern.pattern})$"), _first)


def construct_scalar(tag: str, text: str) -> Any:
    """The value of a core-schema scalar; ValueError for a non-finite or out-of-range number."""
    if tag == f"{TAG}null":
        return None
    if tag == f"{TAG}bool":
        if text not in BOOL:
            raise ValueError(f"{text!r} is not true or false")
        return BOOL[text]
    if tag == f"{TAG}int":
        if not INT.fullmatch(text):
            raise ValueError(f"{text!r} is not an integer")
        base = 8 if text.startswith("0o") else 16 if text.startswith("0x") else 10
        return check_number(int(text[2:] if base != 10 else text, base))
    if not FLOAT.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    if text.lstrip("+-").lower() in (".inf", ".nan"):
        raise ValueError(f"{text} is not a finite number")
    return check_number(float(text))


def check_number(value: int | float) -> int | float:
    """`value` when within -1e308..1e308; ValueError otherwise (NaN and infinity included)."""
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("nan is not a finite number")
    if abs(value) > MAX_NUMBER:  # infinity included: in JSON, and in YAML as digits, it is an overflow
        raise ValueError("number out of range (beyond -1e308..1e308)")
    return value
