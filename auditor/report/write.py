"""All-or-nothing report sets: the output folder holds the complete old set or the complete new one.

The new reports are written into a staging folder beside the target, `.<name>.staging-<pid>-*`,
with hard links (copies where links fail) of every file of the target that is not a report of
ours (a README, other people's files). The two folders are then swapped in one step (Linux
renameat2 with RENAME_EXCHANGE) and the old one is deleted. Where that call is missing the swap is
two renames, target -> `.<name>.old-<pid>-*` then staging -> target: a kill between them leaves no
target, and the next run puts the old set back. A run killed earlier leaves only a staging folder,
which the next run deletes; one killed after the swap leaves the old set there, deleted likewise.

A report is given as its bytes or as a function that writes it into the open staging file (JSON
and SARIF stream there, item by item); one that raises half-way leaves the target as it was.

Reports of ours that this run does not write (a PDF from an earlier run given --format json) are
not carried over: every report in the folder comes from the same run. A file written into the
target by someone else while a run is between staging and swap is lost with the old folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from auditor.report import Report

Step = Callable[[str], None]
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_BUFFER = 1 << 20  # a streamed report arrives in pieces of a few hundred bytes: one system call per MiB


def _silent(step: str) -> None:
    """The default step listener."""


def publish(target: Path, reports: Mapping[str, Report], ours: Collection[str], on_step: Step = _silent) -> None:
    """Replace the reports in `target` by `reports` (file name -> bytes, or a function writing the file) as one step.

    `ours` names every report file the tool can write; the others found in `target` are kept.
    Raise OSError (with the reason) before the swap and the target is as it was; a renderer's
    exception likewise leaves the target as it was.
    """
    target = Path(os.path.realpath(target))  # swap the real folder, never a symlink pointing at it
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent))
    try:
        for name, report in reports.items():
            on_step(f"writing {name}")
            _write(staging / name, report)
        on_step("keeping the other files")
        if target.is_dir():
            _carry_over(target, staging, {*reports, *ours})
        os.chmod(staging, stat.S_IMODE(target.stat().st_mode) if target.is_dir() else 0o777 & ~_umask())
        _fsync(staging)
        on_step("swapping the report sets")
        old = _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    on_step("deleting the previous set")
    with contextlib.suppress(OSError):  # the new set is in place; this only hastens durability
        _fsync(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)  # what is left, the next run removes


def _check_replaceable(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder", str(target))
    if Path.cwd().resolve().is_relative_to(target):
        raise OSError(errno.EINVAL, "the working folder is inside it; give the reports a folder of their own")
    if target.is_dir() and os.path.ismount(target):
        raise OSError(errno.EBUSY, "a mount point cannot be replaced as a whole; give a folder inside it")


def _write(path: Path, report: Report) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb", buffering=_BUFFER) as handle:
        if isinstance(report, bytes):
            handle.write(report)
        else:
            report(handle)
        handle.flush()
        os.fsync(handle.fileno())


def _carry_over(target: Path, staging: Path, skip: set[str]) -> None:
    """Hard links (or copies) in `staging` of every entry of `target` that is not a report of ours."""
    for entry in os.scandir(target):
        if entry.name in skip:
            continue
        destination = staging / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), destination)
        elif entry.is_dir():
            shutil.copytree(entry.path, destination, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry.path, destination)


def _link_or_copy(source: str, destination: str | Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _swap(staging: Path, target: Path) -> Path | None:
    """Put `staging` at `target`; return where the previous set now is (None when there was none)."""
    if not target.is_dir():
        os.rename(staging, target)
        return None
    if _exchange(staging, target):
        return staging
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    os.rename(target, old)  # POSIX lets a folder replace an empty one
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old, target)
        raise
    return old


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux renameat2; False where the system cannot."""
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):  # an old kernel, or a file system without the flag
        return False
    raise OSError(code, os.strerror(code), str(second))


def _clean_stale(target: Path) -> None:
    """Remove what killed runs left beside `target`; put back an old set whose swap was cut short."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(staging|old)-(\d+)-")
    for entry in sorted(target.parent.iterdir()):
        found = pattern.match(entry.name)
        if found is None or not entry.is_dir() or _alive(int(found.group(2))):
            continue
        if found.group(1) == "old" and not target.exists():
            os.rename(entry, target)
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
