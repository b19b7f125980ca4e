"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "f06f02ac286420261fafd35dddd9cd01e53bfb900b691de7d3e33c35ac386034",
    "sarif": "771199e0c6d1ac46ce0e9684401a5b98e7829441e50fcdc12115d69665aefce6",
    "sarif-all": "cb27d9eb709a0ce2f7c282256080a85984e45e99114fe53b7499b9e48ea6e401",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
