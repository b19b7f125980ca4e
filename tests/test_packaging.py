"""Promises about the package itself: shipped schemas current, valid data, cheap imports."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from auditor.schemas import SCHEMAS, shipped, text
from tests.conftest import EXAMPLE, REPO, audit_process, results_schema_errors, valid_results


def test_shipped_schemas_are_current() -> None:
    for name in SCHEMAS:
        assert shipped(name) == text(name), f"run: python -m auditor.schemas ({name} schema is stale)"


def test_example_inventory_files_validate_against_the_json_schema() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(shipped("inventory")))
    for path in sorted(EXAMPLE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        data = json.loads(json.dumps(data, default=str))  # YAML dates -> ISO strings, as JSON has them
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path.name


def test_json_schema_rejects_what_the_loader_rejects() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(shipped("inventory")))
    assert not validator.is_valid({"sites": [{"id": "a", "colour": "red"}]})
    assert not validator.is_valid({"storage": [{"id": "s", "encryption_at_rest": {"enabled": "yes"}}]})


def test_bundled_rules_validate_against_the_policy_schema() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(shipped("policy")))
    bundled = (REPO / "auditor" / "policies").rglob("*.yaml")
    rules = [p for p in bundled if p.name != "pack.yaml" and "frameworks" not in p.parts]
    assert rules
    for path in rules:
        data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        assert [e.message for e in validator.iter_errors(data)] == [], path.name


@pytest.fixture(scope="module")
def example_results(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """results.json of the example audited as `make audit` does: waivers, config (an extra pack)."""
    out = tmp_path_factory.mktemp("example")
    waivers, config = EXAMPLE.parent / "example.waivers.yaml", EXAMPLE.parent / "example.config.yaml"
    proc = audit_process(out, "--waivers", str(waivers), "--config", str(config), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    return json.loads((out / "results.json").read_text())


def test_results_of_the_bundled_example_audit_validate_against_the_results_schema(example_results: Any) -> None:
    valid_results(example_results)
    assert {f["status"] for f in example_results["findings"]} == {"FAIL", "NOT_EVALUABLE", "NOT_APPLICABLE"}
    assert [w["state"] for w in example_results["waivers"]] == ["active", "expired"]


def test_results_schema_refuses_unknown_values_missing_and_extra_keys(example_results: Any) -> None:
    good = example_results
    bad = copy.deepcopy(good)
    bad["findings"][0]["status"] = "PASSED"
    bad["findings"][1]["severity"] = "urgent"
    del bad["findings"][2]["fingerprint"]
    del bad["summary"]["results"]["WAIVED"]
    bad["rules"][0]["colour"] = "red"
    bad["summary"]["open_failures_by_severity"]["severe"] = 1
    assert results_schema_errors(bad) == [
        "$.findings[0].status: 'PASSED' is not one of ['FAIL', 'NOT_EVALUABLE', 'NOT_APPLICABLE']",
        "$.findings[1].severity: 'urgent' is not one of ['info', 'low', 'medium', 'high', 'critical']",
        "$.findings[2]: 'fingerprint' is a required property",
        "$.rules[0]: Additional properties are not allowed ('colour' was unexpected)",
        "$.summary.open_failures_by_severity: 'severe' is not one of ['info', 'low', 'medium', 'high', 'critical']",
        "$.summary.results: 'WAIVED' is a required property",
    ]
    assert results_schema_errors({**good, "findings": [{**good["findings"][0], "status": "PASS"}]}) == [
        "$.findings[0].status: 'PASS' is not one of ['FAIL', 'NOT_EVALUABLE', 'NOT_APPLICABLE']"
    ]


HEAVY = {"weasyprint", "matplotlib", "jinja2", "jsonschema", "cryptography", "sqlite3", "networkx"}  # networkx: 0.2 s
GATE_SCRIPT = """
import sys
from auditor.cli import main
inventory, out = sys.argv[1:3]
sys.argv = ["auditor", "audit", inventory, "--out", out, "--format", "json,sarif", "--fail-on", "none"]
try:
    main()
except SystemExit:
    pass
print(sorted({name.split(".")[0] for name in sys.modules}))
"""


def test_ci_gate_path_does_not_import_heavy_modules(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", GATE_SCRIPT, str(EXAMPLE), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1].replace("'", '"')))
    assert "auditor" in loaded and (tmp_path / "results.sarif").exists()
    assert loaded & HEAVY == set()
