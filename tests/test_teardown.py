"""The console script's quick exit (auditor.teardown): the status and output sys.exit would give, the
audit kept to the end only when the console script opted in, and no forked child left behind."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from auditor import teardown
from tests.conftest import REPO, audit_process


def _python(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=False)


@pytest.mark.parametrize("code", ["None", "0", "2", "'no inventory given'"])
def test_leave_exits_with_the_status_and_message_of_sys_exit(code: str) -> None:
    quick = _python(f"import sys; from auditor import teardown; print('said'); teardown.leave({code})")
    usual = _python(f"import sys; print('said'); sys.exit({code})")
    assert (quick.returncode, quick.stdout, quick.stderr) == (usual.returncode, usual.stdout, usual.stderr)
    assert quick.stdout == "said\n"  # flushed, though os._exit skips the interpreter's own flush


def test_a_library_caller_keeps_ordinary_lifetimes() -> None:
    class Held:
        pass

    held = Held()
    alive = weakref.ref(held)
    teardown.keep(held)
    del held
    gc.collect()
    assert alive() is None
    assert teardown._held is None


def test_the_console_script_keeps_what_it_is_given_and_kills_an_unread_child() -> None:
    script = """
import sys, time, weakref
from auditor import forked, teardown
class Held:
    pass
teardown.hold_until_exit()
held = Held()
alive = weakref.ref(held)
teardown.keep(held)
del held
started = forked.start_child(lambda: (time.sleep(60), b"")[1])
child = forked.Child(*started)
print(alive() is not None, child.pid)
teardown.leave(0)
"""
    run = _python(script)
    kept, pid = run.stdout.split()
    assert (run.returncode, kept) == (0, "True")
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return
    os.kill(int(pid), 9)
    pytest.fail("the unread child outlived the process that forked it")


def test_an_audit_through_the_console_script_gives_the_gate_status_and_its_whole_summary(tmp_path: Path) -> None:
    run = audit_process(tmp_path, "--fail-on", "high", "--format", "json")
    assert run.returncode == 1
    assert run.stdout.splitlines()[-2:] == [f"wrote {tmp_path / 'results.json'}", "gate: --fail-on high"]
    assert (tmp_path / "results.json").read_bytes().endswith(b"}\n")


def test_a_recorded_run_is_in_the_history_after_the_quick_exit(tmp_path: Path) -> None:
    """The history database is written and closed before the process leaves without its teardown."""
    from auditor.history.store import load_run, runs

    history = tmp_path / "history.db"
    run = audit_process(tmp_path / "reports", "--format", "json", "-q", "--record", "--history", str(history))
    assert run.returncode == 1, run.stderr
    [recorded] = runs(history)
    stored = load_run(history, recorded.id)
    written = json.loads((tmp_path / "reports" / "results.json").read_text(encoding="utf-8"))
    assert stored["findings"] == written["findings"]
