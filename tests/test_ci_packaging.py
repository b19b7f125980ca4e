"""The GitHub Action and the pre-commit hooks, run locally as GitHub and pre-commit would run them.

The action's `run:` steps are executed in order by bash (GitHub's `bash --noprofile --norc -eo
pipefail`) in a copy of the repository, with the inputs and step outputs substituted the way the
runner substitutes `${{ }}` expressions; its `uses:` steps (setup-python: the test's Python is
used; upload-sarif: needs GitHub) are checked, not run. The install step installs the copy into a
fresh virtual environment whose dependencies come from the project environment (a .pth file, as
in tests/test_install.py; `PIP_NO_BUILD_ISOLATION=0` builds with the project's setuptools, offline).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
# pre-commit's hook keys (https://pre-commit.com/#creating-new-hooks): required, then optional.
HOOK_REQUIRED = {"id", "name", "entry", "language"}
HOOK_OPTIONAL = {
    "files", "exclude", "types", "types_or", "exclude_types", "always_run", "fail_fast", "verbose",
    "pass_filenames", "require_serial", "description", "language_version", "minimum_pre_commit_version",
    "args", "stages",
}  # fmt: skip


def _clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository as actions/checkout leaves it (what the action and the audit read), and a venv."""
    root = tmp_path_factory.mktemp("ci")
    work = root / "work"
    for name in ("auditor", "inventories", "tests/precision"):
        shutil.copytree(REPO / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "action.yml", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, work / name)
    (work / ".git").mkdir()
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    lib = next((venv / "lib").glob("python3*/site-packages"))
    (lib / "project-dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    return work


def _substitute(text: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match[1]
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression.startswith("steps.gate.outputs."):
            return outputs.get(expression.removeprefix("steps.gate.outputs."), "")
        raise AssertionError(f"unexpected expression {expression!r}")

    return EXPRESSION.sub(value, text)


def run_action(work: Path, given: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Every `run:` step in order, as the runner would; the last step's exit status and the outputs. The
    install step runs once per checkout (again, pip would only build and install the same wheel)."""
    assert set(given) <= set(ACTION["inputs"])
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | given
    outputs: dict[str, str] = {}
    output_file = work.parent / "github-output"
    bin_folder = work.parent / "venv" / "bin"
    status = 0
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or (step["name"] == "Install the auditor" and (bin_folder / "auditor").exists()):
            continue
        assert step["shell"] == "bash"
        output_file.write_text("")
        env = _clean_env(
            PATH=f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
            GITHUB_ACTION_PATH=str(work),
            GITHUB_OUTPUT=str(output_file),
            PIP_NO_BUILD_ISOLATION="0",
            **{name: _substitute(str(v), inputs, outputs) for name, v in step.get("env", {}).items()},
        )
        script = _substitute(step["run"], inputs, outputs)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=work, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert "Traceback" not in proc.stderr, proc.stderr
        status = proc.returncode
        if "id" in step:
            outputs.update(line.split("=", 1) for line in output_file.read_text().splitlines())  # type: ignore[arg-type]
        if status != 0:
            break
    return status, outputs


def test_the_action_is_composite_with_the_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert list(ACTION["inputs"]) == [
        "inventory", "policies", "waivers", "config", "fail-on", "formats", "out", "sarif-upload"
    ]  # fmt: skip
    uses = [step["uses"] for step in ACTION["runs"]["steps"] if "uses" in step]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    upload = next(step for step in ACTION["runs"]["steps"] if step.get("uses", "").startswith("github/codeql"))
    assert upload["with"]["sarif_file"] == "${{ inputs.out }}/results.sarif"
    assert "inputs.sarif-upload == 'true'" in upload["if"]
    for step in ACTION["runs"]["steps"]:  # inputs reach scripts only through the environment
        assert EXPRESSION.search(step.get("run", "")) is None, step["name"]


def test_the_action_installs_gates_and_writes_sarif(checkout: Path) -> None:
    status, outputs = run_action(
        checkout,
        {
            "inventory": "inventories/example",
            "waivers": "inventories/example.waivers.yaml",
            "config": "inventories/example.config.yaml",
            "formats": "json,sarif",
        },
    )
    assert status == 1 and outputs == {"exit-code": "1"}  # the example's planted high findings
    installed = subprocess.run(
        [checkout.parent / "venv" / "bin" / "python", "-c", "import auditor; print(auditor.__file__)"],
        capture_output=True, text=True, check=True, env=_clean_env(), cwd=checkout.parent,
    )  # fmt: skip
    assert installed.stdout.startswith(str(checkout.parent / "venv"))  # the copy, installed; not the repository
    sarif = json.loads((checkout / "reports" / "results.sarif").read_text())
    results = json.loads((checkout / "reports" / "results.json").read_text())
    failing = [f for f in results["findings"] if f["status"] == "FAIL"]
    kinds = [(r["kind"], "suppressions" in r) for r in sarif["runs"][0]["results"]]
    assert kinds.count(("fail", False)) == sum(1 for f in failing if not f["waived"]) > 0
    assert kinds.count(("fail", True)) == sum(1 for f in failing if f["waived"]) > 0
    assert sorted(p.name for p in (checkout / "reports").iterdir()) == ["results.json", "results.sarif"]


def test_the_action_passes_with_fail_on_none_and_stops_on_bad_input(checkout: Path) -> None:
    assert run_action(checkout, {"inventory": "inventories/example", "fail-on": "none", "out": "r2"}) == (
        0, {"exit-code": "0"}
    )  # fmt: skip
    assert run_action(checkout, {"inventory": "inventories/missing", "out": "r3"}) == (2, {"exit-code": "2"})
    assert not (checkout / "r3").exists()


def test_pre_commit_hooks_follow_pre_commits_schema() -> None:
    assert [hook["id"] for hook in HOOKS] == ["auditor-validate", "auditor-audit"]
    for hook in HOOKS:
        assert hook.keys() >= HOOK_REQUIRED and hook.keys() - HOOK_REQUIRED <= HOOK_OPTIONAL, hook["id"]
        assert hook["language"] == "python" and hook["entry"].split()[0] == "auditor"
        files = re.compile(hook["files"])
        assert files.search("inventories/example/10-sites.yaml") and files.search("inventory/assets.json")
        assert not files.search("README.md") and not files.search("docs/inventories/x.md")
    audit = HOOKS[1]
    assert audit["pass_filenames"] is False  # references cross files: the whole inventory is audited


@pytest.mark.parametrize(
    ("hook", "files", "status"),
    [
        ("auditor-validate", ["tests/precision/eu-ai-lab.yaml"], 0),
        ("auditor-validate", ["tests/precision/eu-ai-lab.yaml", "inventories/bad.yaml"], 2),
        ("auditor-audit", ["tests/precision/eu-ai-lab.yaml"], 0),
        ("auditor-audit", ["inventories/example"], 1),
    ],
)
def test_pre_commit_hook_entries_on_good_and_bad_inventories(
    checkout: Path, hook: str, files: list[str], status: int
) -> None:
    """As pre-commit runs them: the entry, the hook's args, then the file names unless pass_filenames is false
    (then the paths come from .auditor.yaml, as a repository using the hook would keep them)."""
    (checkout / "inventories" / "bad.yaml").write_text("storage:\n  - id: x\n    site: nowhere\n")
    spec = next(h for h in HOOKS if h["id"] == hook)
    command = [*spec["entry"].split(), *spec.get("args", [])]
    if spec.get("pass_filenames", True):
        command += files
    else:
        (checkout / ".auditor.yaml").write_text(yaml.safe_dump({"paths": files, "out": "hook-reports"}))
    bin_folder = checkout.parent / "venv" / "bin"
    if not (bin_folder / "auditor").exists():
        run_action(checkout, {"inventory": "inventories/example", "fail-on": "none", "out": "r-install"})
    proc = subprocess.run(
        [bin_folder / command[0], *command[1:]], cwd=checkout, capture_output=True, text=True, env=_clean_env()
    )
    (checkout / ".auditor.yaml").unlink(missing_ok=True)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == status, proc.stderr
    if status == 2:
        assert proc.stderr.startswith("inventories/bad.yaml:3:11: $.storage[0].site: ")
