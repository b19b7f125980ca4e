"""Stable JSON text that stays fast for large results and readable for small ones.

The standard library's C encoder only runs without `indent`; an indented dump of a few hundred
thousand findings takes tens of seconds in the pure-Python encoder. So the outer levels are
laid out by hand (one key or list item per line) and everything deeper is dumped compactly by
the C encoder: one finding per line, sorted keys, same bytes for the same input.
"""

from __future__ import annotations

import json
from typing import Any

OUTER_LEVELS = 3


# One encoder for every value: json.dumps with options builds a new one per call.
_compact = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any, levels: int = OUTER_LEVELS, indent: str = "") -> str:
    inner = indent + " "
    if levels > 0 and isinstance(value, dict) and value:
        items = [f"{inner}{_compact(key)}: {dumps(value[key], levels - 1, inner)}" for key in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if levels > 0 and isinstance(value, list) and value:
        items = [f"{inner}{dumps(item, levels - 1, inner)}" for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return _compact(value)
