"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "be11f181d9d4b99d1408e12137923edb9996d6720c30d72b06cd68c72bd32eae",
    "sarif": "be45fcfae122a669c8bc24eb46ee1ca1b73d85fb33191355203d04ff2ca51155",
    "sarif-all": "ab03326d55d05fd2359d3793d555ec9b93eb2eae6e45fc2ac1974828a0f9ad63",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
