"""How a fact type's fields are declared: each carries a one-line description.

Fact types are slotted dataclasses (cheap attribute reads on large inventories).

Rules read facts by dotted path (`facts.transfer.basis`); the rule loader checks every such path
against these types, and docs/facts.md is generated from the descriptions. Facts are built once
per audit by the analyses and only read afterwards.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def described(doc: str, default: Any = None, *, factory: Any = None) -> Any:
    """A fact field with its description (None means unknown unless the description says otherwise)."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"doc": doc})
    return dataclasses.field(default=default, metadata={"doc": doc})
