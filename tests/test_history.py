"""Recorded runs: transactional SQLite history, schema versions, and the diff of two audits."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from auditor.history import migrate
from auditor.history.diff import diff, render_json, render_markdown, render_table
from auditor.history.store import SCHEMA_VERSION, HistoryError, load_run, record, runs
from tests.conftest import REPO, invoke


def finding(
    rule: str, asset: str, severity: str = "high", status: str = "FAIL", waived: bool = False
) -> dict[str, Any]:
    return {
        "fingerprint": f"{rule}/{asset}",
        "rule_id": rule,
        "asset_id": asset,
        "status": status,
        "severity": severity,
        "waived": waived,
    }


def results(*findings: dict[str, Any], as_of: str = "2026-11-01") -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "tool": {"name": "auditor", "version": "0.0-test"},
        "as_of": as_of,
        "organization": "Test GmbH",
        "rules": [
            {"id": "GDPR-44", "references": {"gdpr": ["Art. 44"]}},
            {"id": "SEC-ENC", "references": {"gdpr": ["Art. 32"], "iso27001": ["A.8.24"]}},
            {"id": "AI-CAP", "references": {}},
        ],
        "findings": list(findings),
    }


BEFORE = results(
    finding("GDPR-44", "bucket-a"),
    finding("SEC-ENC", "disk-1", "medium"),
    finding("SEC-ENC", "disk-2", "low"),
    finding("AI-CAP", "cluster", "low", status="NOT_EVALUABLE"),
    finding("GDPR-44", "bucket-w", waived=True),
)
AFTER = results(
    finding("GDPR-44", "bucket-b", "critical"),
    finding("SEC-ENC", "disk-1", "high"),
    finding("AI-CAP", "cluster", "low", status="NOT_EVALUABLE"),
    finding("GDPR-44", "bucket-w"),
    as_of="2027-02-01",
)


def test_diff_table_names_every_change_per_framework() -> None:
    assert render_table(diff(BEFORE, AFTER)) == textwrap.dedent("""\
        gdpr: 2 new, 2 resolved, 0 persisting, 1 changed severity
          resolved         high               GDPR-44                          bucket-a
          new              critical           GDPR-44                          bucket-b
          new              high               GDPR-44                          bucket-w
          changed_severity medium -> high     SEC-ENC                          disk-1
          resolved         low                SEC-ENC                          disk-2
        iso27001: 0 new, 1 resolved, 0 persisting, 1 changed severity
          changed_severity medium -> high     SEC-ENC                          disk-1
          resolved         low                SEC-ENC                          disk-2
        unmapped: 0 new, 0 resolved, 1 persisting, 0 changed severity
        """)


def test_diff_markdown_and_json() -> None:
    changes = diff(BEFORE, AFTER)
    markdown = render_markdown(changes)
    assert markdown.splitlines()[:10] == [
        "# Changes since the previous audit",
        "",
        "## gdpr",
        "",
        "2 new, 2 resolved, 0 persisting, 1 changed severity",
        "",
        "| Change | Severity | Rule | Asset |",
        "|---|---|---|---|",
        "| resolved | high | GDPR-44 | bucket-a |",
        "| new | critical | GDPR-44 | bucket-b |",
    ]
    assert "## unmapped\n\n0 new, 0 resolved, 1 persisting, 0 changed severity\n" in markdown
    document = json.loads(render_json(changes))
    iso = document["frameworks"][1]
    assert iso["framework"] == "iso27001"
    assert iso["counts"] == {"new": 0, "resolved": 1, "persisting": 0, "changed_severity": 1}
    assert iso["findings"][0] == {
        "change": "changed_severity",
        "fingerprint": "SEC-ENC/disk-1",
        "rule_id": "SEC-ENC",
        "asset_id": "disk-1",
        "severity": "high",
        "previous_severity": "medium",
    }


def test_diff_of_identical_runs_is_all_persisting() -> None:
    assert (
        render_table(diff(AFTER, AFTER)).splitlines()[0] == "gdpr: 0 new, 0 resolved, 3 persisting, 0 changed severity"
    )
    assert render_table(diff(results(), results())) == "no open findings in either run\n"


def test_record_then_list_and_load(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "history.db"
    assert record(db, BEFORE) == 1
    assert record(db, AFTER) == 2
    listed = runs(db)
    assert [(r.id, r.as_of, r.open_failures, r.findings) for r in listed] == [
        (1, "2026-11-01", 3, 5),
        (2, "2027-02-01", 3, 4),
    ]
    assert load_run(db, 2) == AFTER
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT count(*) FROM findings WHERE run_id = 1").fetchone() == (5,)


_RECORD_MANY = """
import json, sys
from pathlib import Path
from auditor.history.store import record
document = json.loads(sys.argv[2])
for _ in range(int(sys.argv[3])):
    record(Path(sys.argv[1]), document)
"""


def test_two_processes_recording_at_once_both_land(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    record(db, BEFORE)  # the schema exists; the writers race on the runs only
    writers = [
        subprocess.Popen([sys.executable, "-c", _RECORD_MANY, str(db), json.dumps(doc), "25"], cwd=REPO)
        for doc in (BEFORE, AFTER)
    ]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    listed = runs(db)
    assert [r.id for r in listed] == list(range(1, 52))
    assert sorted(r.as_of for r in listed).count("2027-02-01") == 25
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM findings").fetchone() == (26 * 5 + 25 * 4,)


_KILLED_MID_RECORD = """
import json, os, signal, sys
from pathlib import Path
from auditor.history import store
def die(connection, run_id, findings):
    # the run row is inserted, its findings not: the transaction is half done
    os.kill(os.getpid(), signal.SIGKILL)
store._insert_findings = die
store.record(Path(sys.argv[1]), json.loads(sys.argv[2]))
"""


def test_a_writer_killed_mid_record_leaves_the_database_consistent(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    record(db, BEFORE)
    killed = subprocess.run([sys.executable, "-c", _KILLED_MID_RECORD, str(db), json.dumps(AFTER)], cwd=REPO)
    assert killed.returncode == -signal.SIGKILL
    assert [r.id for r in runs(db)] == [1]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM findings").fetchone() == (5,)
    assert record(db, AFTER) == 2


def test_a_database_of_another_schema_version_is_refused(tmp_path: Path, cli: CliRunner) -> None:
    db = tmp_path / "history.db"
    record(db, BEFORE)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    outcome = invoke(cli, "history", "--history", db)
    assert outcome.exit_code == 2
    assert outcome.stderr == (
        f"error: {db}: history schema version 3 is newer than version 2, the one this auditor reads "
        "(use the auditor that wrote it, or record into a new --history file)\n"
    )
    with pytest.raises(HistoryError, match="schema version 3 is newer"):
        record(db, AFTER)


# The schema of version 1, as the auditor before the migration wrote it.
_SCHEMA_V1 = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at TEXT NOT NULL, as_of TEXT NOT NULL,
    tool_version TEXT NOT NULL, organization TEXT, open_failures INTEGER NOT NULL,
    findings INTEGER NOT NULL, results TEXT NOT NULL
);
CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs(id), fingerprint TEXT NOT NULL, rule_id TEXT NOT NULL,
    asset_id TEXT NOT NULL, status TEXT NOT NULL, severity TEXT NOT NULL, waived INTEGER NOT NULL,
    PRIMARY KEY (run_id, fingerprint)
);
INSERT INTO schema_version VALUES (1);
"""


def _version_1_database(path: Path) -> None:
    """A history of one run (BEFORE) written with the version 1 schema."""
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript(_SCHEMA_V1)
        connection.execute(
            "INSERT INTO runs (recorded_at, as_of, tool_version, organization, open_failures, findings, results)"
            " VALUES ('2026-11-01T09:00:00+00:00', '2026-11-01', '0.0-test', 'Test GmbH', 3, 5, ?)",
            (json.dumps(BEFORE, sort_keys=True),),
        )
        connection.executemany(
            "INSERT INTO findings VALUES (1, ?, ?, ?, ?, ?, ?)",
            [
                (f["fingerprint"], f["rule_id"], f["asset_id"], f["status"], f["severity"], f["waived"])
                for f in BEFORE["findings"]
            ],
        )


def _contents(path: Path) -> tuple[list[Any], ...]:
    with closing(sqlite3.connect(path)) as connection:
        return tuple(
            connection.execute(query).fetchall()
            for query in (
                "SELECT type, name, sql FROM sqlite_master ORDER BY name",
                "SELECT * FROM schema_version",
                "SELECT * FROM runs",
                "SELECT * FROM findings ORDER BY fingerprint",
            )
        )


def test_a_version_1_database_is_migrated_and_keeps_its_runs(tmp_path: Path, cli: CliRunner) -> None:
    db = tmp_path / "history.db"
    _version_1_database(db)
    listed = invoke(cli, "history", "--history", db, "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert [(r["id"], r["as_of"], r["open_failures"], r["findings"]) for r in json.loads(listed.stdout)] == [
        (1, "2026-11-01", 3, 5)
    ]
    assert load_run(db, 1) == BEFORE
    assert record(db, AFTER) == 2
    assert diff(load_run(db, 1), load_run(db, 2)) == diff(BEFORE, AFTER)
    schema, versions, stored, _ = _contents(db)
    assert versions == [(SCHEMA_VERSION,)]
    assert ("index", "findings_by_fingerprint") in [(kind, name) for kind, name, _ in schema]
    digest = hashlib.sha256(json.dumps(BEFORE, sort_keys=True).encode()).hexdigest()
    assert stored[0][-1] == digest


def test_a_migration_failing_midway_leaves_the_old_database_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "history.db"
    _version_1_database(db)
    before = _contents(db)

    def half_done(connection: sqlite3.Connection) -> None:
        connection.execute("ALTER TABLE runs ADD COLUMN results_sha256 TEXT NOT NULL DEFAULT ''")
        raise OSError("disk full")

    monkeypatch.setitem(migrate.STEPS, 1, half_done)
    with pytest.raises(OSError, match="disk full"):
        runs(db)
    assert _contents(db) == before
    monkeypatch.undo()
    assert [r.id for r in runs(db)] == [1]


def test_a_database_older_than_any_migration_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    _version_1_database(db)
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("UPDATE schema_version SET version = 0")
    with pytest.raises(HistoryError) as refused:
        runs(db)
    assert str(refused.value) == (
        f"{db}: history schema version 0 cannot be migrated to version 2 (record into a new --history file)"
    )


def test_a_run_changed_after_recording_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    record(db, BEFORE)
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("UPDATE runs SET results = replace(results, 'bucket-a', 'bucket-z')")
    with pytest.raises(HistoryError) as refused:
        load_run(db, 1)
    assert str(refused.value) == f"{db}: run 1 was changed after it was recorded (its SHA-256 differs)"


def test_a_foreign_or_missing_database_is_refused(tmp_path: Path, cli: CliRunner) -> None:
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    outcome = invoke(cli, "history", "--history", foreign)
    assert (outcome.exit_code, outcome.stderr) == (
        2,
        f"error: {foreign}: not an auditor history database (no schema_version table)\n",
    )
    not_sqlite = tmp_path / "text.db"
    not_sqlite.write_text("hello, this is not a database at all" * 10)
    outcome = invoke(cli, "history", "--history", not_sqlite)
    assert outcome.exit_code == 2
    assert outcome.stderr == f"error: {not_sqlite}: not a usable history database: file is not a database\n"
    missing = tmp_path / "none.db"
    outcome = invoke(cli, "diff", "1", "2", "--history", missing)
    assert (outcome.exit_code, outcome.stderr) == (
        2,
        f"error: {missing}: no history database (record one with 'auditor audit --record')\n",
    )
    assert not missing.exists()


def test_audit_record_history_and_diff_end_to_end(tmp_path: Path, cli: CliRunner) -> None:
    db = tmp_path / "h.db"
    example = REPO / "inventories" / "example"
    for day in ("2026-11-01", "2026-12-01"):
        outcome = invoke(
            cli, "audit", example, "--as-of", day, "--out", tmp_path / day, "-q", "--record", "--history", db
        )
        assert outcome.exit_code == 1, outcome.stderr
    first, second = (json.loads((tmp_path / day / "results.json").read_text()) for day in ("2026-11-01", "2026-12-01"))
    assert not any("since the last" in notice for notice in first["notices"])
    assert second["notices"][-1] == (
        "open findings since the last recorded audit (run 1, as of 2026-11-01): "
        "11 new, 0 resolved, 109 persisting, 0 changed in severity"
    )
    listed = invoke(cli, "history", "--history", db, "--format", "json")
    assert [(r["id"], r["as_of"]) for r in json.loads(listed.stdout)] == [(1, "2026-11-01"), (2, "2026-12-01")]
    by_id = invoke(cli, "diff", "1", "2", "--history", db, "--format", "json")
    by_file = invoke(
        cli,
        "diff",
        tmp_path / "2026-11-01" / "results.json",
        tmp_path / "2026-12-01" / "results.json",
        "--format",
        "json",
    )
    assert by_id.exit_code == by_file.exit_code == 0
    assert by_id.stdout == by_file.stdout
    cis = next(f for f in json.loads(by_id.stdout)["frameworks"] if f["framework"] == "cis")
    assert {f["rule_id"] for f in cis["findings"] if f["change"] == "new"} == {"SEC-PATCH-SLA"}
    unknown = invoke(cli, "diff", "1", "9", "--history", db)
    assert (unknown.exit_code, unknown.stderr) == (2, f"error: {db}: no run 9 (see 'auditor history')\n")


def test_diff_of_a_bad_results_file_names_file_and_path(tmp_path: Path, cli: CliRunner) -> None:
    bad = tmp_path / "results.json"
    bad.write_text('{"schema_version": "1.0", "rules": [], "findings": [{"fingerprint": 3}]}\n')
    outcome = invoke(cli, "diff", bad, bad)
    assert outcome.exit_code == 2
    assert outcome.stderr.splitlines()[0].startswith(f"{bad}:1:")
    assert "$.findings[0]" in outcome.stderr


def test_recording_into_a_foreign_database_writes_nothing(tmp_path: Path, cli: CliRunner) -> None:
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    out = tmp_path / "out"
    example = REPO / "inventories" / "example"
    outcome = invoke(cli, "audit", example, "--out", out, "-q", "--record", "--history", foreign)
    assert (outcome.exit_code, outcome.stderr) == (
        2,
        f"error: {foreign}: not an auditor history database (no schema_version table); nothing was written\n",
    )
    assert not out.exists()
