"""Work done by a forked child on a spare CPU while the parent goes on, its result read back once.

A forked child sees the parent's memory as it was at the fork (shared copy-on-write), so nothing is
sent to it: it runs a function of what the parent holds and leaves only the result, in an unlinked
temporary file (through a pipe the child would stay blocked on writing until the parent reads, and
count as running, keeping its CPU from the next child). This pays where the result is small beside
the work (a large JSON file's asset extents; the facts of a large inventory that read only its
graph), and only with a CPU the parent is not using: no more children run at once than the CPUs of
the process's affinity besides its own.

Any failure (no fork on this platform, the fork refused, no temporary file, the child exiting
non-zero, an answer that cannot be read back) makes the caller do the work itself, so the result is
always the one the parent would compute. A child whose answer is never read is killed and reaped
when its handle is collected or at exit.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import tempfile
import weakref
from collections.abc import Callable
from typing import BinaryIO, Generic, TypeVar

T = TypeVar("T")

_LIVE: set[int] = set()  # children started here and not yet reaped
_IN_CHILD = False  # set in a child: its CPU is the spare one, so it starts no child of its own


def spare_cpus() -> int:
    """The CPUs this process may run on besides its own (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) - 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) - 1


def running_children() -> int:
    """Children started here that have not exited (an exited one is left unreaped for its reader)."""
    if not hasattr(os, "waitid"):  # macOS: no way to look without reaping, so every child counts
        return len(_LIVE)
    running = 0
    for pid in list(_LIVE):
        try:
            exited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # reaped elsewhere
            _LIVE.discard(pid)
            continue
        running += exited is None
    return running


def may_fork() -> bool:
    """Whether a child would get a CPU of its own."""
    return not _IN_CHILD and hasattr(os, "fork") and running_children() < spare_cpus()


class Child:
    """A started child's pid, the file it leaves its answer in and the parent's ends of its pipes; reaped once."""

    def __init__(self, pid: int, answer: BinaryIO, *fds: int) -> None:
        self.pid, self._answer, self._fds = pid, answer, fds
        _LIVE.add(pid)
        self._kill = weakref.finalize(self, _kill_and_reap, pid, answer, *fds)

    def answer(self) -> bytes | None:
        """Wait for the child: what it left in its file if it exited with status 0, else None (also if
        asked again)."""
        if self._answer.closed:
            return None
        close_fds(*self._fds)
        self._fds = ()
        try:
            _, status = os.waitpid(self.pid, 0)
            self._kill.detach()  # only now: interrupted while waiting, the child is still killed
            _LIVE.discard(self.pid)
            if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
                return None
            self._answer.seek(0)
            return self._answer.read()
        except ChildProcessError:  # reaped elsewhere
            _LIVE.discard(self.pid)
            return None
        finally:
            self._answer.close()

    def close(self) -> None:
        """Stop the child: its answer is not wanted."""
        self._kill()
        self._fds = ()


def start_child(body: Callable[[], bytes], *child_fds: int) -> tuple[int, BinaryIO] | None:
    """Fork a child that writes what `body` returns to its answer file and exits (0 if it returned, 1 if
    it raised), closing `child_fds` (the parent's ends of its pipes) first; None if no file or no fork."""
    try:
        answer = tempfile.TemporaryFile()  # noqa: SIM115 - the Child closes it; unlinked at once
    except OSError:
        return None
    parent = os.getpid()
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child, which reports only through its exit status
            _run_child(body, answer, child_fds)
    except BaseException as exc:  # a signal just after the fork: the child must not unwind the parent's stack
        if os.getpid() != parent:  # pragma: no cover
            os._exit(1)
        answer.close()
        if isinstance(exc, OSError):
            return None
        raise
    return pid, answer


def _run_child(body: Callable[[], bytes], answer: BinaryIO, child_fds: tuple[int, ...]) -> None:  # pragma: no cover
    global _IN_CHILD
    _IN_CHILD, code = True, 1
    try:
        close_fds(*child_fds)
        answer.write(body())
        answer.flush()
        code = 0
    finally:
        os._exit(code)


class _Answer(Generic[T]):
    """The child's result when called, or the work done here if the child failed."""

    def __init__(self, child: Child, work: Callable[[], T]) -> None:
        self._child, self._work = child, work

    def __call__(self) -> T:
        data = self._child.answer()
        if data is not None:
            with contextlib.suppress(pickle.UnpicklingError, EOFError):
                result: T = pickle.loads(data)
                return result
        return self._work()


def meanwhile(
    work: Callable[[], T], worth_it: bool = True, otherwise: Callable[[], T] | None = None
) -> Callable[[], T]:
    """A function giving `work()`: computed meanwhile by a child when `worth_it` and a CPU is spare, else
    `otherwise()` when it is asked (also when the child fails; by default the caller does `work`)."""
    fallback = work if otherwise is None else otherwise
    if not worth_it or not may_fork():
        return fallback
    started = start_child(lambda: pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
    if started is None:
        return fallback
    return _Answer(Child(*started), fallback)


def _kill_and_reap(pid: int, answer: BinaryIO, *fds: int) -> None:
    answer.close()
    close_fds(*fds)
    _LIVE.discard(pid)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


def close_fds(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
