"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

from pathlib import Path

from bench.digests import digests

RECORDED = {
    "json": "2df63582c236d8649b97a399a859a89a514e0d1b76eb2bd3ffb9c54d225f945f",
    "sarif": "162f4f5366cd6652728646bfaa73972ad4922f13e22774277e7177043927862c",
    "sarif-all": "b6cc4b651cd15627af7243a1b10fc5ef3b691bf71a0e5a7a07c62486a6c54347",
}


def test_generated_audit_outputs_are_byte_identical(tmp_path: Path) -> None:
    assert digests(tmp_path) == RECORDED
