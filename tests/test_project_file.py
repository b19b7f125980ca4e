"""`.auditor.yaml`: found in the working folder or at the git repository's top, overridden by options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE, REPO, invoke

SETTINGS = """\
paths: [inventories/example]
config: inventories/example.config.yaml
waivers: inventories/example.waivers.yaml
formats: [json, sarif, markdown]
out: ci-reports
fail_on: critical
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree with the example and `.auditor.yaml` at its top; the working folder is a subfolder."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(EXAMPLE, tmp_path / "inventories" / "example")
    for name in ("example.config.yaml", "example.waivers.yaml"):
        shutil.copy2(REPO / "inventories" / name, tmp_path / "inventories" / name)
    (tmp_path / ".auditor.yaml").write_text(SETTINGS)
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    return tmp_path


def test_the_file_at_the_repository_top_is_found_and_named(repo: Path, cli: CliRunner) -> None:
    outcome = invoke(cli, "audit", "--as-of", "2026-11-01", "--quiet")
    assert outcome.exit_code == 1  # the example has critical findings
    assert outcome.stderr == (
        f"note: settings from {repo / '.auditor.yaml'} "
        "(options override them; --no-config-discovery ignores the file)\n"
    )
    assert sorted(p.name for p in (repo / "ci-reports").iterdir()) == ["results.json", "results.sarif", "summary.md"]
    results = json.loads((repo / "ci-reports" / "results.json").read_text())
    assert [s["role"] for s in results["settings"]] == ["config", "waivers"]


def test_options_override_the_file(repo: Path, cli: CliRunner) -> None:
    outcome = invoke(cli, "audit", "--as-of", "2026-11-01", "--quiet", "--fail-on", "none", "--format", "json")
    assert outcome.exit_code == 0
    assert [p.name for p in (repo / "ci-reports").iterdir()] == ["results.json"]


def test_the_working_folders_file_comes_first_and_discovery_can_be_off(repo: Path, cli: CliRunner) -> None:
    (repo / "docs" / ".auditor.yaml").write_text("paths: [../inventories/example]\nout: here\nfail_on: none\n")
    outcome = invoke(cli, "audit", "--as-of", "2026-11-01", "--quiet")
    assert outcome.exit_code == 0
    assert outcome.stderr.startswith(f"note: settings from {repo / 'docs' / '.auditor.yaml'} ")
    assert sorted(p.name for p in (repo / "docs" / "here").iterdir()) == ["results.json", "results.sarif"]
    off = invoke(cli, "audit", "--no-config-discovery")
    assert off.exit_code == 2
    assert "give at least one inventory file or folder (or paths: in .auditor.yaml)" in off.stderr
    assert "note:" not in off.stderr


def test_a_bad_file_is_an_input_error_with_line_and_path(repo: Path, cli: CliRunner) -> None:
    (repo / ".auditor.yaml").write_text(SETTINGS.replace("markdown", "pfd").replace("critical", "hihg"))
    outcome = invoke(cli, "audit")
    assert outcome.exit_code == 2
    assert outcome.stderr.splitlines() == [
        f"{repo / '.auditor.yaml'}:6:10: $.fail_on: Input should be 'info', 'low', 'medium', 'high', 'critical' "
        "or 'none' (got 'hihg')",
        "error: 1 input problem; nothing was audited",
    ]
    (repo / ".auditor.yaml").write_text(SETTINGS.replace("markdown", "pfd"))
    outcome = invoke(cli, "audit")
    assert outcome.stderr.splitlines()[0] == (
        f"{repo / '.auditor.yaml'}:4:24: $.formats[2]: unknown format 'pfd'; choose from "
        "json, sarif, junit, markdown, csv, html, pdf, oscal"
    )
