"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "4db3eecb8fd0da3ce9c90f7c7b016b40776642fd60108a37a038707954912b62",
    "sarif": "549c0641db67e78191ed241c343318ff065d6c094a4cfd4eda1f39b550214874",
    "sarif-all": "7ebf36cd91e2b802bef69a7abd0c40440e6b42665ec280731e602115881c3bf5",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
