"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "e56053a9c065c905f59de246d01ee3db2e9e1a9405a36b19e953751d5b77e6cb",
    "sarif": "08ffd5f8cea6f51d07cd5da021e28321875254207cca0f163b224eda92a43f55",
    "sarif-all": "692360c831620c8c4c9f261fd3ede438c5037f104d34651c472324fdb3716b8d",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
