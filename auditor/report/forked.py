"""Reports written in forked children, so that JSON and SARIF render on two cores at once.

The fork comes after the audit: a child reads the result the parent holds, copy-on-write, and
writes one staging file. The collector is paused and everything frozen before the fork (the
CPython advice for forking servers), so that no collection writes to the shared objects' headers
in either process; only the reference counts of what a writer reads are written, and those
pages are copied. A child's exception (a full disk, a renderer's bug) comes back pickled through
a pipe and is raised again in the parent, with the child's traceback as a note.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Child:
    pid: int
    errors: int  # the read end of the pipe the child's exception comes through


def free_cores() -> int:
    """Cores this process may run on that the load average (one minute) leaves idle."""
    return max(0, int(len(os.sched_getaffinity(0)) - os.getloadavg()[0]))


def start(work: Callable[[], None]) -> Child:
    """Run `work` in a forked child; `finish` waits for it and raises what it raised."""
    gc.freeze()  # the collector is paused by the caller: nothing it tracks is scanned in the child
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            os.close(read)
            work()
            code = 0
        except BaseException as exc:  # every failure goes back to the parent
            _send(write, exc)
        finally:
            os._exit(code)
    os.close(write)
    return Child(pid, read)


def finish(child: Child) -> None:
    """Wait for `child`; raise its exception, or an error saying how it ended."""
    with os.fdopen(child.errors, "rb") as pipe:
        sent = pipe.read()
    _, status = os.waitpid(child.pid, 0)
    if sent:
        raise _received(sent)
    if status != 0:
        raise ChildProcessError(f"the process writing a report ended with status {os.waitstatus_to_exitcode(status)}")


def stop(child: Child) -> None:
    """Kill `child` (the parent failed first) and reap it."""
    os.kill(child.pid, signal.SIGKILL)
    os.waitpid(child.pid, 0)
    os.close(child.errors)


def _send(pipe: int, exc: BaseException) -> None:
    """The exception pickled (None when it cannot be) and its traceback's text."""
    try:
        pickled: bytes | None = pickle.dumps(exc)
    except Exception:  # one that does not pickle comes back as its text
        pickled = None
    with os.fdopen(pipe, "wb") as out:
        out.write(pickle.dumps((pickled, "".join(traceback.format_exception(exc)))))


def _received(data: bytes) -> BaseException:
    pickled, text = pickle.loads(data)
    try:
        exc: BaseException = pickle.loads(pickled)
    except Exception:  # None, or a class that cannot be built again from its arguments
        return ChildProcessError(f"the process writing a report failed:\n{text}")
    exc.add_note(f"raised in the process writing the report:\n{text}")
    return exc
