"""Time `auditor import terraform` on a plan of about 10,000 resources (python -m bench.import_terraform).

The plan repeats the resources of the public TerraGoat plan (tests/data/terraform) under new
addresses, with the configuration references renamed alike, so links and lookups scale as in a
real plan. Not a test: `make test` never runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).parent.parent / "tests" / "data" / "terraform" / "terragoat-aws-plan.json"
OUT = Path(__file__).parent / "out"


def _renamed(node: Any, copy: int) -> Any:
    """Every resource address `type.name` becomes `type.name_<copy>` (also inside references)."""
    if isinstance(node, dict):
        out = {key: _renamed(value, copy) for key, value in node.items()}
        if isinstance(out.get("name"), str) and "type" in out and "address" in out:
            out["name"] = f"{out['name']}_{copy}"
        return out
    if isinstance(node, list):
        return [_renamed(item, copy) for item in node]
    if isinstance(node, str) and node.startswith("aws_") and "." in node:
        head, _, tail = node.partition(".")
        name, dot, rest = tail.partition(".")
        index = name.find("[")
        name, suffix = (name, "") if index < 0 else (name[:index], name[index:])
        return f"{head}.{name}_{copy}{suffix}{dot}{rest}"
    return node


def plan_of(copies: int) -> dict[str, Any]:
    plan = json.loads(SOURCE.read_text(encoding="utf-8"))
    resources = plan["planned_values"]["root_module"]["resources"]
    changes, config = plan["resource_changes"], plan["configuration"]["root_module"]["resources"]
    plan["planned_values"]["root_module"]["resources"] = [_renamed(r, c) for c in range(copies) for r in resources]
    plan["resource_changes"] = [_renamed(r, c) for c in range(copies) for r in changes]
    plan["configuration"]["root_module"]["resources"] = [_renamed(r, c) for c in range(copies) for r in config]
    return plan


def main() -> None:
    OUT.mkdir(exist_ok=True)
    plan = plan_of(int(sys.argv[1]) if len(sys.argv) > 1 else 182)
    path = OUT / "large-plan.json"
    path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
    count = len(plan["planned_values"]["root_module"]["resources"])
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        command = [sys.executable, "-m", "auditor.cli", "import", "terraform", str(path), "-o", str(OUT / "import")]
        subprocess.run(command, check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    size = path.stat().st_size / 1e6
    print(f"{count} resources ({size:.1f} MB): whole process {sorted(runs)[1]:.2f} s (median of 3)")


if __name__ == "__main__":
    main()
