"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "0a5f4912946b32e3b9e4af3bcfdb0e2db50fc868a9cc5851345c30c3bbb4581b",
    "sarif": "7aa3ece95728449a36eca39c0a23ab334610c411812d8576a91b1ad5af4b8391",
    "sarif-all": "14b0f8e7ac79db3ee3f29a1b7172e77d901c73f5fc07583f6afc664a71b3e14b",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
