"""How a fact type is declared: a slotted dataclass whose fields carry a one-line description.

Rules read facts by dotted path (`facts.transfer.basis`); the rule loader checks every such path
against these types, and docs/facts.md is generated from the descriptions. Facts are built once
per audit by the analyses and only read afterwards.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def fact_type(cls: type[T]) -> type[T]:
    """Declare a fact type (slotted for cheap attribute reads on large inventories)."""
    return dataclasses.dataclass(slots=True)(cls)


def described(doc: str, default: Any = None, *, factory: Any = None) -> Any:
    """A fact field with its description (None means unknown unless the description says otherwise)."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"doc": doc})
    return dataclasses.field(default=default, metadata={"doc": doc})
