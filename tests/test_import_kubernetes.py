"""`auditor import kubernetes`: public Kubeflow and NVIDIA manifests, and a cluster written for the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from tests.conftest import invoke
from tests.test_import_terraform import assets, audited, by_rule

K8S = Path(__file__).parent / "data" / "kubernetes"


def imported(cli: CliRunner, tmp_path: Path, source: Path) -> tuple[Any, dict[str, Any]]:
    result = invoke(cli, "import", "kubernetes", source, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    name = f"kubernetes-{source.stem if source.is_file() else source.name}.yaml"
    return result, yaml.safe_load((tmp_path / name).read_text(encoding="utf-8"))


def test_public_training_jobs_count_their_gpus(cli: CliRunner, tmp_path: Path) -> None:
    _, pytorch = imported(cli, tmp_path, K8S / "kubeflow-pytorch-job-mnist-nccl.yaml")
    _, job = imported(cli, tmp_path, K8S / "nvidia-device-plugin-e2e-job.yaml")
    found = {**assets(pytorch, "workloads"), **assets(job, "workloads")}
    assert {ident: (w["type"], w["gpus"], w["nodes"]) for ident, w in found.items()} == {
        "k8s:pytorchjob/default/pytorch-dist-mnist-nccl": ("training", 2, 2),  # Master 1 + Worker 1, one GPU each
        "k8s:job/default/j-e2e-1": ("batch", 1, 1),  # nvidia.com/gpu: "1" as a string
    }
    assert found["k8s:job/default/j-e2e-1"]["labels"]["import.location"] == (
        "tests/data/kubernetes/nvidia-device-plugin-e2e-job.yaml:1"
    )


def test_cluster_nodes_exposure_segmentation_and_storage(cli: CliRunner, tmp_path: Path) -> None:
    result, document = imported(cli, tmp_path, K8S / "written-gpu-cluster.yaml")
    assert result.stdout.splitlines()[1:] == [
        "mapped: 7 resources of 6 type(s)",
        "  Deployment: 1",
        "  Ingress: 1",
        "  NetworkPolicy: 1",
        "  Node: 2",
        "  PersistentVolumeClaim: 1",
        "  Service: 1",
        "skipped: 4 resources of 4 type(s)",
        "  ConfigMap: 1",
        "  Deployment: 1",  # web: requests no GPU
        "  Service: 1",  # llm-internal: ClusterIP
        "  StorageClass: 1",
        "unknown: 1 resource of 1 type(s)",
        "  ServiceMonitor: 1",
    ]
    compute = assets(document, "compute")
    node = compute["k8s:node/gpu-node-1"]
    assert (node["country"], node["instance_type"], node["accelerator"]) == (
        "IE",
        "p4d.24xlarge",
        {"model": "A100 40GB SXM", "count": 8},
    )
    assert compute["k8s:node/onprem-h100"]["accelerator"] == {"model": "H100 SXM", "count": 8}
    service = compute["k8s:service/serving/llm"]
    assert (service["public_ip"], service["open_ports"], service["forwards_to"]) == (
        True,
        [443, 8080],
        ["k8s:deployment/serving/llm-server"],
    )
    assert compute["k8s:ingress/serving/llm"]["forwards_to"] == ["k8s:deployment/serving/llm-server"]
    assert "public_ip" not in compute["k8s:ingress/serving/llm"]  # no published address in a manifest
    policy = assets(document, "networks")["k8s:networkpolicy/serving/llm-only-from-office"]
    assert (policy["zone"], policy["allowed_sources"]) == ("serving", ["203.0.113.0/24"])
    claim = assets(document, "storage")["k8s:persistentvolumeclaim/serving/model-cache"]
    assert claim["encryption_at_rest"] == {"enabled": True, "key_management": "customer"}
    assert claim["capacity_tb"] == 0.536871  # 500 GiB
    server = assets(document, "workloads")["k8s:deployment/serving/llm-server"]
    assert (server["type"], server["gpus"], server["nodes"]) == ("inference", 8, 2)


def test_cluster_import_audits_the_exposed_gateway(cli: CliRunner, tmp_path: Path) -> None:
    imported(cli, tmp_path, K8S / "written-gpu-cluster.yaml")
    result = audited(tmp_path)
    # The LoadBalancer is public and opens 8080 besides 443.
    assert by_rule(result, "SEC-OPEN-PORTS")["k8s:service/serving/llm"] == "FAIL"


def test_folder_import_and_strict(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "import", "kubernetes", K8S, "-o", tmp_path, "--strict")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "tests/data/kubernetes:1:1: $: unknown kubernetes type 'ServiceMonitor' (1 found); not imported",
        "error: 1 input problem; nothing was written",
    ]


def test_bad_manifests_are_located_errors(cli: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(
        "kind: Job\nmetadata: {name: a}\n---\nkind: Job\nmetadata: {name: [x]}\n---\nkind: Job\n  bad: [\n",
        encoding="utf-8",
    )
    result = invoke(cli, "import", "kubernetes", "bad.yaml", "-o", "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "bad.yaml:5:18: $.metadata.name: a Kubernetes object needs a string metadata.name",
        "bad.yaml:8:6: $: invalid YAML: mapping values are not allowed in this context",
        "error: 2 input problems; nothing was written",
    ]


def test_kubectl_list_dump_is_read_item_by_item(cli: CliRunner, tmp_path: Path) -> None:
    dump = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "kind": "Node",
                "metadata": {"name": "tpu-1", "labels": {"cloud.google.com/gke-tpu-accelerator": "tpu-v5p-slice"}},
                "status": {"capacity": {"google.com/tpu": "4"}},
            },
            {"kind": "Node", "metadata": {"name": "cpu-1"}, "status": {"capacity": {"cpu": "64"}}},
        ],
    }  # fmt: skip
    (tmp_path / "nodes.yaml").write_text(yaml.safe_dump(dump), encoding="utf-8")
    _, document = imported(cli, tmp_path, tmp_path / "nodes.yaml")
    nodes = assets(document, "compute")
    assert nodes["k8s:node/tpu-1"]["accelerator"] == {"model": "TPU v5p", "count": 4}
    assert "accelerator" not in nodes["k8s:node/cpu-1"]
