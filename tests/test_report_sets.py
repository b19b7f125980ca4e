"""Report sets are all-or-nothing: a failure or a kill -9 leaves the complete old set or the complete new one."""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from typer.testing import CliRunner

from auditor.engine import AuditRequest, run_audit
from auditor.policy.loader import default_policies_dir
from auditor.report import Renderer, ReportOptions, json_report, renderer, sarif, write
from auditor.report.write import publish
from auditor.result import AuditResult
from tests.conftest import AS_OF, EXAMPLE, REPO, invoke

OURS = ["results.json", "results.sarif", "summary.md", "report.pdf"]
# A writer of a large set (8 files of 4 MB) that stops at the step named in argv[2] until it is killed.
WRITER = """
import sys, time
from pathlib import Path
from auditor.report.write import publish
from auditor.result import AuditResult

def step(name):
    if name == sys.argv[2]:
        print("paused", flush=True)
        time.sleep(60)

new = {f"r{i}.bin": bytes([65 + i]) * 4_000_000 for i in range(8)}
print("started", flush=True)
start = time.monotonic()
publish(Path(sys.argv[1]), new, list(new), step)
print(time.monotonic() - start, flush=True)
"""
NEW = {f"r{i}.bin": bytes([65 + i]) * 4_000_000 for i in range(8)}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (symlinks as their target text) by relative path."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            files[path.relative_to(folder).as_posix()] = os.readlink(path).encode()
        elif path.is_file():
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def old_set(out: Path) -> dict[str, bytes]:
    """A previous set of reports plus files that are not ours: a README, a folder, a symlink."""
    out.mkdir()
    for index in range(8):
        (out / f"r{index}.bin").write_bytes(f"old report {index}\n".encode())
    (out / "README.md").write_text("Reports of the quarterly audit.\n")
    (out / "notes").mkdir()
    (out / "notes" / "auditor.txt").write_text("signed off\n")
    (out / "latest").symlink_to("r0.bin")
    return snapshot(out)


def test_a_reporter_raising_mid_set_leaves_the_old_set_byte_identical(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    assert invoke(cli, "audit", EXAMPLE, "--out", out, "--format", "json,sarif,markdown").exit_code == 1
    (out / "README.md").write_text("keep me\n")
    before = snapshot(out)

    def template_bug(result: AuditResult, options: ReportOptions) -> bytes:
        raise RuntimeError("template bug")

    def broken(name: str) -> Renderer:
        return template_bug if name == "markdown" else renderer(name)

    monkeypatch.setattr("auditor.report.renderer", broken)
    result = invoke(cli, "audit", EXAMPLE, "--out", out, "--format", "json,sarif,markdown", "--as-of", "2030-01-01")
    assert isinstance(result.exception, RuntimeError)
    assert result.stderr == f"note: a report could not be rendered; the previous reports in {out} were left untouched\n"
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_full_disk_mid_set_leaves_the_old_set_and_says_so(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    before = old_set(out)
    real = write._write
    calls: list[Path] = []

    def fills_up(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(write, "_write", fills_up)
    result = invoke(cli, "audit", EXAMPLE, "--out", out, "--format", "json,sarif,markdown")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: cannot write the reports to {out}: No space left on device; "
        f"the previous reports in {out} were left untouched\n"
    )
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_the_new_set_keeps_other_files_and_drops_our_stale_reports(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir(mode=0o750)
    (out / "README.md").write_text("Reports of the quarterly audit.\n")
    (out / "notes").mkdir()
    (out / "notes" / "auditor.txt").write_text("signed off\n")
    (out / "report.pdf").write_bytes(b"%PDF from an earlier run")
    (out / "results.json").write_bytes(b"{}")
    publish(out, {"results.json": b'{"new": 1}', "results.sarif": b"{}"}, OURS)
    assert snapshot(out) == {
        "README.md": b"Reports of the quarterly audit.\n",
        "notes/auditor.txt": b"signed off\n",
        "results.json": b'{"new": 1}',
        "results.sarif": b"{}",
    }
    assert out.stat().st_mode & 0o777 == 0o750
    assert leftovers(out) == []


def test_output_folders_that_cannot_be_swapped_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="it is a file, not a folder"):
        publish(tmp_path / "file", {"results.json": b"{}"}, OURS)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OSError, match="the working folder is inside it"):
        publish(Path("."), {"results.json": b"{}"}, OURS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait()
    return proc.pid


def test_folders_left_by_killed_runs_are_cleaned_or_put_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "reports"
    before = old_set(out)
    pid = dead_pid()
    (tmp_path / f".reports.staging-{pid}-abc").mkdir()
    (tmp_path / f".reports.staging-{pid}-abc" / "results.json").write_bytes(b"half")
    (tmp_path / f".reports.staging-{os.getpid()}-live").mkdir()  # a run still going: left alone
    publish(out, {"results.json": b"{}"}, OURS)
    assert leftovers(out) == [f".reports.staging-{os.getpid()}-live"]
    # Without renameat2 the swap is two renames; a kill between them leaves the old set aside.
    (tmp_path / f".reports.staging-{os.getpid()}-live").rmdir()
    out.rename(tmp_path / f".reports.old-{pid}-xyz")
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    publish(out, {"results.json": b"{}", "results.sarif": b"{}"}, OURS)
    assert snapshot(out) == {**before, "results.json": b"{}", "results.sarif": b"{}"}
    assert leftovers(out) == []


STEPS = [
    ("writing r0.bin", "old"),
    ("writing r5.bin", "old"),
    ("keeping the other files", "old"),
    ("swapping the report sets", "old"),
    ("deleting the previous set", "new"),
]


@pytest.mark.parametrize(("step", "expected"), STEPS)
def test_kill_9_at_each_step_leaves_the_old_or_the_new_set(tmp_path: Path, step: str, expected: str) -> None:
    out = tmp_path / "reports"
    before = old_set(out)
    after = {**{k: v for k, v in before.items() if not k.startswith("r")}, **NEW}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, out, step], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "started\n"
    assert proc.stdout.readline() == "paused\n"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert snapshot(out) == (before if expected == "old" else after)
    publish(out, NEW, list(NEW))  # the next run finishes the job and clears what the killed one left
    assert snapshot(out) == after
    assert leftovers(out) == []


def test_kill_9_at_timed_moments_never_mixes_the_sets(tmp_path: Path) -> None:
    """Kills from 0 to 2.1 times the length of an uninterrupted publish: inside writes, after the swap."""
    writer = [sys.executable, "-c", WRITER]
    timing = subprocess.run([*writer, tmp_path / "timing", "-"], cwd=REPO, check=True, capture_output=True, text=True)
    duration = float(timing.stdout.split()[-1])
    for attempt in range(8):
        out = tmp_path / f"run{attempt}" / "reports"
        out.parent.mkdir()
        before = old_set(out)
        after = {**{k: v for k, v in before.items() if not k.startswith("r")}, **NEW}
        proc = subprocess.Popen([*writer, out, "-"], cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline() == "started\n"
        time.sleep(duration * 0.3 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert snapshot(out) in (before, after), f"a mixed set after a kill {0.3 * attempt:.1f} publish-times in"


HALF_WAY = [
    (
        RuntimeError("encoder bug"),
        "note: a report could not be rendered; the previous reports in {out} were left untouched\n",
    ),
    (
        OSError(errno.ENOSPC, "No space left on device"),
        "error: cannot write the reports to {out}: No space left on device; "
        "the previous reports in {out} were left untouched\n",
    ),
]


@pytest.mark.parametrize(("failure", "message"), HALF_WAY)
def test_a_streamed_report_failing_half_way_leaves_the_old_set(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception, message: str
) -> None:
    """results.json is streamed into the staging folder: half of it written, the set is dropped.
    A renderer's bug goes on as an internal error; a full disk is exit 2."""
    out = tmp_path / "reports"
    assert invoke(cli, "audit", EXAMPLE, "--out", out, "--format", "json,sarif,markdown").exit_code == 1
    before = snapshot(out)
    real = json_report.write
    halves: list[int] = []

    def half_then_fail(result: AuditResult, options: ReportOptions, file: BinaryIO) -> None:
        whole = io.BytesIO()
        real(result, options, whole)
        file.write(whole.getvalue()[: len(whole.getvalue()) // 2])
        file.flush()
        halves.append(os.fstat(file.fileno()).st_size)
        raise failure

    monkeypatch.setattr(json_report, "write", half_then_fail)
    result = invoke(cli, "audit", EXAMPLE, "--out", out, "--format", "json,sarif,markdown", "--as-of", "2030-01-01")
    assert halves and halves[0] > 10_000  # the staging file held half a report when it failed
    assert result.exception is failure if isinstance(failure, RuntimeError) else result.exit_code == 2
    assert result.stderr == message.format(out=out)
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_streamed_reports_are_written_piece_by_piece(tmp_path: Path) -> None:
    """The whole text is never one piece: the largest write is a line (a finding, a rule)."""
    result = run_audit(AuditRequest([EXAMPLE], default_policies_dir(), AS_OF))

    class Pieces(io.BytesIO):
        def __init__(self) -> None:
            super().__init__()
            self.sizes: list[int] = []

        def write(self, piece: Any) -> int:
            self.sizes.append(len(piece))
            return super().write(piece)

    for module in (json_report, sarif):
        pieces = Pieces()
        module.write(result, ReportOptions(sarif_include_undecided=True), pieces)
        text = pieces.getvalue()
        assert text == module.render(result, ReportOptions(sarif_include_undecided=True))
        assert len(pieces.sizes) >= text.count(b"\n")
        assert max(pieces.sizes) <= max(len(line) for line in text.splitlines()) + len(b",\n ")
