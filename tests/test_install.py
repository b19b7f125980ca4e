"""The built wheel is the product: installed outside the repository, it audits with its bundled rules.

The wheel is built with `pip wheel --no-deps --no-build-isolation` from a copy of the sources (the
dev extra holds the build backend, so no index is needed; an isolated build would install
setuptools on every run) and installed with `--no-deps` into a fresh virtual environment under the
test's tmp folder. Its dependencies (pydantic, typer, ...) are not installed again: a .pth file in
the new environment appends the project environment's site-packages to sys.path. That keeps the
test at about 4 seconds and offline, and it is sound for what the test checks: the new
environment's own site-packages comes first on sys.path, so `auditor` and its metadata are
imported from the installed wheel (asserted below), never from the repository, and the audit runs
from a working folder outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from auditor import __version__
from tests.conftest import REPO

INVENTORY = {
    "sites": [{"id": "fra", "country": "DE", "owner": "infra"}],
    "storage": [{"id": "bucket", "site": "fra", "type": "object", "owner": "data", "public_access": True}],
}
# Everything an installed auditor reads at run time besides its code.
DATA = (
    "auditor/policies/**/*.yaml",
    "auditor/catalog/*.yaml",
    "auditor/schemas/*.json",
    "auditor/report/templates/**/*",
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding only the built wheel; returns its bin folder."""
    root = tmp_path_factory.mktemp("install")
    wheels, source = root / "wheels", root / "source"
    # Built from a copy: no build/ debris in the repository, and no stale build/lib files in the wheel.
    shutil.copytree(REPO / "auditor", source / "auditor", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    assert run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", wheels, source], root).returncode == 0
    venv = root / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", venv], root).returncode == 0
    wheel = next(wheels.glob("ai_infra_auditor-*.whl"))
    assert run([*pip, "--python", venv / "bin" / "python", "install", "--no-deps", wheel], root).returncode == 0
    (purelib(venv) / "project-dependencies.pth").write_text(site.getsitepackages()[0] + "\n")
    return venv / "bin"


def run(command: list[object], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run outside the repository, with no trace of the project environment but the .pth file."""
    clean = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, env={**clean, **(env or {})}, check=False
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def purelib(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def test_wheel_holds_every_rule_pack_framework_and_catalog_file(installed: Path) -> None:
    wheel = next((installed.parents[1] / "wheels").glob("*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(REPO).as_posix() for pattern in DATA for p in REPO.glob(pattern) if p.is_file()}
    assert len([name for name in expected if name.endswith("/pack.yaml")]) >= 5
    assert expected - shipped == set()


def test_installed_auditor_audits_with_its_bundled_rules(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "inventory.yaml").write_text(yaml.safe_dump(INVENTORY))
    audit = [installed / "auditor", "audit", "inventory.yaml", "--out", "out", "--as-of", "2026-11-01"]
    proc = run([*audit, "--format", "json,sarif,markdown"], tmp_path)
    assert proc.returncode == 1, proc.stderr  # a public bucket fails a high-severity rule
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {pack["name"] for pack in results["packs"]} >= {"gdpr", "ccpa", "security", "ai-infra", "eu-ai-act"}
    assert "SEC-PUBLIC-DATASTORE" in {rule["id"] for rule in results["rules"]}
    failed = {(f["rule_id"], f["asset_id"]) for f in results["findings"] if f["status"] == "FAIL"}
    assert ("SEC-PUBLIC-DATASTORE", "bucket") in failed
    where = run([installed / "python", "-c", "import auditor; print(auditor.__file__)"], tmp_path).stdout
    assert Path(where.strip()).is_relative_to(purelib(installed.parent))


def test_installed_version_and_shell_completion(installed: Path, tmp_path: Path) -> None:
    assert run([installed / "auditor", "--version"], tmp_path).stdout == f"ai-infra-auditor {__version__}\n"
    # The shell named, not detected from the process tree (shellingham finds none under some pytest workers).
    by_name = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    shown = run([installed / "auditor", "--show-completion", "bash"], tmp_path, by_name)
    assert "_AUDITOR_COMPLETE=complete_bash" in shown.stdout, (shown.returncode, shown.stderr)
    env = {"_AUDITOR_COMPLETE": "complete_bash", "COMP_WORDS": "auditor au", "COMP_CWORD": "1"}
    assert run([installed / "auditor"], tmp_path, env).stdout.split() == ["audit"]
