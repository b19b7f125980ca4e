"""Help in words: -h everywhere, readable metavars, a sentence per option, --version from metadata."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor import __version__
from auditor.cli import app

COMMANDS = [
    [],
    ["validate"],
    ["audit"],
    ["rules"],
    ["rules", "list"],
    ["rules", "show"],
    ["frameworks"],
    ["frameworks", "list"],
    ["frameworks", "coverage"],
    ["schema"],
    ["history"],
    ["diff"],
    ["sign"],
    ["verify"],
]


def help_text(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def narrow_help(*args: str) -> str:
    """Help as a 60-column terminal shows it (the test runner would force 80 columns)."""
    script = Path(sys.executable).parent / "auditor"
    env = {**os.environ, "COLUMNS": "60"}
    proc = subprocess.run([script, *args], capture_output=True, text=True, env=env, check=True)
    return proc.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "auditor")
def test_short_and_long_help_are_the_same(command: list[str]) -> None:
    assert help_text(*command, "-h") == help_text(*command, "--help")


def test_audit_help_names_every_value_in_words_on_a_narrow_terminal() -> None:
    text = narrow_help("audit", "-h")
    assert max(len(line) for line in text.splitlines()) <= 60
    assert re.search(r"<[^>]*>", text) is None  # no type tags such as <list[Path]> or <str>
    assert "Usage: auditor audit [OPTIONS] [PATH]..." in text
    assert "  PATH  Inventory files or folders [default: the paths of\n        .auditor.yaml]." in text
    options = re.findall(r"^  (-[-\w, /]+?)(?: ([A-Z]+))?(?:  +(\S.*))?$", text, re.MULTILINE)
    metavars = {names.split(", ")[-1]: metavar for names, metavar, _ in options}
    assert metavars == {
        "--policies": "DIR",
        "--no-bundled-policies": "",
        "--waivers": "FILE",
        "--baseline": "FILE",
        "--config": "FILE",
        "--responses": "FILE",
        "--as-of": "DATE",
        "--format": "FORMATS",
        "--out": "DIR",
        "--fail-on": "SEVERITY",
        "--quiet": "",
        "--no-cache": "",
        "--summary / --no-summary": "",
        "--root": "DIR",
        "--allow-empty": "",
        "--sarif-include-undecided": "",
        "--sarif-max-results": "N",
        "--csv-bom": "",
        "--docs-url": "URL",
        "--record": "",
        "--no-config-discovery": "",
        "--history": "FILE",
        "--waiver-max-days": "DAYS",
        "--waiver-warning-days": "DAYS",
        "--help": "",
    }
    assert all(sentence for _, _, sentence in options)  # every option says what it does


def test_version_comes_from_the_package_metadata() -> None:
    assert help_text("--version") == f"ai-infra-auditor {version('ai-infra-auditor')}\n"
    assert version("ai-infra-auditor") == __version__
