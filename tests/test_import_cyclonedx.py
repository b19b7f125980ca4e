"""`auditor import cyclonedx`: the public CycloneDX ML-BOM example, overlaid with privacy facts and audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


TWINS = {suffix: DATA / "cyclonedx" / f"valid-machine-learning-1.6.{suffix}" for suffix in ("xml", "json")}


def _imported(cli: CliRunner, bom: Path, out: Path) -> tuple[list[str], dict[str, Any]]:
    result = invoke(cli, "import", "cyclonedx", bom, "-o", out)
    assert result.exit_code == 0, result.stderr
    document = yaml.safe_load((out / f"cyclonedx-{bom.stem}.yaml").read_text(encoding="utf-8"))
    return result.stdout.splitlines()[1:], document


def test_xml_bom_imports_as_its_json_twin(cli: CliRunner, tmp_path: Path) -> None:
    """CycloneDX's own 1.6 ML-BOM test pair: the XML gives the inventory of the JSON, with element lines."""
    summary, from_xml = _imported(cli, TWINS["xml"], tmp_path / "xml")
    json_summary, from_json = _imported(cli, TWINS["json"], tmp_path / "json")
    assert (
        summary
        == json_summary
        == [
            "mapped: 1 resource of 1 type(s)",
            "  machine-learning-model: 1",
            "skipped: 0 resources of 0 type(s)",
            "unknown: 0 resources of 0 type(s)",
        ]
    )
    xml_lines = {a["id"]: a["labels"].pop("import.location") for k in ("datasets", "workloads") for a in from_xml[k]}
    json_lines = {a["id"]: a["labels"].pop("import.location") for k in ("datasets", "workloads") for a in from_json[k]}
    assert from_xml == from_json
    xml = "tests/data/cyclonedx/valid-machine-learning-1.6.xml"
    assert xml_lines == {"cdx.component-a": f"{xml}:4", "cdx.component-a.dataset.0": f"{xml}:19"}
    # The JSON holds surrogate-pair escapes (an emoji) that the position reader must get past
    json = "tests/data/cyclonedx/valid-machine-learning-1.6.json"
    assert json_lines == {"cdx.component-a": f"{json}:8", "cdx.component-a.dataset.0": f"{json}:25"}
    model = assets(from_xml, "workloads")["cdx.component-a"]
    assert (model["name"], model["type"], model["reads"]) == (
        "stable-diffusion",
        "training",
        ["cdx.component-a.dataset.0"],
    )
    assert model["labels"]["cyclonedx.inputs"] == "string"
    dataset = assets(from_xml, "datasets")["cdx.component-a.dataset.0"]
    assert (dataset["name"], dataset["classification"], dataset["labels"]["cyclonedx.url"]) == (
        "Training Data",
        "public",
        "https://example.com/path/to/dataset",
    )


def test_xml_data_components_refs_governance_and_properties_map_as_in_json(cli: CliRunner, tmp_path: Path) -> None:
    """The XML forms that differ from JSON: repeated `<data>`, `<ref>` in `datasets`, `<owners><owner>`,
    `<property name>`; plus a skipped and an unknown component type."""
    bom = tmp_path / "bom.xml"
    bom.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components>
    <component type="machine-learning-model" bom-ref="model">
      <name>classifier</name>
      <modelCard>
        <modelParameters>
          <datasets><ref>tickets</ref></datasets>
        </modelParameters>
        <properties><property name="quantization">bfloat16</property></properties>
      </modelCard>
      <properties><property name="huggingface:parameters">7B</property></properties>
    </component>
    <component type="data" bom-ref="tickets">
      <name>tickets</name>
      <data>
        <type>dataset</type>
        <name>Ticket texts</name>
        <classification>confidential</classification>
        <governance><owners><owner><organization><name>Support</name></organization></owner></owners></governance>
      </data>
      <data><type>configuration</type><name>not a dataset</name></data>
    </component>
    <component type="library"><name>torch</name></component>
    <component type="thing"><name>odd</name></component>
  </components>
</bom>
""",
        encoding="utf-8",
    )
    summary, document = _imported(cli, bom, tmp_path / "out")
    assert summary == [
        "mapped: 2 resources of 2 type(s)",
        "  data: 1",
        "  machine-learning-model: 1",
        "skipped: 1 resource of 1 type(s)",
        "  library: 1",
        "unknown: 1 resource of 1 type(s)",
        "  thing: 1",
    ]
    model = assets(document, "workloads")["cdx.model"]
    assert (model["reads"], model["parameters_billion"], model["precision"]) == (["cdx.tickets.0"], 7.0, "bf16")
    assert model["labels"]["import.location"].endswith("bom.xml:4")
    dataset = assets(document, "datasets")["cdx.tickets.0"]
    assert (dataset["name"], dataset["classification"], dataset["owner"], dataset["labels"]["import.location"]) == (
        "Ticket texts",
        "confidential",
        "Support",
        f"{dataset['labels']['import.location'].rsplit(':', 1)[0]}:16",
    )


HOSTILE = {
    "laughs.xml": """<?xml version="1.0"?>
<!DOCTYPE bom [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="data"><name>&lol3;</name>
</component></components></bom>
""",
    "xxe.xml": """<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="data"><name>&secret;</name>
</component></components></bom>
""",
    "dtd.xml": """<?xml version="1.0"?>
<!DOCTYPE bom SYSTEM "http://example.com/bom.dtd">
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>
""",
    "broken.xml": '<bom xmlns="http://cyclonedx.org/schema/bom/1.6">\n<components>\n</bom>\n',
    "old.xml": '<bom xmlns="http://cyclonedx.org/schema/bom/1.4">\n</bom>\n',
    "other.xml": "<project/>\n",
    "deep.xml": '<bom xmlns="http://cyclonedx.org/schema/bom/1.6">\n' + "<a>" * 70 + "</a>" * 70 + "</bom>\n",
}


def test_hostile_and_bad_xml_boms_are_refused_naming_the_file(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for name, text in HOSTILE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    outputs = {name: invoke(cli, "import", "cyclonedx", name, "-o", "out") for name in HOSTILE}
    refused = "refused (entity expansion and external entities are not read)"
    assert {name: (r.exit_code, r.stderr.splitlines()[0]) for name, r in outputs.items()} == {
        "laughs.xml": (2, f"laughs.xml:3:15: $: entity declaration 'lol' {refused}"),
        "xxe.xml": (2, f"xxe.xml:2:59: $: entity declaration 'secret' {refused}"),
        "dtd.xml": (
            2,
            "dtd.xml:2:50: $: external reference 'http://example.com/bom.dtd' refused"
            " (external DTDs and entities are not fetched)",
        ),
        "broken.xml": (2, "broken.xml:3:3: $: not well-formed XML: mismatched tag"),
        "old.xml": (2, "old.xml:1:1: $.specVersion: CycloneDX '1.4' is not supported; known: 1.5, 1.6, 1.7"),
        "other.xml": (2, "other.xml:1:1: $: not a CycloneDX BOM"),
        "deep.xml": (2, "deep.xml:2:190: $: nesting deeper than 64 levels"),
    }
    assert all(r.stderr.splitlines()[1:] == ["error: 1 input problem; nothing was written"] for r in outputs.values())
    assert not (tmp_path / "out").exists()
