"""`auditor import terraform`: real public plans (checkov's test data) and one written for the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from typer.testing import CliRunner

from auditor.engine import AuditInputs, audit
from auditor.inventory.loader import load_inventory
from auditor.policy.config import load_config
from auditor.result import AuditResult
from tests.conftest import AS_OF, bundled, checked, invoke

DATA = Path(__file__).parent / "data"
TF = DATA / "terraform"


def imported(cli: CliRunner, tmp_path: Path, name: str, *extra: str) -> dict[str, Any]:
    result = invoke(cli, "import", "terraform", TF / name, "-o", tmp_path, *extra)
    assert result.exit_code == 0, result.output
    return yaml.safe_load((tmp_path / f"terraform-{Path(name).stem}.yaml").read_text(encoding="utf-8"))


def assets(document: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in document.get(section, [])}


def audited(*paths: Path) -> AuditResult:
    policies, frameworks = bundled()
    inputs = AuditInputs(load_inventory(list(paths)), policies, frameworks, load_config(None, policies))
    return checked(audit(inputs, AS_OF))


def by_rule(result: AuditResult, rule_id: str) -> dict[str, str]:
    return {f.asset_id: f.status.value for f in result.results() if f.rule_id == rule_id}


def test_terragoat_plan_summary_lists_mapped_skipped_and_unknown(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "import", "terraform", TF / "terragoat-aws-plan.json", "-o", tmp_path)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"wrote {tmp_path.as_posix()}/terraform-terragoat-aws-plan.yaml: 22 assets"
    assert "mapped: 25 resources of 13 type(s)" in lines
    assert "skipped: 30 resources of 26 type(s)" in lines
    assert lines[-1] == "unknown: 0 resources of 0 type(s)"
    assert "  aws_s3_bucket: 6" in lines and "  aws_iam_role: 3" in lines
    assert (
        "  aws_kms_key: 1" in lines[1 : lines.index("skipped: 30 resources of 26 type(s)")]
    )  # read through the logs bucket


def test_terragoat_buckets_databases_and_exposure(cli: CliRunner, tmp_path: Path) -> None:
    document = imported(cli, tmp_path, "terragoat-aws-plan.json")
    storage = assets(document, "storage")
    assert storage["aws_s3_bucket.data"] == {
        "id": "aws_s3_bucket.data",
        "name": "123456789123-acme-corp-data",
        "labels": {
            "import.address": "aws_s3_bucket.data",
            "import.location": "tests/data/terraform/terragoat-aws-plan.json:789",
            "import.region": "us-west-2",
            "import.source": "terraform",
        },
        "country": "US",
        "type": "object",
        "public_access": True,
    }
    assert storage["aws_db_instance.default"]["encryption_at_rest"] == {"enabled": False, "key_management": "none"}
    assert storage["aws_db_instance.default"]["public_access"] is True
    assert storage["aws_db_instance.default"]["backup"] == {"enabled": False}
    assert storage["aws_s3_bucket.data_science"]["access_logging"] is True
    # kms_master_key_id is known only after apply, but the configuration references the key: a customer key.
    assert storage["aws_s3_bucket.logs"]["encryption_at_rest"] == {
        "enabled": True,
        "key_management": "customer",
        "key": "aws_kms_key.logs_key",
        "key_rotation_days": 0,
    }
    compute = assets(document, "compute")
    # 22 and 80 from 0.0.0.0/0 through security group web-node; the public address is known only after apply.
    assert compute["aws_instance.web_host"]["open_ports"] == [22, 80]
    assert compute["aws_instance.web_host"]["networks"] == ["aws_security_group.web-node", "aws_subnet.web_subnet"]
    assert "public_ip" not in compute["aws_instance.web_host"]
    assert compute["aws_elb.weblb"]["forwards_to"] == ["aws_instance.web_host"]
    networks = assets(document, "networks")
    assert networks["aws_security_group.web-node"]["allowed_sources"] == ["0.0.0.0/0"]
    assert networks["aws_vpc.web_vpc"]["connects"] == ["aws_subnet.web_subnet", "aws_subnet.web_subnet2"]
    assert assets(document, "clusters")["aws_eks_cluster.eks_cluster"]["scheduler"] == "kubernetes"


def test_terragoat_import_validates_and_audits_with_exact_findings(cli: CliRunner, tmp_path: Path) -> None:
    imported(cli, tmp_path, "terragoat-aws-plan.json")
    assert invoke(cli, "validate", tmp_path).stdout == "valid: 22 assets in 1 file(s)\n"
    result = audited(tmp_path)
    assert {a for a, s in by_rule(result, "SEC-PUBLIC-DATASTORE").items() if s == "FAIL"} == {
        "aws_db_instance.default",
        "aws_s3_bucket.data",
    }
    # Undeclared public flags and addresses give NOT_EVALUABLE, never a guessed PASS.
    assert by_rule(result, "SEC-PUBLIC-DATASTORE")["aws_s3_bucket.logs"] == "NOT_EVALUABLE"
    assert set(by_rule(result, "SEC-OPEN-PORTS").values()) == {"NOT_EVALUABLE"}
    # The logs bucket's SSE key is aws_kms_key.logs_key, with enable_key_rotation false: the only store it judges.
    assert by_rule(result, "SEC-KEY-ROTATION") == {"aws_s3_bucket.logs": "FAIL"}
    (rotation,) = [f for f in result.results() if f.rule_id == "SEC-KEY-ROTATION"]
    assert (
        rotation.message
        == "the key aws_kms_key.logs_key of store aws_s3_bucket.logs is not rotated automatically within the period"
    )


def test_overlay_adds_privacy_facts_and_replaces_on_purpose(cli: CliRunner, tmp_path: Path) -> None:
    overlay = DATA / "overlays" / "terragoat-privacy.yaml"
    document = imported(cli, tmp_path, "terragoat-aws-plan.json", "--overlay", overlay)
    bucket = assets(document, "storage")["aws_s3_bucket.data"]
    assert (bucket["owner"], bucket["classification"], bucket["public_access"]) == (
        "data-platform",
        "confidential",
        False,
    )
    assert bucket["labels"]["ticket"] == "PRIV-42"
    result = audited(tmp_path)
    assert by_rule(result, "SEC-PUBLIC-DATASTORE")["aws_s3_bucket.data"] == "PASS"
    assert by_rule(result, "SEC-PUBLIC-DATASTORE")["aws_db_instance.default"] == "FAIL"
    assert by_rule(result, "SEC-ASSET-OWNER")["aws_db_instance.default"] == "PASS"


def test_overlay_conflicts_and_unknown_ids_are_located_errors(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_bytes((TF / "terragoat-aws-plan.json").read_bytes())
    (tmp_path / "a.yaml").write_text(
        "overlays:\n  - id: aws_s3_bucket.data\n    public_access: false\n    owner: a\n  - id: aws_s3_bucket.dta\n"
        "    owner: x\n",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text(
        "overlays:\n  - {id: aws_s3_bucket.data, owner: b, colour: red}\n", encoding="utf-8"
    )
    result = invoke(cli, "import", "terraform", "plan.json", "-o", "out", "--overlay", "a.yaml", "--overlay", "b.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "a.yaml:3:20: $.overlays[0].public_access: public_access conflicts with the imported value true"
        " (aws_s3_bucket.data at plan.json:789:11); add 'public_access' to replaces: to override it",
        "a.yaml:5:9: $.overlays[1].id: no imported asset has id 'aws_s3_bucket.dta';"
        " did you mean 'aws_s3_bucket.data'?",
        "b.yaml:2:37: $.overlays[0].owner: owner of aws_s3_bucket.data is already set by an overlay at a.yaml:4:12",
        "b.yaml:2:48: $.overlays[0].colour: unknown attribute 'colour'",
        "error: 4 input problems; nothing was written",
    ]
    assert not (tmp_path / "out").exists()


def test_gpu_instances_and_node_pools_get_accelerators_from_the_catalog(cli: CliRunner, tmp_path: Path) -> None:
    compute = assets(imported(cli, tmp_path, "written-gpu-platform-plan.json"), "compute")
    hardware = {
        ident: (a.get("count", 1), a["instance_type"], a["accelerator"], a.get("country"))
        for ident, a in compute.items()
    }
    assert hardware == {
        "aws_instance.trainer": (1, "p5.48xlarge", {"model": "H100 SXM", "count": 8}, "DE"),
        "google_container_node_pool.h100": (4, "a3-highgpu-8g", {"model": "H100 SXM", "count": 8}, "NL"),
        "azurerm_kubernetes_cluster_node_pool.nd": (
            2,
            "Standard_ND96isr_H100_v5",
            {"model": "H100 SXM", "count": 8},
            None,
        ),
    }
    # 22 to 0.0.0.0/0 and 443 to ::/0; 9100 is open to 10.0.0.0/16 only.
    assert compute["aws_instance.trainer"]["open_ports"] == [22, 443]


def test_known_after_apply_is_left_undeclared(cli: CliRunner, tmp_path: Path) -> None:
    document = imported(cli, tmp_path, "written-gpu-platform-plan.json")
    storage = assets(document, "storage")
    # storage_encrypted and kms_key_id are known only after apply: no encryption_at_rest at all.
    assert "encryption_at_rest" not in storage["aws_db_instance.features"]
    assert "encryption_at_rest" not in storage["aws_fsx_lustre_file_system.scratch"]
    assert "public_ip" not in assets(document, "compute")["aws_instance.trainer"]
    training = storage["aws_s3_bucket.training"]
    # The key is named by its ARN but not in the plan: its rotation stays undeclared (SEC-KEY-ROTATION NOT_EVALUABLE).
    key = "arn:aws:kms:eu-central-1:111122223333:key/1"
    assert training["encryption_at_rest"] == {"enabled": True, "key_management": "customer", "key": key}
    assert (training["public_access"], training["retention_days"], training["labels"]["versioning"]) == (
        False,
        365,
        "enabled",
    )
    assert storage["aws_fsx_lustre_file_system.scratch"]["read_gbytes_s"] == 1.172  # 250 MB/s/TiB x 4800 GiB
    assert storage["google_storage_bucket.datasets"]["country"] == "NL"  # EUROPE-WEST4
    assert storage["azurerm_storage_account.exports"]["country"] == "NL"  # West Europe


def test_strict_fails_on_unknown_types(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(TF.parent.parent.parent)
    result = invoke(
        cli, "import", "terraform", "tests/data/terraform/written-gpu-platform-plan.json", "-o", tmp_path, "--strict"
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "tests/data/terraform/written-gpu-platform-plan.json:1:1: $: unknown terraform type"
        " 'aws_cloudfront_distribution' (1 found); not imported",
        "error: 1 input problem; nothing was written",
    ]


def test_output_is_byte_deterministic(cli: CliRunner, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert invoke(cli, "import", "terraform", TF / "terragoat-aws-plan.json", "-o", out).exit_code == 0
    name = "terraform-terragoat-aws-plan.yaml"
    assert (first / name).read_bytes() == (second / name).read_bytes()


def test_gcp_azure_and_eks_public_plans(cli: CliRunner, tmp_path: Path) -> None:
    gce = assets(imported(cli, tmp_path, "gcp-instance-plan.json"), "compute")["google_compute_instance.default"]
    assert (gce["instance_type"], gce["public_ip"], gce["country"]) == ("e2-medium", True, "US")
    networks = assets(imported(cli, tmp_path, "gcp-firewall-modules-plan.json"), "networks")
    # The four firewall rules are EGRESS: no port is opened to the internet.
    assert sorted(networks) == [
        "google_compute_network.achia_test_nonpeered_network",
        "google_compute_network.achia_test_peered_nonwss_network",
        "google_compute_network.achia_test_peered_wss_network",
    ]
    assert not any("open_ports" in n for n in networks.values())
    nsgs = assets(imported(cli, tmp_path, "azure-nsg-plan.json"), "networks")
    assert {ident: (n["country"], n.get("open_ports")) for ident, n in nsgs.items()} == {
        "azurerm_network_security_group.fail": ("CA", None),
        "azurerm_network_security_group.pass": ("CA", None),  # its one rule denies 3389
    }
    group = assets(imported(cli, tmp_path, "aws-eks-node-group-plan.json"), "compute")["aws_eks_node_group.test"]
    assert group["count"] == 1


def test_bad_plans_are_located_errors(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.json").write_text('{"planned_values": {\n  "root_module": [}', encoding="utf-8")
    (tmp_path / "other.json").write_text('{"resources": []}', encoding="utf-8")
    plan = {"planned_values": {"root_module": {"resources": [{"address": "aws_s3_bucket.a", "type": 3}, 7]}}}
    (tmp_path / "shape.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
    outputs = {
        name: invoke(cli, "import", "terraform", name, "-o", "out")
        for name in ("broken.json", "other.json", "shape.json")
    }
    assert {name: (r.exit_code, r.stderr.splitlines()[:-1]) for name, r in outputs.items()} == {
        "broken.json": (2, ["broken.json:2:19: $: invalid JSON: Expecting value"]),
        "other.json": (
            2,
            [
                "other.json:1:1: $: neither a plan (no planned_values) nor a state (no values):"
                " is this `terraform show -json`?"
            ],
        ),
        "shape.json": (
            2,
            [
                "shape.json:7:14: $.planned_values.root_module.resources[0].type: a resource needs a string 'type'",
                "shape.json:9:5: $.planned_values.root_module.resources[1]: expected a resource mapping, got a number",
            ],
        ),
    }


def test_state_links_resources_by_value(cli: CliRunner, tmp_path: Path) -> None:
    """A state has no configuration: a bucket's settings and an instance's groups are found by name and id."""
    resources = [
        ("aws_s3_bucket.logs", "aws_s3_bucket", {"id": "acme-logs", "bucket": "acme-logs", "region": "eu-west-3"}),
        (
            "aws_s3_bucket_public_access_block.logs",
            "aws_s3_bucket_public_access_block",
            {
                "bucket": "acme-logs",
                **dict.fromkeys(
                    ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"), True
                ),
            },
        ),
        (
            "aws_security_group.web",
            "aws_security_group",
            {
                "id": "sg-1",
                "name": "web",
                "ingress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}],
            },
        ),
        (
            "aws_instance.web",
            "aws_instance",
            {
                "id": "i-1",
                "instance_type": "g6e.48xlarge",
                "availability_zone": "eu-west-3a",
                "vpc_security_group_ids": ["sg-1"],
                "associate_public_ip_address": True,
            },
        ),
    ]
    state = {
        "format_version": "1.0",
        "values": {"root_module": {"resources": [
            {"address": a, "mode": "managed", "type": t, "name": a.split(".")[1], "values": v} for a, t, v in resources
        ]}},
    }  # fmt: skip
    (tmp_path / "state.json").write_text(json.dumps(state, indent=1), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(cli, "import", "terraform", tmp_path / "state.json", "-o", out)
    assert result.exit_code == 0, result.output
    document = yaml.safe_load((out / "terraform-state.yaml").read_text(encoding="utf-8"))
    assert assets(document, "storage")["aws_s3_bucket.logs"]["public_access"] is False
    web = assets(document, "compute")["aws_instance.web"]
    assert (web["country"], web["accelerator"], web["open_ports"], web["public_ip"]) == (
        "FR",
        {"model": "L40S", "count": 8},
        [0, 65535],
        True,
    )
    assert by_rule(audited(out), "SEC-OPEN-PORTS")["aws_instance.web"] == "FAIL"


def _plan(*resources: tuple[str, dict[str, Any], dict[str, list[str]]]) -> dict[str, Any]:
    """A plan in the `terraform show -json` shape: (address, values, references by attribute)."""

    def entry(address: str, values: dict[str, Any]) -> dict[str, Any]:
        return {"address": address, "mode": "managed", "type": address.split(".")[0], "values": values}

    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [entry(a, v) for a, v, _ in resources]}},
        "configuration": {
            "root_module": {
                "resources": [
                    {"address": a, "expressions": {k: {"references": r} for k, r in refs.items()}}
                    for a, _, refs in resources
                ]
            }
        },
    }


def test_groups_templates_firewalls_replication_and_endpoints(cli: CliRunner, tmp_path: Path) -> None:
    plan = _plan(
        ("aws_launch_template.gpu", {"instance_type": "p4de.24xlarge"}, {}),
        ("aws_launch_template.spare", {"instance_type": "g6.xlarge"}, {}),
        ("aws_autoscaling_group.gpu", {"desired_capacity": 16}, {"launch_template.id": []}),
        ("aws_s3_bucket.primary", {"bucket": "p", "region": "us-east-1"}, {}),
        ("aws_s3_bucket.replica", {"bucket": "r", "region": "eu-west-1"}, {}),
        (
            "aws_s3_bucket_replication_configuration.primary",
            {"rule": [{"status": "Enabled", "destination": [{}]}]},
            {"bucket": ["aws_s3_bucket.primary.id"]},
        ),
        (
            "aws_sagemaker_endpoint_configuration.llm",
            {"production_variants": [{"instance_type": "ml.g5.12xlarge", "initial_instance_count": 2}]},
            {},
        ),
        (
            "aws_sagemaker_endpoint.llm",
            {"name": "llm"},
            {"endpoint_config_name": ["aws_sagemaker_endpoint_configuration.llm.name"]},
        ),
        ("google_compute_network.vpc", {"name": "vpc"}, {}),
        (
            "google_compute_firewall.ssh",
            {
                "direction": "INGRESS",
                "source_ranges": ["0.0.0.0/0"],
                "allow": [{"protocol": "tcp", "ports": ["22", "8000-8100"]}],
            },
            {"network": ["google_compute_network.vpc.id"]},
        ),
        ("google_storage_bucket.open", {"name": "open", "location": "EU"}, {}),
        (
            "google_storage_bucket_iam_member.all",
            {"member": "allUsers"},
            {"bucket": ["google_storage_bucket.open.name"]},
        ),
    )
    plan["configuration"]["root_module"]["resources"][2]["expressions"] = {
        "launch_template": [{"id": {"references": ["aws_launch_template.gpu.id", "aws_launch_template.gpu"]}}]
    }
    plan["configuration"]["root_module"]["resources"][5]["expressions"]["rule"] = [
        {"destination": [{"bucket": {"references": ["aws_s3_bucket.replica.arn", "aws_s3_bucket.replica"]}}]}
    ]
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "out"
    assert invoke(cli, "import", "terraform", tmp_path / "plan.json", "-o", out).exit_code == 0
    document = yaml.safe_load((out / "terraform-plan.yaml").read_text(encoding="utf-8"))
    compute = assets(document, "compute")
    group = compute["aws_autoscaling_group.gpu"]
    assert (group["count"], group["instance_type"], group["accelerator"]) == (
        16,
        "p4de.24xlarge",
        {"model": "A100 80GB SXM", "count": 8},
    )
    assert "aws_launch_template.gpu" not in compute  # stands for the group's nodes, not one more node
    assert compute["aws_launch_template.spare"]["instance_type"] == "g6.xlarge"
    assert compute["aws_sagemaker_endpoint_configuration.llm"]["count"] == 2
    assert assets(document, "workloads")["aws_sagemaker_endpoint.llm"]["runs_on"] == [
        "aws_sagemaker_endpoint_configuration.llm"
    ]
    storage = assets(document, "storage")
    assert storage["aws_s3_bucket.replica"]["copy_of"] == "aws_s3_bucket.primary"
    assert storage["google_storage_bucket.open"]["public_access"] is True
    assert "country" not in storage["google_storage_bucket.open"]  # the EU multi-region spans countries
    network = assets(document, "networks")["google_compute_network.vpc"]
    assert (network["allowed_sources"], network["open_ports"]) == (["0.0.0.0/0"], [22, 8000, 8100])


def test_azure_vm_behind_an_associated_security_group(cli: CliRunner, tmp_path: Path) -> None:
    plan = _plan(
        ("azurerm_public_ip.vm", {"name": "pip"}, {}),
        ("azurerm_virtual_network.main", {"name": "main", "location": "germanywestcentral"}, {}),
        ("azurerm_subnet.gpu", {"name": "gpu"}, {"virtual_network_name": ["azurerm_virtual_network.main.name"]}),
        (
            "azurerm_network_interface.vm",
            {"name": "nic", "location": "germanywestcentral"},
            {"ip_configuration": []},
        ),
        (
            "azurerm_linux_virtual_machine.trainer",
            {"name": "trainer", "size": "Standard_ND96asr_v4", "location": "germanywestcentral"},
            {"network_interface_ids": ["azurerm_network_interface.vm.id"]},
        ),
        (
            "azurerm_network_security_group.vm",
            {
                "name": "vm",
                "location": "germanywestcentral",
                "security_rule": [
                    {
                        "direction": "Inbound",
                        "access": "Allow",
                        "source_address_prefix": "Internet",
                        "destination_port_range": "3389",
                    },
                    {
                        "direction": "Inbound",
                        "access": "Deny",
                        "source_address_prefix": "*",
                        "destination_port_range": "*",
                    },
                ],
            },
            {},
        ),
        (
            "azurerm_network_interface_security_group_association.vm",
            {},
            {
                "network_interface_id": ["azurerm_network_interface.vm.id"],
                "network_security_group_id": ["azurerm_network_security_group.vm.id"],
            },
        ),
    )
    plan["configuration"]["root_module"]["resources"][3]["expressions"] = {
        "ip_configuration": [
            {
                "subnet_id": {"references": ["azurerm_subnet.gpu.id"]},
                "public_ip_address_id": {"references": ["azurerm_public_ip.vm.id"]},
            }
        ]
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(cli, "import", "terraform", tmp_path / "plan.json", "-o", out)
    assert result.exit_code == 0, result.output
    document = yaml.safe_load((out / "terraform-plan.yaml").read_text(encoding="utf-8"))
    vm = assets(document, "compute")["azurerm_linux_virtual_machine.trainer"]
    assert (vm["country"], vm["public_ip"], vm["open_ports"], vm["networks"], vm["accelerator"]) == (
        "DE",
        True,
        [3389],
        ["azurerm_network_security_group.vm", "azurerm_subnet.gpu"],
        {"model": "A100 40GB SXM", "count": 8},
    )
    assert assets(document, "networks")["azurerm_virtual_network.main"]["connects"] == ["azurerm_subnet.gpu"]


def test_findings_on_imported_assets_point_at_the_terraform_resource(cli: CliRunner, tmp_path: Path) -> None:
    """Provenance reaches the outputs: the fix belongs in the Terraform source, not the generated file."""
    from auditor.report import renderer

    imported(cli, tmp_path, "terragoat-aws-plan.json")
    result = audited(tmp_path)
    finding = next(
        f for f in result.results() if f.rule_id == "SEC-PUBLIC-DATASTORE" and f.asset_id == "aws_s3_bucket.data"
    )
    assert (str(finding.imported_from), finding.imported_address) == (
        "tests/data/terraform/terragoat-aws-plan.json:789:1",
        "aws_s3_bucket.data",
    )
    document = json.loads(renderer("json")(result))
    listed = next(f for f in document["findings"] if f["fingerprint"] == finding.fingerprint)
    assert listed["imported_from"] == {
        "file": "tests/data/terraform/terragoat-aws-plan.json",
        "line": 789,
        "address": "aws_s3_bucket.data",
    }
    log = json.loads(renderer("sarif")(result))
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    sarif = next(r for r in run["results"] if r["partialFingerprints"]["auditorFingerprint/v1"] == finding.fingerprint)
    related = sarif["relatedLocations"][0]
    assert related["physicalLocation"]["region"] == {"startLine": 789}
    assert related["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "tests/data/terraform/terragoat-aws-plan.json"
    )
    assert related["message"]["text"] == "imported from aws_s3_bucket.data: fix it there and import again"


def test_cloud_kms_and_key_vault_keys_give_their_rotation_to_the_stores(cli: CliRunner, tmp_path: Path) -> None:
    """Written: checkov's public plans hold no google_kms_crypto_key or azurerm_key_vault_key (linked by id here)."""
    gcp_key = "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/"
    vault = "https://v.vault.azure.net/keys/"
    plan = _plan(
        ("google_kms_crypto_key.quarterly", {"id": gcp_key + "quarterly", "rotation_period": "7776000s"}, {}),
        ("google_kms_crypto_key.fixed", {"id": gcp_key + "fixed", "rotation_period": None}, {}),
        (
            "google_storage_bucket.models",
            {
                "name": "models",
                "location": "EUROPE-WEST4",
                "encryption": [{"default_kms_key_name": gcp_key + "quarterly"}],
            },
            {},
        ),
        ("google_sql_database_instance.db", {"region": "europe-west4", "encryption_key_name": gcp_key + "fixed"}, {}),
        (
            "azurerm_key_vault_key.rotating",
            {
                "id": vault + "rotating",
                "rotation_policy": [{"expire_after": "P90D", "automatic": [{"time_before_expiry": "P30D"}]}],
            },
            {},
        ),
        ("azurerm_key_vault_key.static", {"id": vault + "static", "rotation_policy": []}, {}),
        (
            "azurerm_storage_account.exports",
            {"location": "westeurope", "customer_managed_key": [{"key_vault_key_id": vault + "rotating"}]},
            {},
        ),
        ("azurerm_cosmosdb_account.features", {"location": "westeurope", "key_vault_key_id": vault + "static"}, {}),
    )
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(cli, "import", "terraform", tmp_path / "plan.json", "-o", out)
    assert result.exit_code == 0, result.output
    assert "mapped: 8 resources of 6 type(s)" in result.stdout.splitlines()  # the keys read through their stores
    storage = assets(yaml.safe_load((out / "terraform-plan.yaml").read_text(encoding="utf-8")), "storage")
    rotation = {
        ident: (s["encryption_at_rest"]["key"], s["encryption_at_rest"]["key_rotation_days"])
        for ident, s in storage.items()
    }
    assert rotation == {
        "google_storage_bucket.models": ("google_kms_crypto_key.quarterly", 90),
        "google_sql_database_instance.db": ("google_kms_crypto_key.fixed", 0),
        "azurerm_storage_account.exports": ("azurerm_key_vault_key.rotating", 60),  # expiry 90 days less 30
        "azurerm_cosmosdb_account.features": ("azurerm_key_vault_key.static", 0),
    }
    assert {s["encryption_at_rest"]["key_management"] for s in storage.values()} == {"customer"}
    assert by_rule(audited(out), "SEC-KEY-ROTATION") == {
        "google_storage_bucket.models": "PASS",
        "google_sql_database_instance.db": "FAIL",
        "azurerm_storage_account.exports": "PASS",
        "azurerm_cosmosdb_account.features": "FAIL",
    }


def test_groups_referencing_groups_are_segmentation_not_internet_exposure(cli: CliRunner, tmp_path: Path) -> None:
    """Web may reach app (inline block, by id) and db (both styles of rule resource); only web is open to all."""
    plan = _plan(
        (
            "aws_security_group.web",
            {
                "id": "sg-web",
                "ingress": [
                    {
                        "from_port": 443,
                        "to_port": 443,
                        "protocol": "tcp",
                        "cidr_blocks": ["0.0.0.0/0"],
                        "ipv6_cidr_blocks": ["::/0"],
                    }
                ],
            },
            {},
        ),
        (
            "aws_security_group.app",
            {
                "id": "sg-app",
                "ingress": [
                    {"from_port": 8080, "to_port": 8080, "protocol": "tcp", "security_groups": ["sg-web"]},
                    {"from_port": 9090, "to_port": 9090, "protocol": "tcp", "self": True, "security_groups": []},
                ],
            },
            {},
        ),
        ("aws_security_group.db", {"id": "sg-db"}, {}),
        (
            "aws_security_group_rule.db_from_app",
            {"type": "ingress", "from_port": 5432, "to_port": 5432, "protocol": "tcp"},
            {
                "security_group_id": ["aws_security_group.db.id"],
                "source_security_group_id": ["aws_security_group.app.id"],
            },
        ),
        (
            "aws_vpc_security_group_ingress_rule.db_from_web",
            {"from_port": 5432, "to_port": 5432, "ip_protocol": "tcp"},
            {
                "security_group_id": ["aws_security_group.db.id"],
                "referenced_security_group_id": ["aws_security_group.web.id"],
            },
        ),
        (
            "aws_db_instance.orders",
            {"engine": "postgres", "publicly_accessible": False},
            {"vpc_security_group_ids": ["aws_security_group.db.id"]},
        ),
    )
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "out"
    assert invoke(cli, "import", "terraform", tmp_path / "plan.json", "-o", out).exit_code == 0
    document = yaml.safe_load((out / "terraform-plan.yaml").read_text(encoding="utf-8"))
    networks = assets(document, "networks")
    reach = {ident: (n.get("connects"), n.get("allowed_sources"), n.get("open_ports")) for ident, n in networks.items()}
    assert reach == {
        "aws_security_group.web": (
            ["aws_security_group.app", "aws_security_group.db"],
            ["0.0.0.0/0", "::/0"],
            [443],
        ),
        "aws_security_group.app": (["aws_security_group.db"], None, None),
        "aws_security_group.db": (None, None, None),
    }
    orders = assets(document, "storage")["aws_db_instance.orders"]
    assert (orders["networks"], orders.get("open_ports")) == (["aws_security_group.db"], None)
    result = audited(out)
    exposure = {f.asset_id: f.status.value for f in result.results() if f.rule_id == "SEC-PUBLIC-DATASTORE"}
    assert exposure == {"aws_db_instance.orders": "PASS"}


def test_bucket_policy_known_only_after_apply_leaves_public_access_undeclared(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "import", "terraform", TF / "aws-s3-bucket-policy-plan.json", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "  aws_s3_bucket_policy: 1" in result.stdout.splitlines()
    document = yaml.safe_load((tmp_path / "terraform-aws-s3-bucket-policy-plan.yaml").read_text(encoding="utf-8"))
    assert "public_access" not in assets(document, "storage")["aws_s3_bucket.example"]
    assert by_rule(audited(tmp_path), "SEC-PUBLIC-DATASTORE") == {"aws_s3_bucket.example": "NOT_EVALUABLE"}


def test_bucket_policies_granting_everyone_make_the_bucket_public(cli: CliRunner, tmp_path: Path) -> None:
    def policy(principal: Any, condition: dict[str, Any] | None = None) -> str:
        statement = {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "*"}
        return json.dumps(
            {"Version": "2012-10-17", "Statement": [{**statement, **({"Condition": condition} if condition else {})}]}
        )

    buckets = {
        "star": policy("*"),
        "aws_star": policy({"AWS": ["arn:aws:iam::111122223333:root", "*"]}),
        "conditioned": policy("*", {"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
        "account": policy({"AWS": "arn:aws:iam::111122223333:root"}),
        "blocked": policy("*"),
    }
    resources: list[tuple[str, dict[str, Any], dict[str, list[str]]]] = []
    for name, document in buckets.items():
        resources.append((f"aws_s3_bucket.{name}", {"bucket": name}, {}))
        resources.append(
            (f"aws_s3_bucket_policy.{name}", {"policy": document}, {"bucket": [f"aws_s3_bucket.{name}.id"]})
        )
    blocks = dict.fromkeys(
        ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"), True
    )
    resources.append(("aws_s3_bucket_public_access_block.blocked", blocks, {"bucket": ["aws_s3_bucket.blocked.id"]}))
    resources.append(("aws_s3_bucket.inline", {"bucket": "inline", "policy": policy("*")}, {}))
    (tmp_path / "plan.json").write_text(json.dumps(_plan(*resources)), encoding="utf-8")
    out = tmp_path / "out"
    assert invoke(cli, "import", "terraform", tmp_path / "plan.json", "-o", out).exit_code == 0
    storage = assets(yaml.safe_load((out / "terraform-plan.yaml").read_text(encoding="utf-8")), "storage")
    assert {ident: s.get("public_access") for ident, s in storage.items()} == {
        "aws_s3_bucket.star": True,
        "aws_s3_bucket.aws_star": True,
        "aws_s3_bucket.conditioned": None,  # a condition restricts who: not judged public
        "aws_s3_bucket.account": None,
        "aws_s3_bucket.blocked": False,  # restrict_public_buckets overrides the public policy
        "aws_s3_bucket.inline": True,
    }
    assert by_rule(audited(out), "SEC-PUBLIC-DATASTORE") == {
        "aws_s3_bucket.star": "FAIL",
        "aws_s3_bucket.aws_star": "FAIL",
        "aws_s3_bucket.conditioned": "NOT_EVALUABLE",
        "aws_s3_bucket.account": "NOT_EVALUABLE",
        "aws_s3_bucket.blocked": "PASS",
        "aws_s3_bucket.inline": "FAIL",
    }
