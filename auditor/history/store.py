"""Recorded audit runs in an embedded SQLite database.

Each run is one transaction (WAL journal, `BEGIN IMMEDIATE`): two audits recording at once
both land, and a process killed mid-record leaves the runs recorded before it, nothing half
written. The schema carries its version: an older database is migrated in one transaction
(auditor/history/migrate.py), a newer one is refused, never guessed at.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.history.migrate import STEPS, migrate, results_sha256

SCHEMA_VERSION = 2
DEFAULT_HISTORY = Path("reports/history.db")
BUSY_TIMEOUT_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,
    as_of TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    organization TEXT,
    open_failures INTEGER NOT NULL,
    findings INTEGER NOT NULL,
    results TEXT NOT NULL,
    results_sha256 TEXT NOT NULL DEFAULT ''
);
CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    fingerprint TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    waived INTEGER NOT NULL,
    PRIMARY KEY (run_id, fingerprint)
);
CREATE INDEX findings_by_fingerprint ON findings (fingerprint);
"""


class HistoryError(Exception):
    """The history database cannot be used: named in the message, exit status 2 in the CLI."""


@dataclass(frozen=True)
class RunSummary:
    id: int
    recorded_at: str
    as_of: str
    tool_version: str
    organization: str | None
    open_failures: int
    findings: int


@contextmanager
def _connect(path: Path, create: bool) -> Iterator[sqlite3.Connection]:
    if not create and not path.is_file():
        raise HistoryError(f"{path}: no history database (record one with 'auditor audit --record')")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: cannot open the history database: {exc}") from None
    with closing(connection):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            _check_schema(connection, path)
            yield connection
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{path}: not a usable history database: {exc}") from None


def _check_schema(connection: sqlite3.Connection, path: Path) -> None:
    """Create the schema in an empty database, migrate an older one; refuse a newer or foreign one."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        elif "schema_version" not in tables:
            raise HistoryError(f"{path}: not an auditor history database (no schema_version table)")
        else:
            found = _version(connection, path)
            if found != SCHEMA_VERSION:
                migrate(connection, found, SCHEMA_VERSION)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _version(connection: sqlite3.Connection, path: Path) -> int:
    """The database's schema version, when this auditor can read it as is or migrate it."""
    versions = [row[0] for row in connection.execute("SELECT version FROM schema_version")]
    if len(versions) != 1 or not isinstance(versions[0], int):
        listed = ", ".join(map(str, versions)) or "none"
        raise HistoryError(f"{path}: history schema version {listed} is not a version this auditor knows")
    found: int = versions[0]
    if found > SCHEMA_VERSION:
        raise HistoryError(
            f"{path}: history schema version {found} is newer than version {SCHEMA_VERSION}, the one this auditor "
            "reads (use the auditor that wrote it, or record into a new --history file)"
        )
    if found != SCHEMA_VERSION and found not in STEPS:
        raise HistoryError(
            f"{path}: history schema version {found} cannot be migrated to version {SCHEMA_VERSION} "
            "(record into a new --history file)"
        )
    return found


def record(path: Path, document: dict[str, Any]) -> int:
    """Store one results.json document as a run; return its id."""
    findings = document["findings"]
    open_count = sum(1 for f in findings if f["status"] == "FAIL" and not f["waived"])
    stored = json.dumps(document, sort_keys=True)
    with _connect(path, create=True) as connection:
        connection.execute("BEGIN IMMEDIATE")
        try:
            cursor = connection.execute(
                "INSERT INTO runs (recorded_at, as_of, tool_version, organization, open_failures, findings, results,"
                " results_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    document["as_of"],
                    document["tool"]["version"],
                    document.get("organization"),
                    open_count,
                    len(findings),
                    stored,
                    results_sha256(stored),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            _insert_findings(connection, run_id, findings)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return run_id


def _insert_findings(connection: sqlite3.Connection, run_id: int, findings: list[dict[str, Any]]) -> None:
    connection.executemany(
        "INSERT INTO findings (run_id, fingerprint, rule_id, asset_id, status, severity, waived)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, f["fingerprint"], f["rule_id"], f["asset_id"], f["status"], f["severity"], int(f["waived"]))
            for f in findings
        ],
    )


def runs(path: Path) -> list[RunSummary]:
    """Every recorded run, oldest first."""
    with _connect(path, create=False) as connection:
        rows = connection.execute(
            "SELECT id, recorded_at, as_of, tool_version, organization, open_failures, findings FROM runs ORDER BY id"
        ).fetchall()
    return [RunSummary(*row) for row in rows]


def load_run(path: Path, run_id: int) -> dict[str, Any]:
    """The results.json document of run `run_id`, refused when it is not what was recorded."""
    with _connect(path, create=False) as connection:
        row = connection.execute("SELECT results, results_sha256 FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise HistoryError(f"{path}: no run {run_id} (see 'auditor history')")
    if results_sha256(row[0]) != row[1]:
        raise HistoryError(f"{path}: run {run_id} was changed after it was recorded (its SHA-256 differs)")
    document: dict[str, Any] = json.loads(row[0])
    return document
