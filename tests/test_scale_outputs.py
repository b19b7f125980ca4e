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
    "json": "aadff9ee7e9bc5a481d83be77ec67b9f1dd78cb80db52a778582fd1717a2d1e3",
    "sarif": "919ecc46ad7dea9865fa7f928090dbbfab761823f087ff007e32f0229d8512ee",
    "sarif-all": "1160591759cff1812883382697064e4ceef885d4fe3faad7cd01303c5b401512",
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
