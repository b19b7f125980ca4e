"""Baselines: only failures that are new since a previous results.json fail the gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from auditor.errors import InputError
from tests.conftest import audit_data, invoke, valid_results, write

BEFORE = {
    "organization": {"id": "acme", "country": "DE"},
    "storage": [
        {"id": "old-plain", "encryption_at_rest": {"enabled": False}},
        {"id": "fixed-later", "encryption_at_rest": {"enabled": False}},
    ],
    "datasets": [{"id": "d", "personal_data": True, "retention_days": 1, "stored_in": ["old-plain", "fixed-later"]}],
}
AFTER = {
    "organization": {"id": "acme", "country": "DE"},
    "storage": [
        {"id": "old-plain", "encryption_at_rest": {"enabled": False}},
        {"id": "fixed-later", "encryption_at_rest": {"enabled": True}},
        {"id": "new-plain", "encryption_at_rest": {"enabled": False}},
    ],
    "datasets": [
        {"id": "d", "personal_data": True, "retention_days": 1, "stored_in": ["old-plain", "fixed-later", "new-plain"]}
    ],
}


def _run(cli: CliRunner, tmp_path: Path, name: str, data: dict, *extra: str):  # type: ignore[no-untyped-def,type-arg]
    inventory = write(tmp_path, f"{name}/inventory.yaml", yaml.safe_dump(data))
    return invoke(
        cli, "audit", inventory, "--out", tmp_path / name, "--as-of", "2026-11-01", "--fail-on", "high", *extra
    )


def test_only_new_failures_fail_the_gate(cli: CliRunner, tmp_path: Path) -> None:
    first = _run(cli, tmp_path, "before", BEFORE)
    assert first.exit_code == 1
    baseline = tmp_path / "before" / "results.json"
    unchanged = _run(cli, tmp_path, "same", BEFORE, "--baseline", str(baseline))
    assert unchanged.exit_code == 0
    changed = _run(cli, tmp_path, "after", AFTER, "--baseline", str(baseline))
    assert changed.exit_code == 1
    result = valid_results(json.loads((tmp_path / "after" / "results.json").read_text()))
    states = {
        (f["rule_id"], f["asset_id"]): f["baseline_state"]
        for f in result["findings"]
        if f["rule_id"] == "GDPR-32-ENCRYPTION-AT-REST"
    }
    assert states == {
        ("GDPR-32-ENCRYPTION-AT-REST", "old-plain"): "unchanged",
        ("GDPR-32-ENCRYPTION-AT-REST", "new-plain"): "new",
    }
    assert result["summary"]["baseline"]["resolved"] >= 1
    sarif = json.loads((tmp_path / "after" / "results.sarif").read_text())
    assert {r["baselineState"] for r in sarif["runs"][0]["results"]} == {"new", "unchanged"}


def test_a_bad_baseline_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = write(tmp_path, "baseline.json", '{"schema_version": "9.0", "findings": []}\n')
    with pytest.raises(InputError) as caught:
        audit_data(tmp_path, BEFORE, baseline=bad)
    assert [str(i) for i in caught.value.issues] == [
        "baseline.json:1:20: $.schema_version: unsupported results version '9.0'"
    ]
    notes = write(tmp_path, "notes.json", '{"findings": [{"status": "FAIL"}]}\n')
    with pytest.raises(InputError) as caught:
        audit_data(tmp_path, BEFORE, baseline=notes)
    assert [i.path for i in caught.value.issues] == ["$.schema_version", "$.findings[0].fingerprint"]
