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
    "json": "e876fe55b16f7d61d1ddcff1067e943ee16422a2ccec77ce497934c36f4cf278",
    "sarif": "3206e97d09a043510a7dd6b1daaa9ad65196dead1ed236f8e492d32b96813cfc",
    "sarif-all": "d3f90ef3b08b908e495d1f3654979fede0d0ef36b05a230764e06df82568ac7e",
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
