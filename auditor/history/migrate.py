"""Schema migrations of the history database: an older database is brought up to date in place.

Each step takes a database of version N to N+1 inside the caller's transaction, so a migration
that fails midway (a full disk, a killed process) leaves the database as it was, at its old
version. A database newer than this auditor, or older than any step here, is refused.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable


def results_sha256(text: str) -> str:
    """The digest stored with each run: the SHA-256 of its results document as stored."""
    return hashlib.sha256(text.encode()).hexdigest()


def _add_results_digest(connection: sqlite3.Connection) -> None:
    """Version 2: each run carries the SHA-256 of its stored results (checked when a run is loaded),
    and findings are indexed by fingerprint (the key of diffs and trends across runs)."""
    connection.execute("ALTER TABLE runs ADD COLUMN results_sha256 TEXT NOT NULL DEFAULT ''")
    connection.create_function("results_sha256", 1, results_sha256, deterministic=True)
    connection.execute("UPDATE runs SET results_sha256 = results_sha256(results)")
    connection.execute("CREATE INDEX findings_by_fingerprint ON findings (fingerprint)")


# version N -> the step that makes it N+1
STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _add_results_digest}


def migrate(connection: sqlite3.Connection, found: int, target: int) -> None:
    """Apply every step from `found` to `target` and record the new version (no commit here)."""
    for version in range(found, target):
        STEPS[version](connection)
    connection.execute("UPDATE schema_version SET version = ?", (target,))
