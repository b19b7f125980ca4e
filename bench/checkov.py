"""Checkov against auditor on the same 10,000-resource Terraform plan: `python -m bench.checkov` (not a test).

Checkov is never a dependency of the project: it is installed (pinned) into its own virtual environment,
bench/.checkov-venv, on first use. The plan is bench/import_terraform.py's (TerraGoat's resources repeated
182 times). Both sides run once, in the same run of this script, as whole processes: Checkov scanning the
plan (`--framework terraform_plan`), and auditor importing it and auditing what it imported with every
bundled pack (`--format json,sarif`). The ratios are per Terraform resource and per check result.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.import_terraform import plan_of
from bench.run import AS_OF, OUT, measured

CHECKOV = "checkov==3.3.30"
VENV = Path(__file__).parent / ".checkov-venv"


def checkov_binary() -> Path:
    binary = VENV / "bin" / "checkov"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", CHECKOV], check=True)
    return binary


def main() -> None:
    OUT.mkdir(exist_ok=True)
    plan = plan_of(182)
    path = OUT / "large-plan.json"
    path.write_text(json.dumps(plan, indent=2), encoding="utf-8")
    resources = len(plan["planned_values"]["root_module"]["resources"])
    report = OUT / "checkov.json"
    checkov_command = [str(checkov_binary()), "-f", str(path), "--framework", "terraform_plan", "-o", "json"]
    checkov_command += ["--quiet", "--compact"]
    scan = OUT / "checkov-results.json"
    theirs = measured(checkov_command, ok=(0, 1), stdout=scan)  # 1: some check failed
    summary = json.loads(scan.read_text(encoding="utf-8"))["summary"]
    their_results = summary["passed"] + summary["failed"]
    imported = OUT / "imported"
    cli = [sys.executable, "-m", "auditor.cli"]
    ours_import = measured([*cli, "import", "terraform", str(path), "-o", str(imported)])
    audit = [*cli, "audit", str(imported), "--out", str(OUT / "reports"), "--format", "json,sarif"]
    ours_audit = measured([*audit, "--fail-on", "none", "--as-of", AS_OF, "--no-cache"])
    results = json.loads((OUT / "reports" / "results.json").read_text(encoding="utf-8"))["summary"]
    our_results = sum(results["results"].values())
    ours = {key: ours_import[key] + ours_audit[key] for key in ("wall", "cpu")}
    figures = {
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
    report.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
