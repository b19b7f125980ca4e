"""The rules' generated code is kept compiled per source: a hit runs what a compile would, a bad entry misses."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import CodeType

import pytest
from typer.testing import CliRunner

from auditor.engine import AuditRequest, run_audit
from auditor.policy import code_cache
from auditor.policy.code_cache import CodeCache
from auditor.policy.evaluate import Evaluator
from auditor.policy.loader import default_policies_dir
from auditor.report import ReportOptions, renderer
from tests.conftest import AS_OF, EXAMPLE, invoke

SOURCE = "def answer(x):\n    return x * 2 + 1\n"


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("rules-*.code"))


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing compiled yet in this process."""
    monkeypatch.setattr(code_cache, "_COMPILED", {})


def run(code: CodeType) -> int:
    names: dict[str, object] = {}
    exec(code, names)
    return names["answer"](20)  # type: ignore[operator, no-any-return]


def forbid_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("compiled, not read from the entry")

    monkeypatch.setattr(code_cache, "compile", refuse, raising=False)


def test_a_kept_entry_is_read_back_without_compiling(
    tmp_path: Path, new_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(CodeCache(tmp_path).code(SOURCE)) == 41
    [entry] = entries(tmp_path)
    monkeypatch.setattr(code_cache, "_COMPILED", {})
    forbid_compiling(monkeypatch)
    assert run(CodeCache(tmp_path).code(SOURCE)) == 41
    assert entries(tmp_path) == [entry]


def test_each_source_has_its_own_entry(tmp_path: Path, new_process: None) -> None:
    cache = CodeCache(tmp_path)
    cache.code(SOURCE)
    assert run(cache.code(SOURCE.replace("+ 1", "+ 2"))) == 42
    assert len(entries(tmp_path)) == 2


@pytest.mark.parametrize(
    "spoil",
    [
        lambda data: data[: len(data) // 2],  # torn
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # a flipped bit in the code
        lambda data: bytes([data[0] ^ 1]) + data[1:],  # another Python's bytecode magic
        lambda data: b"",
    ],
    ids=["torn", "flipped", "other-python", "empty"],
)
def test_a_corrupt_or_foreign_entry_is_a_miss_and_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: object
) -> None:
    monkeypatch.setattr(code_cache, "_COMPILED", {})
    CodeCache(tmp_path).code(SOURCE)
    [entry] = entries(tmp_path)
    original = entry.read_bytes()
    entry.write_bytes(spoil(original))  # type: ignore[operator]
    monkeypatch.setattr(code_cache, "_COMPILED", {})
    assert run(CodeCache(tmp_path).code(SOURCE)) == 41
    assert entry.read_bytes() == original


def test_without_a_folder_nothing_is_kept(tmp_path: Path, new_process: None) -> None:
    assert run(CodeCache(None).code(SOURCE)) == 41
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_no_error(tmp_path: Path, new_process: None) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert run(CodeCache(blocked / "cache").code(SOURCE)) == 41


def results_json(inventory: Path, cache: Path | None) -> bytes:
    request = AuditRequest([inventory], [default_policies_dir()], AS_OF, root=inventory.parent, cache_dir=cache)
    return renderer("json")(run_audit(request), ReportOptions())


def test_an_audit_from_kept_code_reports_the_same_bytes(
    tmp_path: Path, new_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Evaluator, "fast_from", 0)  # the example is small: generate its rules' code anyway
    inventory = tmp_path / "example"
    shutil.copytree(EXAMPLE, inventory)
    fresh = results_json(inventory, None)
    monkeypatch.setattr(code_cache, "_COMPILED", {})
    cache = tmp_path / "cache"
    assert results_json(inventory, cache) == fresh
    kept = entries(cache)
    assert kept  # the verdicts' module and the judgements the example needed
    monkeypatch.setattr(code_cache, "_COMPILED", {})
    forbid_compiling(monkeypatch)
    assert results_json(inventory, cache) == fresh
    assert entries(cache) == kept


def test_the_cli_keeps_no_code_with_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: CliRunner, new_process: None
) -> None:
    monkeypatch.setattr(Evaluator, "fast_from", 0)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "ai-infra-auditor" / "parsed"
    command = ["audit", str(EXAMPLE), "--out", str(tmp_path / "out"), "--fail-on", "none", "--as-of", str(AS_OF)]
    assert invoke(cli, *command, "--no-cache").exit_code == 0
    assert not folder.exists()
    monkeypatch.setattr(code_cache, "_COMPILED", {})
    assert invoke(cli, *command).exit_code == 0
    assert entries(folder)
