"""Stable JSON text that stays fast for large results and readable for small ones.

The outer levels are laid out by hand (one key or list item per line) and everything deeper is
encoded compactly by orjson (sorted keys, UTF-8, no ASCII escapes): one finding per line, same
bytes for the same input. orjson writes the bytes the standard library's encoder wrote, except
for floats below 1e-4, which it prints without an exponent (0.00001, where Python prints 1e-05):
evidence values carry those as `ExactFloat` (auditor.policy.values.plain) and are printed as
Python prints them. A value orjson refuses (an integer past 64 bits) goes to the standard encoder.
A long list at a laid-out level can be given as `Items` (any iterable): its items are made while
the text is written, as values or as their compact text already encoded (`encoded`).

`compact_record` encodes a record with msgspec (3-4 times orjson's speed on results.json's
findings here), whose text differs from orjson's only for floats of 1e16 and more (1e16 where
orjson and Python print 1e+16): what may hold floats is checked first (`alike`), and data that
holds such a float goes to orjson.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import msgspec
import orjson

from auditor.policy.values import ExactFloat

OUTER_LEVELS = 3

_standard = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
_SORTED = orjson.OPT_SORT_KEYS


class Items:
    """A list laid out item by item as its items are made: a list of a million findings' dicts is never held."""

    __slots__ = ("encoded", "items")

    def __init__(self, items: Iterable[Any], encoded: bool = False) -> None:
        self.items = items
        self.encoded = encoded  # each item is its compact text (bytes), written as it is


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


def compact(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=_as_python_prints, option=_SORTED)
    except orjson.JSONEncodeError:
        return _standard(value).encode("utf-8")


def _raw_as_python_prints(value: Any) -> msgspec.Raw:
    if isinstance(value, ExactFloat):
        return msgspec.Raw(float.__repr__(value).encode())
    raise NotImplementedError(f"{type(value).__name__} is not JSON data")


_record = msgspec.json.Encoder(order="sorted", enc_hook=_raw_as_python_prints).encode
_PLAIN = frozenset({str, int, bool, type(None), ExactFloat})


def _alike(value: Any) -> bool:
    """msgspec prints `value` as orjson does: plain data without a float of 1e16 or more."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is float:
        return -1e16 < value < 1e16
    if kind is dict:
        return all(map(_alike, value.values()))
    if kind is list:
        return all(map(_alike, value))
    return False


def alike(data: Any) -> bool:
    """msgspec prints `data` as orjson does: plain data (dicts with text keys, lists, text,
    integers, booleans, None, floats) without a float of 1e16 or more."""
    values = data.values() if type(data) is dict else (data,)
    return _PLAIN.issuperset(map(type, values)) or all(map(_alike, values))


def compact_record(record: Any) -> bytes | None:
    """`record`'s compact text by msgspec, keys and dataclass fields sorted; None where msgspec
    cannot encode it (a key that is not text). The caller checks with `alike` what may hold floats."""
    try:
        return _record(record)
    except (TypeError, msgspec.EncodeError):
        return None


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
            out(separator + inner + compact(key) + b": ")
            _lay_out(value[key], levels - 1, inner, out)
            separator = b",\n"
        out(b"\n" + indent + b"}")
    elif levels > 0 and isinstance(value, list | Items):
        separator = b"[\n" + inner
        encoded = isinstance(value, Items) and value.encoded
        for item in value.items if isinstance(value, Items) else value:
            if encoded:
                out(separator + item)
            elif levels > 1:
                out(separator)
                _lay_out(item, levels - 1, inner, out)
            else:  # most of a large output is here: one piece per item, orjson called straight
                try:
                    out(separator + orjson.dumps(item, default=_as_python_prints, option=_SORTED))
                except orjson.JSONEncodeError:
                    out(separator + compact(item))
            separator = b",\n" + inner
        out(b"[]" if separator[0] == ord("[") else b"\n" + indent + b"]")
    else:
        out(compact(value))
