"""Checkov against auditor on the same 10,000-resource Terraform plan: `python -m bench.checkov` (not a test).

Checkov is never a dependency of the project: it is installed (pinned) into its own virtual environment,
bench/.checkov-venv, on first use. The plan is bench/import_terraform.py's (TerraGoat's resources repeated
182 times). Both sides run once, in the same run, as whole processes: Checkov scanning the plan
(`--framework terraform_plan`), and auditor importing it and auditing what it imported with every
bundled pack (`--format json,sarif`). The ratios are per Terraform resource and per check result.
`python -m bench.run` runs this as its `checkov` case.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.import_terraform import plan_of
from bench.measure import Measure, measured

CHECKOV = "checkov==3.3.30"
VENV = Path(__file__).parent / ".checkov-venv"
COPIES = 182  # of TerraGoat's 55 resources: 10,010
OUT = Path(__file__).parent / "out"


def checkov_binary(venv: Path = VENV) -> Path:
    binary = venv / "bin" / "checkov"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", CHECKOV], check=True)
    return binary


def compare(binary: Path, copies: int, out: Path, measure: Measure, cli: list[str], as_of: str) -> dict[str, object]:
    """Checkov's scan and auditor's import + audit of a plan of `copies` TerraGoats, and the ratios."""
    plan = plan_of(copies)
    path = out / "large-plan.json"
    path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
    resources = len(plan["planned_values"]["root_module"]["resources"])
    checkov_command = [str(binary), "-f", str(path), "--framework", "terraform_plan", "-o", "json"]
    scan = out / "checkov-results.json"
    theirs = measure([*checkov_command, "--quiet", "--compact"], ok=(0, 1), stdout=scan)  # 1: some check failed
    summary = json.loads(scan.read_text(encoding="utf-8"))["summary"]
    their_results = summary["passed"] + summary["failed"]
    imported = out / "imported"
    ours_import = measure([*cli, "import", "terraform", str(path), "-o", str(imported)])
    audit = [*cli, "audit", str(imported), "--out", str(out / "reports"), "--format", "json,sarif"]
    ours_audit = measure([*audit, "--fail-on", "none", "--as-of", as_of, "--no-cache"])
    results = json.loads((out / "reports" / "results.json").read_text(encoding="utf-8"))["summary"]
    our_results = sum(results["results"].values())
    ours = {key: ours_import[key] + ours_audit[key] for key in ("wall", "cpu")}
    return {
        "resources": resources,
        "checkov": {**theirs, "results": their_results, "resources_scanned": summary["resource_count"]},
        "auditor import": ours_import,
        "auditor audit": {**ours_audit, "assets": results["assets"], "results": our_results},
        "cpu per resource, checkov / auditor (import + audit)": round(theirs["cpu"] / ours["cpu"], 1),
        "wall per resource, checkov / auditor (import + audit)": round(theirs["wall"] / ours["wall"], 1),
        "cpu per result, checkov / auditor audit": round(
            (theirs["cpu"] / their_results) / (ours_audit["cpu"] / our_results), 1
        ),
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    figures = compare(checkov_binary(), COPIES, OUT, measured, [sys.executable, "-m", "auditor.cli"], "2026-11-01")
    (OUT / "checkov.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
