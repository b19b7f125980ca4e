"""The command line ends without freeing its audit object by object.

Freeing a large audit's graph, facts and views one object at a time, when `audit` returns and again
as the interpreter shuts down, takes a twentieth of the run (bench/README.md, 7 December) and gives
back memory the operating system reclaims at once when the process ends. So the console script, and
only it, keeps them to the end and leaves through os._exit once the exit handlers have run; a library
caller of run_audit keeps ordinary lifetimes.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from typing import NoReturn

_held: list[object] | None = None  # None: not opted in, everything is freed as usual


def hold_until_exit() -> None:
    """Opt in (the console script does): what `keep` is given lives until the process ends."""
    global _held
    if _held is None:
        _held = []


def keep(*objects: object) -> None:
    """Keep `objects` to the end of the process if the console script opted in; else nothing."""
    if _held is not None:
        _held.extend(objects)


def leave(code: object) -> NoReturn:
    """End the process as `sys.exit(code)` would, without the interpreter's teardown.

    The exit handlers run first (the weakref finalizers among them kill a forked child whose answer
    was never read); then the standard streams are flushed."""
    status = _status(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more can be said there
            stream.flush()
    os._exit(status)


def _status(code: object) -> int:
    """The exit status sys.exit gives `code`: None is 0, an integer itself, anything else printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    with contextlib.suppress(OSError, ValueError):
        print(code, file=sys.stderr)
    return 1
