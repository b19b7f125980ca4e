"""Speed-ups keep every byte: the JSON and SARIF of a generated 2,000-asset audit are the recorded ones.

Recorded before the garbage-collector pause and the evaluator and SARIF shortcuts of issue 14,
and unchanged by them. A deliberate change of rules or report formats that alters these outputs
records the new digests printed by `.venv/bin/python -m bench.digests`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from auditor.policy.values import plain
from auditor.report import OUTPUT_FILES, ReportOptions, jsonfmt, outputs
from auditor.report.write import publish
from auditor.result import AuditResult
from bench.digests import EVERY_RESULT, audited, digests

RECORDED = {
    "json": "2f29966928d8a622a33ad2234635c90bc5ba2cf751269392fe2e93f3ba3197c1",
    "sarif": "0f4b3f6d0b7d18e0cb372f859806d6f63d7ac2caf32bb0384b103acf965d57a1",
    "sarif-all": "4a04fa8cd0cbf23d11ff806fca38a3107b9aa6a6d1dc39fea679c03f0f8eae09",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    return audited(tmp_path_factory.mktemp("generated"))


def test_generated_audit_outputs_are_byte_identical(generated: AuditResult) -> None:
    assert digests(generated) == RECORDED


def test_reports_streamed_into_the_report_folder_are_the_recorded_bytes(generated: AuditResult, tmp_path: Path) -> None:
    """What the CLI writes: JSON and SARIF rendered straight into publish's staging files."""
    json_report, sarif = outputs("json")["results.json"], outputs("sarif")["results.sarif"]
    reports = {
        "results.json": json_report(generated, ReportOptions()),
        "results.sarif": sarif(generated, ReportOptions()),
        "every-result.sarif": sarif(generated, EVERY_RESULT),
    }
    assert not any(isinstance(report, bytes) for report in reports.values())
    publish(tmp_path / "out", reports, OUTPUT_FILES)
    written = {
        name: hashlib.sha256((tmp_path / "out" / file).read_bytes()).hexdigest()
        for name, file in (("json", "results.json"), ("sarif", "results.sarif"), ("sarif-all", "every-result.sarif"))
    }
    assert written == RECORDED


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


def test_items_are_laid_out_as_the_list_of_them_would_be() -> None:
    """jsonfmt.Items (made while written) gives the bytes of a list, empty or not, at every laid-out
    level; inside a compact value it is refused, not written as something else."""
    rows = [{"b": 1, "a": [1, {"y": 2, "x": None}]}, {"c": "é"}]
    for levels in range(2, 5):
        lazy = {"rows": jsonfmt.Items(iter(rows)), "none": jsonfmt.Items(iter([])), "z": 1}
        assert jsonfmt.dumps(lazy, levels) == jsonfmt.dumps({"rows": rows, "none": [], "z": 1}, levels), levels
    with pytest.raises(TypeError, match="type Items is not JSON serializable"):
        jsonfmt.dumps({"rows": jsonfmt.Items(iter(rows))}, 1)
    assert (
        jsonfmt.dumps({"rows": jsonfmt.Items(iter(rows))}, 2)
        == b'{\n "rows": [\n  {"a":[1,{"x":null,"y":2}],"b":1},\n  {"c":"\xc3\xa9"}\n ]\n}'
    )
