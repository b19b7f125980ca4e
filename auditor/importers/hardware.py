"""Instance types and accelerator names from the sources -> the accelerator catalog's models.

Only names the catalogs know become an `accelerator`; anything else is left undeclared (the
instance type is still recorded, so the catalog rule reports it), never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.catalog import find_accelerator, instances

# Accelerator names as the clouds and the NVIDIA/GKE node labels spell them, most specific first.
_NAMES: tuple[tuple[str, str], ...] = (
    (r"h200", "H200 SXM"),
    (r"h100.*(nvl)", "H100 NVL"),
    (r"h100.*pcie", "H100 PCIe"),
    (r"h100", "H100 SXM"),
    (r"a100.*80.*pcie|a100.*pcie.*80", "A100 80GB PCIe"),
    (r"a100.*pcie", "A100 40GB PCIe"),
    (r"a100.*80", "A100 80GB SXM"),
    (r"a100", "A100 40GB SXM"),
    (r"l40s", "L40S"),
    (r"(^|[^a-z0-9])l4($|[^0-9])", "L4"),
    (r"(^|[^a-z0-9])t4($|[^0-9])", "T4"),
    (r"(^|[^a-z0-9])a10($|[^0-9g])", "A10"),
    (r"gb200", "GB200"),
    (r"b200", "B200"),
    (r"tpu.*v6e|v6e", "TPU v6e"),
    (r"tpu.*v5p|v5p", "TPU v5p"),
    (r"tpu.*v5.?lite|v5e|v5litepod", "TPU v5e"),
    (r"tpu.*v4|^v4", "TPU v4"),
    (r"mi325x", "MI325X"),
    (r"mi300x", "MI300X"),
    (r"mi250x", "MI250X"),
)
_COMPILED = tuple((re.compile(pattern), model) for pattern, model in _NAMES)


def accelerator_model(name: str) -> str | None:
    """The catalog model a source's accelerator name stands for, or None if none is certain."""
    text = name.lower().replace("_", "-")
    for pattern, model in _COMPILED:
        if pattern.search(text) and find_accelerator(model) is not None:
            return model
    return None


def from_instance_type(instance_type: str | None) -> dict[str, Any]:
    """`instance_type` and, when the instance catalog knows it, its accelerator."""
    if not instance_type:
        return {}
    out: dict[str, Any] = {"instance_type": instance_type}
    entry = instances().get(instance_type)
    if entry is not None and entry.get("gpu_model"):
        out["accelerator"] = {"model": entry["gpu_model"], "count": entry["gpu_count"]}
    return out


def from_accelerator(name: str | None, count: Any) -> dict[str, Any]:
    """An `accelerator` from a source's name and count, when the catalog knows the name."""
    model = accelerator_model(name) if isinstance(name, str) else None
    if model is None or not isinstance(count, int) or isinstance(count, bool) or count < 1:
        return {}
    return {"accelerator": {"model": model, "count": count}}
