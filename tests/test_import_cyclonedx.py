"""`auditor import cyclonedx`: the public CycloneDX ML-BOM example, overlaid with privacy facts and audited."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tests.conftest import DEFAULT_ORGANIZATION, invoke
from tests.test_import_terraform import assets, audited, by_rule

DATA = Path(__file__).parent / "data"
BOM = DATA / "cyclonedx" / "model-card-with-dataset.bom.json"
OUTPUT = "cyclonedx-model-card-with-dataset.bom.yaml"


def test_model_card_datasets_become_datasets_the_training_reads(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "import", "cyclonedx", BOM, "-o", tmp_path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:4] == [
        "mapped: 3 resources of 2 type(s)",
        "  data: 2",
        "  machine-learning-model: 1",
    ]
    document = yaml.safe_load((tmp_path / OUTPUT).read_text(encoding="utf-8"))
    model = assets(document, "workloads")["cdx.component-support-ticket-classifier"]
    assert (model["type"], model["reads"]) == (
        "training",
        ["cdx.data-support-ticket-evaluation-data", "cdx.data-support-ticket-training-data"],
    )
    assert model["labels"]["cyclonedx.task"] == "text-classification"
    training = assets(document, "datasets")["cdx.data-support-ticket-training-data"]
    assert (training["name"], training["classification"], training["labels"]["import.location"]) == (
        "Support Ticket Training Data",
        "internal",
        "tests/data/cyclonedx/model-card-with-dataset.bom.json:99",
    )


def test_overlaid_bom_audits_with_exact_gdpr_findings(cli: CliRunner, tmp_path: Path) -> None:
    overlay = DATA / "overlays" / "support-tickets-privacy.yaml"
    assert invoke(cli, "import", "cyclonedx", BOM, "-o", tmp_path, "--overlay", overlay).exit_code == 0
    (tmp_path / "organization.yaml").write_text(
        yaml.safe_dump({"organization": DEFAULT_ORGANIZATION}), encoding="utf-8"
    )
    result = audited(tmp_path)
    training = "cdx.data-support-ticket-training-data"
    assert by_rule(result, "GDPR-6-LAWFUL-BASIS")[training] == "FAIL"
    assert by_rule(result, "GDPR-5-RETENTION-PERIOD")[training] == "FAIL"
    assert by_rule(result, "SEC-ASSET-OWNER")[training] == "PASS"
    assert by_rule(result, "SEC-ASSET-OWNER")["cdx.data-support-ticket-evaluation-data"] == "FAIL"


def test_bad_boms_are_located_errors(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    bom = json.loads(BOM.read_text(encoding="utf-8"))
    bom["components"][0]["modelCard"]["modelParameters"]["datasets"][0]["ref"] = "missing"
    (tmp_path / "ref.json").write_text(json.dumps(bom, indent=2), encoding="utf-8")
    (tmp_path / "old.json").write_text('{"bomFormat": "CycloneDX", "specVersion": "1.4"}', encoding="utf-8")
    outputs = {name: invoke(cli, "import", "cyclonedx", name, "-o", "out") for name in ("ref.json", "old.json")}
    assert {name: (r.exit_code, r.stderr.splitlines()) for name, r in outputs.items()} == {
        "ref.json": (2, [
            "ref.json:36:22: $.components[0].modelCard.modelParameters.datasets[0].ref:"
            " no data component has bom-ref 'missing'",
            "error: 1 input problem; nothing was written",
        ]),
        "old.json": (2, [
            "old.json:1:43: $.specVersion: CycloneDX '1.4' is not supported; known: 1.5, 1.6, 1.7",
            "error: 1 input problem; nothing was written",
        ]),
    }  # fmt: skip
