"""Stable JSON text that stays fast for large results and readable for small ones.

The standard library's C encoder only runs without `indent`; an indented dump of a few hundred
thousand findings takes tens of seconds in the pure-Python encoder. So the outer levels are
laid out by hand (one key or list item per line) and everything deeper is dumped compactly by
the C encoder: one finding per line, sorted keys, same bytes for the same input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

OUTER_LEVELS = 3


# One encoder for every value: json.dumps with options builds a new one per call.
_compact = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any, levels: int = OUTER_LEVELS, indent: str = "") -> str:
    """The text of `value`: its outer `levels` laid out, the rest compact.

    The pieces are collected and joined once: joining per level copied the whole output again
    at every level (hundreds of megabytes on large audits).
    """
    parts: list[str] = []
    _lay_out(value, levels, indent, parts.append)
    return "".join(parts)


def _lay_out(value: Any, levels: int, indent: str, out: Callable[[str], None]) -> None:
    inner = indent + " "
    if levels > 0 and isinstance(value, dict) and value:
        separator = "{\n"
        for key in sorted(value):
            out(f"{separator}{inner}{_compact(key)}: ")
            _lay_out(value[key], levels - 1, inner, out)
            separator = ",\n"
        out("\n" + indent + "}")
    elif levels > 0 and isinstance(value, list) and value:
        separator = "[\n"
        for item in value:
            out(separator + inner)
            _lay_out(item, levels - 1, inner, out)
            separator = ",\n"
        out("\n" + indent + "]")
    else:
        out(_compact(value))
