"""A large JSON file's asset locations found by a forked child equal the serial scan's, and any failure of
the child falls back to that scan (auditor/inventory/extents_child.py)."""

from __future__ import annotations

import gc
import os
from dataclasses import FrozenInstanceError, astuple, fields
from pathlib import Path
from typing import Any

import pytest

from auditor import forked
from auditor.errors import SourceLocation, many_locations
from auditor.inventory import extents_child, source
from auditor.inventory.extents_child import ExtentsChild
from tests.conftest import load_outcome
from tests.test_json_structs import CASES as STRUCTS_CASES

CHILD_ANSWER = extents_child._child_answer

CASES = {
    **STRUCTS_CASES,
    "escaped id": '{"storage": [{"id": "s\\u0031", "name": "x"},\n  {"id": "t"}]}',
    "nested ids before the asset's": (
        '{"organization": {"id": "org", "name": "O", "controls": [{"id": "m01", "kind": "x"}]},\n'
        ' "datasets": [{"id": "m01", "categories": []}],\n "storage": [{"id": "s"}]}'
    ),
    "dangling reference": '{"storage": [{"id": "s", "site": "nowhere"}]}',
    "several sections, several lines": (
        '{"sites": [\n  {"id": "eu", "country": "DE"}\n],\n"storage": [\n  {"id": "s1", "site": "eu"},\n'
        '  {"id": "s2",\n   "site": "eu"}\n]}'
    ),
}


def outcome(path: Path) -> Any:
    """Every asset's location with its extent, or the error text."""
    loaded = load_outcome(path)
    return loaded if isinstance(loaded, str) else loaded[1]


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every file gets a child, whatever its size and the CPUs free; the children started are listed."""
    started: list[int] = []
    start = extents_child.start

    def recorded(raw: bytes) -> ExtentsChild | None:
        child = start(raw)
        if child is not None:
            started.append(child.pid)
        return child

    monkeypatch.setattr(extents_child, "MIN_BYTES", 0)
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)
    monkeypatch.setattr(extents_child, "start", recorded)
    return started


def serial(path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(extents_child, "start", lambda raw: None)
        return outcome(path)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_childs_locations_are_the_serial_scans(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    path = tmp_path / "inv.json"
    path.write_text(CASES[name], encoding="utf-8")
    with_child = outcome(path)
    assert forks, "a child was started"
    assert with_child == serial(path, monkeypatch)
    gc.collect()
    assert not forked._LIVE  # each child was read, or reaped with its document


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])  # -sig: a byte-order mark first
def test_a_located_example(encoding: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:
    def no_serial_scan(*args: Any) -> None:
        raise AssertionError("the parent scanned the text")

    monkeypatch.setattr(source, "_json_id_extents", no_serial_scan)
    path = tmp_path / "inv.json"
    path.write_text(CASES["several sections, several lines"], encoding=encoding)
    assert outcome(path) == {
        "eu": ("inv.json:2:4", 2, 32),
        "s1": ("inv.json:5:4", 5, 29),
        "s2": ("inv.json:6:4", 7, 17),
    }
    assert len(forks) == 1


def failing(*args: Any) -> bytes:
    raise RuntimeError("the child fails")


@pytest.mark.parametrize(
    "answer",
    [
        failing,  # the child exits non-zero
        lambda raw, fd: CHILD_ANSWER(raw, fd)[:-3],  # cut inside an int
        lambda raw, fd: CHILD_ANSWER(raw, fd)[:-16],  # one asset short
        lambda raw, fd: b"[[",  # no header's end
        lambda raw, fd: b'[["storage", 1]]\n',  # counts more than sent
    ],
    ids=["crash", "cut", "short", "no header", "counts too many"],
)
def test_a_failed_or_malformed_answer_falls_back_to_the_serial_scan(
    answer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    path = tmp_path / "inv.json"
    path.write_text(CASES["several sections, several lines"], encoding="utf-8")
    expected = serial(path, monkeypatch)
    monkeypatch.setattr(extents_child, "_child_answer", answer)  # the child is forked with it
    assert outcome(path) == expected
    assert len(forks) == 1


def test_a_refused_fork_reads_serially(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "inv.json"
    path.write_text(CASES["clean"], encoding="utf-8")
    expected = serial(path, monkeypatch)
    monkeypatch.setattr(extents_child, "MIN_BYTES", 0)
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)

    def refused() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    assert extents_child.start(b"{}") is None
    assert outcome(path) == expected


def never_forks() -> int:
    raise AssertionError("forked")


def test_small_files_and_busy_cpus_never_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fork", never_forks)
    assert extents_child.start(b" " * (extents_child.MIN_BYTES - 1)) is None
    monkeypatch.setattr(forked, "spare_cpus", lambda: 0)
    assert extents_child.start(b" " * extents_child.MIN_BYTES) is None


def test_no_more_children_than_spare_cpus_and_an_unread_one_is_reaped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extents_child, "MIN_BYTES", 0)
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)
    first = extents_child.start(b'{"storage": [{"id": "s"}]}')
    assert first is not None
    monkeypatch.setattr(os, "fork", never_forks)
    assert extents_child.start(b'{"storage": [{"id": "t"}]}') is None
    pid = first.pid
    first.close()
    assert not forked._LIVE
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left


def test_the_answer_gives_four_ints_per_asset_in_file_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extents_child, "MIN_BYTES", 0)
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)
    raw = b'{"version": 1, "storage": [{"id": "b"},\n{"id": "a", "x": "}"}], "organization": {"id": "o"}}'
    child = extents_child.start(raw)
    assert child is not None
    child.tell(False)  # a brace inside a string: strings are skipped
    assert child.answer() == {"storage": [1, 29, 1, 39, 2, 2, 2, 22], "organization": [2, 42, 2, 52]}
    assert child.answer() is None  # asked once
    child.tell(True)  # no effect once answered: its pipe is closed and the number may be reused


def test_locations_made_column_by_column_are_the_constructors() -> None:
    made = many_locations("inv.json", [2, 5], [4, 1], [2, None], [32, None])
    assert [astuple(at) for at in made] == [
        astuple(SourceLocation("inv.json", 2, 4, 2, 32)),
        astuple(SourceLocation("inv.json", 5, 1, None, None)),
    ]
    assert [str(at) for at in made] == ["inv.json:2:4", "inv.json:5:1"]
    assert hash(made[0]) == hash(SourceLocation("inv.json", 2, 4))
    with pytest.raises(FrozenInstanceError):
        made[0].line = 3  # type: ignore[misc]
    assert [field.name for field in fields(SourceLocation)] == ["file", "line", "column", "end_line", "end_column"]
