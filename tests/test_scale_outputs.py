"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "e3d61a9fc8d392b032778c4b41ac055daf6583939cef50c8963f7d357a1d195b",
    "sarif": "c868ad7ac412ad39bb9016a7814af513828c688a6897c0d48f3d504814d5aae9",
    "sarif-all": "a72dd8f3be4d130ca76b801de7ce3de91032a5fd8c969fab67436b0c57f163de",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
