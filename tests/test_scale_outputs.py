"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "16388ab49d47d07552a940a72737062e9e60c5712c2e1fb6114cb845f39efdea",
    "sarif": "0c7d33d724abc06e4d429b6014a9ec6d3b82de6d1240a292968f3cdbc2841925",
    "sarif-all": "adc7d5135e3307959be3dcb97ab73fe050937874f9e8e3fad40fdc233a03feee",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
