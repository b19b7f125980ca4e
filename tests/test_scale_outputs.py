"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "2aa9192d67b71ad665bbda9d8569fb54672e9bf02d9058baf3d955fd0a9593fe",
    "sarif": "e5d451b4764e8ed649bc576a21457e4ed6d33840c0cbbdfe758cb44fccb37fab",
    "sarif-all": "be2fab9722ad53cf0d77ef3cf0bfee9d5fe086a5185a6da6874223d366c7859a",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
