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


def test_model_card_parameters_and_quantisation_size_the_model(cli: CliRunner, tmp_path: Path) -> None:
    """The public example's model parameters become labels; parameter count and quantisation properties (not
    standard model-card fields, added here as a BOM would carry them) become what the memory rules read."""
    bom = json.loads(BOM.read_text(encoding="utf-8"))
    model = next(c for c in bom["components"] if c["type"] == "machine-learning-model")
    overlay = tmp_path / "on-dgx.yaml"
    overlay.write_text(
        f"overlays: [{{id: cdx.{model['bom-ref']}, runs_on: [dgx], gpus: 8, optimizer: adamw, sharding: none}}]\n",
        encoding="utf-8",
    )
    sizes, memory = {}, {}
    for count, precision in (("7B", "bfloat16"), ("1000000000", "8-bit"), ("0.5b", "gptq")):
        model["properties"] = [{"name": "huggingface:parameters", "value": count}]
        model["modelCard"]["properties"] = [{"name": "quantization", "value": precision}]
        source, out = tmp_path / f"{count}.json", tmp_path / count
        source.write_text(json.dumps(bom), encoding="utf-8")
        assert invoke(cli, "import", "cyclonedx", source, "-o", out, "--overlay", overlay).exit_code == 0
        (imported,) = yaml.safe_load((out / f"cyclonedx-{count}.yaml").read_text(encoding="utf-8"))["workloads"]
        sizes[count] = (imported.get("parameters_billion"), imported.get("precision"), imported["labels"])
        (out / "node.yaml").write_text(
            "compute: [{id: dgx, accelerator: {model: H100 SXM, count: 8}}]\n", encoding="utf-8"
        )
        memory[count] = [(f.status.value, f.message) for f in audited(out).results() if f.rule_id == "AI-MEM-TRAIN-01"]
    labels = sizes["7B"][2]
    assert {k: v for k, v in labels.items() if k.startswith("cyclonedx.")} == {
        "cyclonedx.type": "machine-learning-model",
        "cyclonedx.version": "1.0.0",
        "cyclonedx.publisher": "Example ML Team",
        "cyclonedx.task": "text-classification",
        "cyclonedx.approach": "supervised",
        "cyclonedx.architecture_family": "transformer",
        "cyclonedx.architecture": "encoder-only transformer",
        "cyclonedx.inputs": "text/plain",
        "cyclonedx.outputs": "application/json",
        "cyclonedx.quantization": "bfloat16",
    }
    assert [(p, q) for p, q, _ in sizes.values()] == [(7.0, "bf16"), (1.0, "int8"), (0.5, None)]
    # 7B bf16 with AdamW unsharded: 2 + 2 + 12 bytes per parameter = 112 GB per GPU; 1B int8: 15 GB. An unknown
    # quantisation (gptq) leaves precision undeclared: the rule then assumes its 16-bit default.
    assert memory == {
        "7B": [
            (
                "FAIL",
                "cdx.component-support-ticket-classifier needs 112 GB per GPU (weights 14, gradients 14, optimizer"
                " 84, activations 0 GB, estimated: False) but 72 GB of 80 GB is usable",
            )
        ],
        "1000000000": [("PASS", "")],
        "0.5b": [("PASS", "")],
    }
