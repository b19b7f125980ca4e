"""The README's terminal excerpt is what `make audit` prints: same arguments, same audit date.

The PDF's pages are not rendered here (WeasyPrint takes most of a minute on the example on a slow
machine); its file is still written and listed. tests/test_pdf_report.py renders and reads the example's.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.report import pdf
from tests.conftest import REPO, invoke


def _make_audit_arguments() -> list[str]:
    """The arguments of `make audit`, read from the Makefile (with its pinned audit date)."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^(\w+)\s*:?=\s*(.+)$", makefile, re.MULTILINE))
    recipe = makefile.split("\naudit:", 1)[1].split(";", 1)[0].replace("\\\n", " ")
    words = shlex.split(recipe.split("$(BIN)/auditor audit", 1)[1])
    return [re.sub(r"\$\((\w+)\)", lambda m: variables[m.group(1)].strip(), word) for word in words]


def _readme_excerpt() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("What `make audit` prints", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def test_the_readme_shows_what_make_audit_prints(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setattr(pdf, "render", lambda *_, **__: b"%PDF-1.7 not rendered by this test")
    arguments = _make_audit_arguments()
    assert arguments[arguments.index("--as-of") + 1] == "2026-11-01"
    out = arguments.index("--out") + 1
    assert arguments[out] == "reports"
    arguments[out] = str(tmp_path / "reports")
    result = invoke(cli, "audit", *arguments)
    assert result.exit_code == 1, result.stderr
    printed = [line.rstrip().replace(str(tmp_path) + "/", "") for line in result.stdout.splitlines()]
    assert printed == _readme_excerpt()
    assert (tmp_path / "reports" / "report.pdf").read_bytes().startswith(b"%PDF-1.7 not rendered")


def test_the_readme_pack_table_counts_the_bundled_rules() -> None:
    """The 'Rule packs and frameworks' table gives each bundled pack's number of rules."""
    from auditor.policy.loader import default_policies_dir, load_policies

    policies = load_policies([default_policies_dir()])
    counted = {pack: sum(1 for item in policies.rules.values() if item.pack == pack) for pack in policies.packs}
    text = (REPO / "README.md").read_text(encoding="utf-8").split("## Rule packs and frameworks", 1)[1]
    table = dict(re.findall(r"^\| `([\w-]+)` \| (\d+) \|", text.split("\n\n", 2)[1], re.MULTILINE))
    assert {pack: int(count) for pack, count in table.items()} == counted
