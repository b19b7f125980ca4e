"""Shared helpers: write small inventories, run audits and the CLI, check results against their schema."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from auditor.cli import app
from auditor.engine import AuditInputs, AuditRequest, audit, run_audit
from auditor.errors import InputError
from auditor.inventory.loader import load_inventory
from auditor.inventory.parse_cache import ParseCache
from auditor.policy.config import load_config
from auditor.policy.frameworks import Framework, load_frameworks
from auditor.policy.loader import PolicySet, default_policies_dir, load_policies
from auditor.report import json_report
from auditor.result import AuditResult
from auditor.schemas import shipped

AS_OF = date(2026, 11, 1)
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "inventories" / "example"
RULE_CASES = REPO / "tests" / "rules"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where PyYAML was built with it
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture(autouse=True, scope="session")
def _private_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """CLI runs in tests keep their YAML parses in a folder of the test session, not the user's cache."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


def audit_process(out: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`auditor audit` of the example as a separate process, from the repository root."""
    command = [sys.executable, "-m", "auditor.cli", "audit", str(EXAMPLE), "--out", str(out), "--as-of", "2026-11-01"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=REPO, check=False, env={**os.environ, **(env or {})}
    )


def rule_text(rule_id: str, **fields: Any) -> dict[str, Any]:
    """A minimal valid rule as data, with `fields` replacing or adding keys."""
    return {
        "id": rule_id,
        "title": "t",
        "severity": "low",
        "description": "d",
        "rationale": "r",
        "remediation": "m",
        "references": {"x": ["1"]},
        "applies_to": {"kinds": ["storage"]},
        "condition": {"path": "public_access", "op": "eq", "value": False},
        **fields,
    }


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def load_outcome(path: Path, cache: ParseCache | None = None) -> Any:
    """What loading a file or folder gives that a faster reader could change: the assets, every location
    with its extent, the files; or the error's text."""
    try:
        inventory = load_inventory([path], root=path if path.is_dir() else path.parent, cache=cache)
    except InputError as exc:
        return str(exc)
    places = {key: (str(at), at.end_line, at.end_column) for key, at in inventory.locations.items()}
    return inventory.assets, places, inventory.files


@functools.cache
def rule_case_specs() -> tuple[tuple[Path, dict[str, Any]], ...]:
    """Every tests/rules/*.yaml file and its spec (rule, config, cases), read once per process by libyaml:
    three modules parametrize over them, and PyYAML's Python reader took seconds of each collection.
    Shared: a test reads a case, never changes it."""
    paths = sorted(RULE_CASES.glob("*.yaml"))
    return tuple((path, yaml.load(path.read_bytes(), Loader=_YAML_LOADER)) for path in paths)


@functools.cache
def _results_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(shipped("results")))


def results_schema_errors(document: Any) -> list[str]:
    """Where a results.json document breaks the shipped schema (empty: it is valid)."""
    return sorted(f"{e.json_path}: {e.message}" for e in _results_validator().iter_errors(document))


def valid_results(document: Any) -> Any:
    assert results_schema_errors(document) == []
    return document


def checked(result: AuditResult) -> AuditResult:
    """The result, once its results.json has been rendered and found valid against the shipped schema."""
    valid_results(json.loads(json_report.render(result)))
    return result


# A test inventory that declares no organisation stands for a controller established in Germany,
# so that the GDPR applies (Art. 3(1)) and the CCPA does not unless the test says otherwise.
DEFAULT_ORGANIZATION = {"id": "test-controller", "country": "DE"}


def with_organization(data: dict[str, Any]) -> dict[str, Any]:
    return data if "organization" in data else {"organization": DEFAULT_ORGANIZATION, **data}


def write_inventory(path: Path, data: dict[str, Any]) -> Path:
    """`data` (with the default organisation unless it declares one) written to `path` as YAML, in its own
    order; libyaml's safe dumper writes the same text as yaml.safe_dump, about 5x faster over the rule cases."""
    path.write_text(yaml.dump(with_organization(data), Dumper=_YAML_DUMPER, sort_keys=False), encoding="utf-8")
    return path


def audit_data(tmp_path: Path, data: dict[str, Any], as_of: date = AS_OF, **kwargs: Any) -> AuditResult:
    """Audit `data` (with the default organisation unless it declares one) on the bundled packs."""
    path = write_inventory(tmp_path / "inventory.yaml", data)
    return checked(run_audit(AuditRequest([path], default_policies_dir(), as_of, **kwargs)))


@cache
def bundled() -> tuple[PolicySet, dict[str, Framework]]:
    """The bundled packs and frameworks, loaded (and compiled) once per test session."""
    folder = default_policies_dir()
    policies = load_policies(folder)
    return policies, load_frameworks(folder, policies)


def audit_rule(
    tmp_path: Path, rule_id: str, data: dict[str, Any], as_of: date = AS_OF, config: dict[str, Any] | None = None
) -> AuditResult:
    """Audit `data` with only `rule_id` evaluated, on the bundled packs loaded once."""
    policies, frameworks = bundled()
    path = write_inventory(tmp_path / "inventory.yaml", data)
    config_path = None
    if config is not None:
        config_path = tmp_path / "config.yaml"
        config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    inputs = AuditInputs(load_inventory([path]), policies, frameworks, load_config(config_path, policies))
    return checked(audit(inputs, as_of, only=[rule_id], allow_empty=True))  # a rule out of force evaluates nothing


def statuses(result: AuditResult, rule_id: str) -> dict[str, str]:
    return {f.asset_id: f.status.value for f in result.results() if f.rule_id == rule_id}


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, [str(a) for a in args])
