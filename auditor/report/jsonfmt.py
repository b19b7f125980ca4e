"""Stable JSON text that stays fast for large results and readable for small ones.

The outer levels are laid out by hand (one key or list item per line) and everything deeper is
encoded compactly by orjson (sorted keys, UTF-8, no ASCII escapes): one finding per line, same
bytes for the same input. orjson writes the bytes the standard library's encoder wrote, except
for floats below 1e-4, which it prints without an exponent (0.00001, where Python prints 1e-05):
evidence values carry those as `ExactFloat` (auditor.policy.values.plain) and are printed as
Python prints them. A value orjson refuses (an integer past 64 bits) goes to the standard encoder.
A long list at a laid-out level can be given as `Items` (any iterable): its items are made while
the text is written.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import orjson

from auditor.policy.values import ExactFloat

OUTER_LEVELS = 3

_standard = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
_SORTED = orjson.OPT_SORT_KEYS


class Items:
    """A list laid out item by item as its items are made: a list of a million findings' dicts is never held."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


class Later:
    """A value made when the writer reaches it, after the values of the keys sorted before it
    (results.json's counts, made while its findings are written)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def _as_python_prints(value: Any) -> orjson.Fragment:
    if isinstance(value, ExactFloat):
        return orjson.Fragment(float.__repr__(value))
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _compact(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=_as_python_prints, option=_SORTED)
    except orjson.JSONEncodeError:
        return _standard(value).encode("utf-8")


def dumps(value: Any, levels: int = OUTER_LEVELS, indent: str = "") -> bytes:
    """The UTF-8 text of `value`: its outer `levels` laid out, the rest compact."""
    buffer = io.BytesIO()
    write(value, buffer, levels, indent)
    return buffer.getvalue()


def write(value: Any, out: BinaryIO, levels: int = OUTER_LEVELS, indent: str = "") -> None:
    """Write the text of `value` to `out` item by item.

    Each piece goes to `out` as soon as it is encoded: a list of pieces joined at the end held
    every piece and orjson's spare buffer room with it (2.5 times the output in memory).
    """
    _lay_out(value, levels, indent.encode(), out.write)


def _lay_out(value: Any, levels: int, indent: bytes, out: Callable[[bytes], object]) -> None:
    inner = indent + b" "
    if isinstance(value, Later):
        value = value.make()
    if levels > 0 and isinstance(value, dict) and value:
        separator = b"{\n"
        for key in sorted(value):
            out(separator + inner + _compact(key) + b": ")
            _lay_out(value[key], levels - 1, inner, out)
            separator = b",\n"
        out(b"\n" + indent + b"}")
    elif levels > 0 and isinstance(value, list | Items):
        separator = b"[\n" + inner
        for item in value.items if isinstance(value, Items) else value:
            if levels > 1:
                out(separator)
                _lay_out(item, levels - 1, inner, out)
            else:  # most of a large output is here: one piece per item, orjson called straight
                try:
                    out(separator + orjson.dumps(item, default=_as_python_prints, option=_SORTED))
                except orjson.JSONEncodeError:
                    out(separator + _compact(item))
            separator = b",\n" + inner
        out(b"[]" if separator[0] == ord("[") else b"\n" + indent + b"]")
    else:
        out(_compact(value))
