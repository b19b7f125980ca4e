"""Work handed to a forked child gives the result the parent would compute, whatever goes wrong in the
child (auditor/forked.py), and the facts derived with a child are the recorded ones."""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor import forked
from auditor.graph import facts
from tests.test_fact_digests import RECORDED, case_digest


@pytest.fixture
def spare(monkeypatch: pytest.MonkeyPatch) -> None:
    """One CPU spare, whatever the machine has."""
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)


PARENT = os.getpid()


def where() -> str:
    return "parent" if os.getpid() == PARENT else "child"


def test_the_work_is_done_by_a_child(spare: None) -> None:
    answer = forked.meanwhile(lambda: (where(), list(range(5))))
    assert answer() == ("child", [0, 1, 2, 3, 4])
    assert not forked._LIVE


def test_work_not_worth_a_child_or_without_a_spare_cpu_is_done_by_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    def never_forks() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", never_forks)
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)
    assert forked.meanwhile(where, worth_it=False) is where
    monkeypatch.setattr(forked, "spare_cpus", lambda: 0)
    assert forked.meanwhile(where) is where


def test_a_refused_fork_leaves_the_work_to_the_caller(spare: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    assert forked.meanwhile(where)() == "parent"


def fails_in_the_child() -> str:
    if where() == "child":
        raise RuntimeError("a bug in the child")
    return "parent"


def refuse() -> None:
    raise pickle.UnpicklingError("cannot be read back")


class Unreadable:
    """Pickled whole by the child, but unpickling it fails in the parent."""

    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        return refuse, ()


@pytest.mark.parametrize(
    "work",
    [
        fails_in_the_child,  # exits 1
        lambda: (lambda: None) if where() == "child" else "parent",  # cannot be pickled: exits 1
        lambda: Unreadable() if where() == "child" else "parent",  # exits 0, its answer cannot be read
        lambda: os._exit(0) if where() == "child" else "parent",  # exits 0 with no answer
    ],
    ids=["raises", "unpicklable", "unreadable", "silent"],
)
def test_a_failed_child_leaves_the_work_to_the_caller(work: Callable[[], Any], spare: None) -> None:
    result = forked.meanwhile(work)()
    assert result == work() != "child"
    assert not forked._LIVE


def test_the_caller_may_name_what_a_failed_or_unstarted_child_gives_instead(
    spare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def nothing() -> str:
        return "nothing ahead"

    assert forked.meanwhile(fails_in_the_child, otherwise=nothing)() == "nothing ahead"
    assert forked.meanwhile(where, worth_it=False, otherwise=nothing) is nothing
    assert forked.meanwhile(where, otherwise=nothing)() == "child"
    monkeypatch.setattr(forked, "start_child", lambda *_: None)
    assert forked.meanwhile(where, otherwise=nothing) is nothing


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="no os.waitid (macOS)")
def test_an_exited_child_does_not_hold_its_cpu_and_its_answer_waits(spare: None) -> None:
    answer = forked.meanwhile(lambda: "done early")
    pid = next(iter(forked._LIVE))
    deadline = time.monotonic() + 10
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:  # not exited yet
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert forked.running_children() == 0 and forked.may_fork()
    assert answer() == "done early"


def test_an_unread_child_is_killed_and_reaped(spare: None) -> None:
    answer = forked.meanwhile(lambda: time.sleep(60))
    pid = next(iter(forked._LIVE))
    assert forked.running_children() == 1 and not forked.may_fork()
    del answer  # its handle collected: the child is killed
    assert not forked._LIVE
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left


@pytest.mark.parametrize("case", ["declared-2000", "sparse-2000", "example"])
def test_facts_derived_with_a_child_are_the_recorded_ones(
    case: str, tmp_path: Path, spare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    children: list[object] = []
    meanwhile = forked.meanwhile

    def recorded(work: Callable[[], Any], worth_it: bool = True, otherwise: Any = None) -> Callable[[], Any]:
        answer = meanwhile(work, worth_it, otherwise)
        children.append(answer)
        assert answer is not work, "a child was started"
        return answer

    monkeypatch.setattr(facts, "MIN_ASSETS_FORKED", 0)
    monkeypatch.setattr(forked, "meanwhile", recorded)
    assert case_digest(case, tmp_path) == RECORDED[case]
    assert children


def test_without_waitid_every_unread_child_counts(spare: None, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = forked.meanwhile(lambda: "done")
    monkeypatch.delattr(os, "waitid", raising=False)
    assert forked.running_children() == 1 and not forked.may_fork()
    assert answer() == "done"
    assert forked.running_children() == 0 and forked.may_fork()
