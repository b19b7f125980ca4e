"""Short, safe echoes of user input in messages, and "did you mean" hints for misspelt names."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches
from typing import Any

MAX_SHOWN = 200


def shown(value: Any) -> str:
    """`repr(value)` cut to MAX_SHOWN characters, so a huge bad value cannot flood the error line."""
    text = repr(value)
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN]}... ({len(text)} characters)"


def did_you_mean(name: Any, choices: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest choice, or '' when none is close."""
    if not isinstance(name, str):
        return ""
    found = get_close_matches(name[:MAX_SHOWN], sorted(choices), n=1, cutoff=0.7)
    return f"; did you mean {found[0]!r}?" if found else ""
