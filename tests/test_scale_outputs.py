"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "9ca4e2592042a0266c938531c710618600358f98d944a6a6c4901f29f7153f6e",
    "sarif": "846429d78f88e82cd4356349fec67cb6b52f4dcf419e2d7c853ac6194ec89674",
    "sarif-all": "ef9cc5ff969a8a8dfd22c97ebcfcb0a21fb9b2d65e6dd0c8227e1a974298f397",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
