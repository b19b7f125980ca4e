"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

import json
from pathlib import Path

from auditor.policy.values import plain
from auditor.report import jsonfmt
from bench.digests import digests

RECORDED = {
    "json": "7ce8cd45939c2faaf563db5567dd568407699b4596a88ab4eb00dc423e492483",
    "sarif": "8f1db603c21973a1a6478edd9d846197b4e1c396fef62b6b7ce3e62388d9081d",
    "sarif-all": "075ee376be4362a6c91ea72de5b9bcf6ad8466b59575132936a0777a8e25142a",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED


def test_fast_encoder_writes_the_bytes_of_the_standard_one() -> None:
    """Small floats keep their exponent (1e-05), big integers, non-ASCII text and control characters
    are written as the standard library's encoder wrote them before orjson replaced it."""
    evidence = plain(
        {
            "tiny": 0.00001,
            "small": 1.5e-05,
            "negative": -0.00002,
            "half": 0.5,
            "huge": 1e22,
            "integer": 2**70,
            "text": 'é\u2028"\\\x1f\t',
            "nested": {"b": [1, 2.25], "a": None},
        }
    )
    standard = json.dumps(evidence, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert jsonfmt.dumps(evidence, levels=0) == standard.encode("utf-8")
    assert standard.startswith('{"half":0.5,"huge":1e+22,"integer":1180591620717411303424,"negative":-2e-05,')
