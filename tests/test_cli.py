"""End-to-end CLI: exit codes, error output, outputs written, schema and rules commands."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import yaml
from typer.testing import CliRunner

from tests.conftest import EXAMPLE, audit_process, checked, invoke, valid_results, write

CLEAN = {
    "sites": [{"id": "fra", "country": "DE", "owner": "infra"}],
    "storage": [
        {
            "id": "s",
            "site": "fra",
            "type": "object",
            "owner": "data",
            "classification": "confidential",
            "encryption_at_rest": {"enabled": True},
            "public_access": False,
            "retention_days": 30,
            "deletion_path": "DSR API",
            "access_logging": True,
            "backup": {"enabled": True, "isolated": True, "last_restore_test": "2026-10-01"},
        },
    ],
    "datasets": [
        {
            "id": "d",
            "personal_data": True,
            "retention_days": 30,
            "stored_in": ["s"],
            "owner": "data",
            "classification": "confidential",
            "subject_jurisdictions": ["DE"],
            "lawful_basis": "legal_obligation",
            "ropa_ref": "RoPA-1",
        },
    ],
}


def test_validate_ok(cli: CliRunner) -> None:
    result = invoke(cli, "validate", EXAMPLE)
    assert result.exit_code == 0
    assert result.stdout == "valid: 98 assets in 7 file(s)\n"


def test_validate_reports_every_error_and_exits_2(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        "bad.yaml",
        "sites:\n  - {id: a, country: DE, x: 1}\n  - {id: a}\nstorage:\n  - {id: s, site: zz}\n",
    )
    result = invoke(cli, "validate", "bad.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "bad.yaml:2:29: $.sites[0].x: unknown attribute 'x'",
        "bad.yaml:5:19: $.storage[0].site: reference to unknown asset 'zz'",
        "error: 2 input problems; nothing was audited",
    ]
    assert "Traceback" not in result.output


def test_audit_exit_codes_follow_fail_on(cli: CliRunner, tmp_path: Path) -> None:
    args = ["audit", EXAMPLE, "--out", tmp_path / "out", "--as-of", "2026-11-01"]
    assert invoke(cli, *args).exit_code == 1
    assert invoke(cli, *args, "--fail-on", "none").exit_code == 0
    clean = tmp_path / "clean.yaml"
    clean.write_text(yaml.safe_dump(CLEAN))
    assert invoke(cli, "audit", clean, "--out", tmp_path / "out2", "--fail-on", "low").exit_code == 0
    assert valid_results(json.loads((tmp_path / "out2" / "results.json").read_text()))["findings"] == []


def test_audit_writes_requested_formats(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(
        cli, "audit", EXAMPLE, "--out", out, "--as-of", "2026-11-01", "--format", "json,sarif,junit,markdown"
    )
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "results.json",
        "results.junit.xml",
        "results.sarif",
        "summary.md",
    ]
    assert valid_results(json.loads((out / "results.json").read_text()))["as_of"] == "2026-11-01"
    notice, heading = result.stdout.splitlines()[:2]  # not a TTY: plain text
    assert notice.startswith("notice: milestone eu_ai_act.annex_iii_high_risk applies from 2026-08-02")
    assert heading.startswith("Audit of Nordlicht AI GmbH as of 2026-11-01")
    assert "\x1b[" not in result.stdout
    quiet = invoke(cli, "audit", EXAMPLE, "--out", out, "--as-of", "2026-11-01", "--quiet")
    assert quiet.exit_code == 1 and quiet.stdout == ""


def test_audit_summary_on_request(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "audit", EXAMPLE, "--out", tmp_path, "--as-of", "2026-11-01", "--summary")
    assert "Audit of Nordlicht AI GmbH as of 2026-11-01: 98 assets" in result.stdout
    assert "gate: --fail-on high" in result.stdout


def test_usage_errors_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    bad_format = invoke(cli, "audit", EXAMPLE, "--out", tmp_path, "--format", "json,pdfx")
    assert bad_format.exit_code == 2 and "unknown format 'pdfx'; choose from json, sarif, junit, markdown" in " ".join(
        bad_format.stderr.split()
    )
    bad_date = invoke(cli, "audit", EXAMPLE, "--out", tmp_path, "--as-of", "22/11/2026")
    assert bad_date.exit_code == 2
    assert "'22/11/2026': expected an ISO date YYYY-MM-DD" in " ".join(bad_date.stderr.split())
    assert invoke(cli, "audit", tmp_path / "missing.yaml").exit_code == 2
    assert not (tmp_path / "results.json").exists()


def test_schema_command_prints_draft_2020_12_schemas(cli: CliRunner) -> None:
    for name in ("inventory", "policy", "results"):
        result = invoke(cli, "schema", name)
        schema = json.loads(result.stdout)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"urn:ai-infra-auditor:{name}:1"
        jsonschema.Draft202012Validator.check_schema(schema)


def test_rules_list_and_show(cli: CliRunner) -> None:
    listing = invoke(cli, "rules", "list")
    assert listing.exit_code == 0
    assert any(line.startswith("GDPR-44-TRANSFER-BASIS") for line in listing.stdout.splitlines())
    shown = invoke(cli, "rules", "show", "AI-NET-01")
    assert "min_gbps_per_gpu = 100" in shown.stdout and "hardware:" in shown.stdout
    missing = invoke(cli, "rules", "show", "NOPE-1")
    assert missing.exit_code == 2 and "no rule 'NOPE-1'" in missing.stderr


def test_installed_console_script_runs_end_to_end(tmp_path: Path) -> None:
    proc = audit_process(tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "results.sarif").exists()


def test_missing_pdf_extra_is_a_clear_error(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    real = importlib.import_module

    def no_weasyprint(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "auditor.report.pdf":
            raise ModuleNotFoundError("No module named 'weasyprint'", name="weasyprint")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", no_weasyprint)
    result = invoke(cli, "audit", EXAMPLE, "--out", tmp_path, "--format", "json,pdf")
    assert result.exit_code == 2
    assert "the pdf format needs the 'pdf' extra (weasyprint is missing)" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written, not even the JSON


def test_missing_policies_folder(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "rules", "list", "--policies", tmp_path / "nope")
    assert result.exit_code == 2
    assert "policies folder not found (give the rule packs with --policies DIR)" in result.stderr


def test_engine_announces_its_stages() -> None:
    from auditor.engine import AuditRequest, run_audit
    from auditor.policy.loader import default_policies_dir

    stages: list[str] = []
    checked(run_audit(AuditRequest([EXAMPLE], default_policies_dir(), date(2026, 11, 1)), stages.append))
    assert stages == [
        "loading and validating the inputs",
        "building the graph of 98 assets",
        "deriving facts (jurisdiction, lineage, transfers, exposure, capacity)",
        "evaluating 118 rules",
        "applying waivers and baseline",
    ]


def test_unwritable_output_folder_is_a_clear_error(cli: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be")
    result = invoke(cli, "audit", EXAMPLE, "--out", blocker, "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: cannot write the reports to {blocker}: it is a file, not a folder; "
        f"the previous reports in {blocker} were left untouched\n"
    )


def test_file_names_in_outputs_are_relative_to_the_declared_root(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # not the repository: without --root, names would be absolute
    common = ["--out", tmp_path / "out", "--as-of", "2026-11-01", "--fail-on", "none", "--format", "json,sarif"]
    assert invoke(cli, "audit", EXAMPLE, "--root", EXAMPLE.parent, *common).exit_code == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [i["path"] for i in results["inputs"]][:2] == [
        "example/00-organization.yaml",
        "example/10-sites-vendors.yaml",
    ]
    sarif = json.loads((tmp_path / "out" / "results.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris and all(uri.startswith("example/") for uri in uris)
    assert invoke(cli, "audit", EXAMPLE, *common).exit_code == 0
    absolute = json.loads((tmp_path / "out" / "results.json").read_text())["inputs"][0]["path"]
    assert absolute == (EXAMPLE / "00-organization.yaml").as_posix()
