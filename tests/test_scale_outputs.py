"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "8e8213dd300f1006eb28a760d0813eb15f1d779b89a8b4d6134a007d16816a69",
    "sarif": "bc1bfa3d8f693fb6fe4159cd2e0ba2c6601a1b786cfc43ff426c67ee174676f5",
    "sarif-all": "ce2215eb7db02d9697c1dc930451b80f8a4ae7585b271853abfc32bee619525a",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
