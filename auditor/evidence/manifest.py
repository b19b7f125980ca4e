"""The input manifest of a results.json (path, SHA-256 per file) checked against files on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def manifest_problems(results: dict[str, Any], files: list[Path]) -> list[str]:
    """One message per given file that is not in the manifest or whose bytes differ from it."""
    recorded = {entry["path"]: entry for entry in [*results.get("inputs", []), *results.get("settings", [])]}
    problems = []
    for path in files:
        entry = recorded.get(path.as_posix())
        if entry is None:
            known = ", ".join(sorted(recorded)) or "none"
            problems.append(f"{path}: not in the results' input manifest (it lists: {known})")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry["sha256"]:
            problems.append(
                f"{path}: SHA-256 {digest} differs from the manifest's {entry['sha256']}: the input changed"
            )
    return problems
