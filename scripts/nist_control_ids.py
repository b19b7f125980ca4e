"""Extract the control ids (with NIST's printed labels) from OSCAL catalogs of NIST SP 800-53 rev. 5.

Writes tests/data/nist-800-53r5-control-ids.txt, which tests/test_frameworks.py checks the framework
mapping against. Usage: python scripts/nist_control_ids.py COMMIT CATALOG.json... (files of
usnistgov/oscal-content at COMMIT, paths relative to the repository root).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "nist-800-53r5-control-ids.txt"


def controls(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(id, label) of every control and enhancement under `node` (a catalog, group or control)."""
    for group in node.get("groups", []):
        yield from controls(group)
    for control in node.get("controls", []):
        label = next(p["value"] for p in control.get("props", []) if p["name"] == "label" and "class" not in p)
        yield control["id"], label
        yield from controls(control)


def main(commit: str, paths: list[str]) -> None:
    header = [
        "# Control ids (OSCAL catalog form) and labels (as NIST prints them) of NIST SP 800-53 rev. 5,",
        "# extracted by scripts/nist_control_ids.py from usnistgov/oscal-content at commit " + commit + ":",
    ]
    found: dict[str, str] = {}
    for path in paths:
        raw = Path(path).read_bytes()
        header.append(f"#   {path} sha256 {hashlib.sha256(raw).hexdigest()}")
        for control_id, label in controls(json.loads(raw)["catalog"]):
            found[control_id] = label
    lines = [*header, *(f"{control_id} {found[control_id]}" for control_id in sorted(found))]
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
