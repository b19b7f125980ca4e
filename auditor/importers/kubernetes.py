"""Kubernetes manifests or `kubectl get -o yaml` dumps -> inventory assets.

- Nodes with GPU capacity or GPU/TPU product labels -> compute (instance type, accelerator, count);
- Services of type LoadBalancer/NodePort and Ingresses -> gateways with their ports, forwarding to
  the workloads their selectors pick (exposure);
- NetworkPolicies -> networks (segmentation: the namespace as zone, allowed CIDR sources);
- PersistentVolumeClaims (with their StorageClass's encryption) -> storage;
- Jobs, PyTorchJob/MPIJob/TFJob -> training or batch workloads; Deployments and StatefulSets that
  request GPUs -> inference workloads; with the GPUs requested over all replicas.
Each document of a multi-document YAML file is parsed on its own (with its absolute lines), and a
`kind: List` dump is read item by item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import InputError, SourceLocation, json_path
from auditor.importers.common import Collected, Origin, asset_id
from auditor.importers.hardware import from_accelerator, from_instance_type
from auditor.importers.regions import country_of
from auditor.inventory.source import (
    MAX_FILE_BYTES,
    DataPath,
    Document,
    display_path,
    read_bytes_bounded,
    read_document,
    read_yaml,
)

SOURCE = "kubernetes"
GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu", "google.com/tpu", "habana.ai/gaudi")
_SEPARATOR = re.compile(r"^---[ \t]*(#.*)?$", re.MULTILINE)
_PROVIDERS = {"aws": "aws", "gce": "gcp", "azure": "azure"}
_TRAINING = {"PyTorchJob": "pytorchReplicaSpecs", "MPIJob": "mpiReplicaSpecs", "TFJob": "tfReplicaSpecs"}
_SKIPPED = frozenset(
    {
        "ConfigMap", "Secret", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
        "Namespace", "Pod", "ReplicaSet", "DaemonSet", "CustomResourceDefinition", "HorizontalPodAutoscaler",
        "PodDisruptionBudget", "PersistentVolume", "Endpoints", "EndpointSlice", "PriorityClass", "LimitRange",
        "ResourceQuota", "RuntimeClass", "IngressClass", "CronJob",
    }
)  # fmt: skip


@dataclass
class Manifest:
    kind: str
    name: str
    namespace: str
    body: dict[str, Any]
    location: SourceLocation

    @property
    def id(self) -> str:
        scope = f"{self.namespace}/" if self.namespace else ""
        return asset_id(f"k8s:{self.kind.lower()}/{scope}{self.name}")

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"

    def get(self, *path: str) -> Any:
        value: Any = self.body
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".yaml", ".yml", ".json"))
    return [path]


def _documents(path: Path, collected: Collected) -> Iterator[Document]:
    display = display_path(path)
    if path.suffix.lower() == ".json":
        yield read_document(path, display)
        return
    raw = read_bytes_bounded(path, display, MAX_FILE_BYTES)  # a folder, a device or an oversized file is refused
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        collected.issue(SourceLocation(display, line), "$", "file is not UTF-8 text")
        return
    starts = [0, *(match.end() + 1 for match in _SEPARATOR.finditer(text))]
    ends = [match.start() for match in _SEPARATOR.finditer(text)] + [len(text)]
    for start, end in zip(starts, ends, strict=True):
        padding = "\n" * text.count("\n", 0, start)  # keeps every line number absolute
        try:
            data, positions = read_yaml(padding + text[start:end], display)
        except InputError as exc:
            collected.issues.extend(exc.issues)
            continue
        if data is not None:
            yield Document(display, data, _positions=positions)


def _manifests(document: Document, collected: Collected) -> Iterator[Manifest]:
    data = document.data
    items: list[tuple[Any, DataPath]] = [(data, ())]
    if isinstance(data, dict) and data.get("kind") == "List" and isinstance(data.get("items"), list):
        items = [(item, ("items", index)) for index, item in enumerate(data["items"])]
    for item, path in items:
        kind = item.get("kind") if isinstance(item, dict) else None
        name = item.get("metadata", {}).get("name") if isinstance(item, dict) else None
        if not isinstance(kind, str) or not isinstance(name, str):
            field: DataPath = ("kind",) if not isinstance(kind, str) else ("metadata", "name")
            where = (*path, *field)
            text = "kind" if field == ("kind",) else "metadata.name"
            collected.issue(document.locate(where), json_path(where), f"a Kubernetes object needs a string {text}")
            continue
        namespace = item["metadata"].get("namespace") or ("" if kind in ("Node", "StorageClass") else "default")
        yield Manifest(kind, name, str(namespace), item, document.locate(path))


def _gpus(pod_spec: Any) -> int:
    """GPUs (any vendor's device resource) a pod asks for: the sum of its containers' limits."""
    total = 0
    containers = pod_spec.get("containers") if isinstance(pod_spec, dict) else None
    for container in containers if isinstance(containers, list) else []:
        resources = container.get("resources") if isinstance(container, dict) else None
        limits = resources.get("limits") or resources.get("requests") if isinstance(resources, dict) else None
        for name in GPU_RESOURCES:
            value = limits.get(name) if isinstance(limits, dict) else None
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                total += int(value)
    return total


def _quantity_tb(text: Any) -> float | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?", str(text)) if text is not None else None
    if match is None:
        return None
    factor = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "k": 1e3, "M": 1e6, "G": 1e9,
              "T": 1e12, "P": 1e15}.get(match.group(2) or "", 1)  # fmt: skip
    return round(float(match.group(1)) * factor / 1e12, 6)


class _Importer:
    def __init__(self, collected: Collected, manifests: list[Manifest]) -> None:
        self.collected = collected
        self.manifests = manifests
        self.classes = {m.name: m for m in manifests if m.kind == "StorageClass"}

    def add(self, section: str, manifest: Manifest, asset: dict[str, Any]) -> dict[str, Any]:
        labels = manifest.get("metadata", "labels")
        full = {"id": manifest.id, "name": manifest.name, **asset}
        full["labels"] = {"import.namespace": manifest.namespace} if manifest.namespace else {}
        if isinstance(labels, dict) and labels.get("app.kubernetes.io/part-of"):
            full["labels"]["app.kubernetes.io/part-of"] = str(labels["app.kubernetes.io/part-of"])
        self.collected.summary.mapped[manifest.kind] += 1
        return self.collected.add(section, full, Origin(SOURCE, manifest.address, manifest.location))

    def run(self) -> None:
        for manifest in self.manifests:
            handler = getattr(self, f"_{manifest.kind}", None)
            if handler is not None and handler(manifest) is not False:
                continue
            if manifest.kind in _SKIPPED or handler is not None:
                self.collected.summary.skipped[manifest.kind] += 1
            else:
                self.collected.summary.unknown[manifest.kind] += 1

    def _Node(self, m: Manifest) -> bool:
        labels = m.get("metadata", "labels") or {}
        capacity = m.get("status", "capacity") or {}
        gpus = next((capacity[r] for r in GPU_RESOURCES if r in capacity), labels.get("nvidia.com/gpu.count"))
        gpus = int(gpus) if isinstance(gpus, int) or (isinstance(gpus, str) and gpus.isdigit()) else None
        product = (
            labels.get("nvidia.com/gpu.product")
            or labels.get("cloud.google.com/gke-accelerator")
            or labels.get("cloud.google.com/gke-tpu-accelerator")
        )
        instance_type = labels.get("node.kubernetes.io/instance-type") or labels.get("beta.kubernetes.io/instance-type")
        asset = from_instance_type(instance_type)
        if "accelerator" not in asset:
            asset.update(from_accelerator(product, gpus))
        provider = _PROVIDERS.get(str(m.get("spec", "providerID") or "").split(":", 1)[0])
        region = labels.get("topology.kubernetes.io/region")
        asset["country"] = country_of(provider, region) if provider and isinstance(region, str) else None
        self.add("compute", m, asset)
        return True

    def _selected(self, m: Manifest, selector: Any) -> list[str]:
        """Workload assets in the namespace whose pod labels match `selector` (all of its pairs)."""
        if not isinstance(selector, dict) or not selector:
            return []
        found = []
        for other in self.manifests:
            if other.namespace != m.namespace or other.id not in self.collected.assets["workloads"]:
                continue
            labels = other.get("spec", "template", "metadata", "labels") or {}
            if isinstance(labels, dict) and all(labels.get(k) == v for k, v in selector.items()):
                found.append(other.id)
        return sorted(found)

    def _Service(self, m: Manifest) -> bool:
        kind = m.get("spec", "type") or "ClusterIP"
        if kind not in ("LoadBalancer", "NodePort"):
            return False
        ports = m.get("spec", "ports") or []
        key = "port" if kind == "LoadBalancer" else "nodePort"
        open_ports = sorted({p[key] for p in ports if isinstance(p, dict) and isinstance(p.get(key), int)})
        annotations = m.get("metadata", "annotations") or {}
        internal = any(
            str(value).lower() in ("true", "internal")
            for key, value in annotations.items()
            if "internal" in str(key) or str(key).endswith("load-balancer-type")
        )
        public = False if internal else True if kind == "LoadBalancer" else None
        asset: dict[str, Any] = {"role": "gateway", "open_ports": open_ports, "public_ip": public}
        asset["forwards_to"] = self._selected(m, m.get("spec", "selector"))
        self.add("compute", m, asset)
        return True

    def _Ingress(self, m: Manifest) -> bool:
        ports = [80, 443] if m.get("spec", "tls") else [80]
        published = m.get("status", "loadBalancer", "ingress")
        services = []
        for rule in m.get("spec", "rules") or []:
            for path in (rule.get("http") or {}).get("paths") or [] if isinstance(rule, dict) else []:
                name = (path.get("backend") or {}).get("service", {}).get("name") if isinstance(path, dict) else None
                if isinstance(name, str):
                    services.append(name)
        targets = []
        for service in self.manifests:
            if service.kind == "Service" and service.namespace == m.namespace and service.name in services:
                targets.extend(self._selected(service, service.get("spec", "selector")))
        asset: dict[str, Any] = {"role": "gateway", "open_ports": ports, "public_ip": True if published else None}
        asset["forwards_to"] = sorted(set(targets))
        self.add("compute", m, asset)
        return True

    def _NetworkPolicy(self, m: Manifest) -> bool:
        sources = []
        for rule in m.get("spec", "ingress") or []:
            for peer in rule.get("from") or [] if isinstance(rule, dict) else []:
                cidr = (peer.get("ipBlock") or {}).get("cidr") if isinstance(peer, dict) else None
                if isinstance(cidr, str):
                    sources.append(cidr)
        asset: dict[str, Any] = {"zone": m.namespace, "allowed_sources": sorted(set(sources))}
        asset["connects"] = self._selected(m, m.get("spec", "podSelector", "matchLabels"))
        self.add("networks", m, asset)
        return True

    def _PersistentVolumeClaim(self, m: Manifest) -> bool:
        modes = m.get("spec", "accessModes") or []
        asset: dict[str, Any] = {"type": "file" if "ReadWriteMany" in modes else "block"}
        asset["capacity_tb"] = _quantity_tb(m.get("spec", "resources", "requests", "storage"))
        storage_class = self.classes.get(str(m.get("spec", "storageClassName")))
        parameters = storage_class.get("parameters") if storage_class else None
        if isinstance(parameters, dict) and str(parameters.get("encrypted")).lower() in ("true", "false"):
            enabled = str(parameters["encrypted"]).lower() == "true"
            key = "customer" if parameters.get("kmsKeyId") else "provider"
            asset["encryption_at_rest"] = {"enabled": enabled, "key_management": key if enabled else "none"}
        self.add("storage", m, asset)
        return True

    def _StorageClass(self, m: Manifest) -> bool:
        return False  # read through the claims that name it

    def _workload(self, m: Manifest, kind: str, replicas: int, gpus: int) -> None:
        self.add("workloads", m, {"type": kind, "gpus": gpus or None, "nodes": replicas or None})

    def _Job(self, m: Manifest) -> bool:
        parallel = m.get("spec", "parallelism")
        replicas = parallel if isinstance(parallel, int) else 1
        gpus = _gpus(m.get("spec", "template", "spec"))
        self._workload(m, "batch", replicas, gpus * replicas)
        return True

    def _serving(self, m: Manifest) -> bool:
        replicas = m.get("spec", "replicas")
        replicas = replicas if isinstance(replicas, int) else 1
        gpus = _gpus(m.get("spec", "template", "spec"))
        if not gpus:
            return False  # not an AI workload: counted as skipped
        self._workload(m, "inference", replicas, gpus * replicas)
        return True

    _Deployment = _serving
    _StatefulSet = _serving

    def _distributed(self, m: Manifest) -> bool:
        specs = m.get("spec", _TRAINING[m.kind]) or {}
        replicas = gpus = 0
        for spec in specs.values() if isinstance(specs, dict) else []:
            count = spec.get("replicas", 1) if isinstance(spec, dict) else 0
            count = count if isinstance(count, int) else 1
            replicas += count
            gpus += count * _gpus((spec.get("template") or {}).get("spec"))
        self._workload(m, "training", replicas, gpus)
        return True

    _PyTorchJob = _distributed
    _MPIJob = _distributed
    _TFJob = _distributed


def import_kubernetes(path: Path, display: str) -> Collected:
    """Read every manifest under `path` and map it; raise InputError with every located problem."""
    collected = Collected(SOURCE)
    manifests: list[Manifest] = []
    for file in _files(path):
        try:
            for document in _documents(file, collected):
                manifests.extend(_manifests(document, collected))
        except InputError as exc:
            collected.issues.extend(exc.issues)
    collected.raise_issues()
    order = {"Node": 0, "StorageClass": 0, "Job": 1, "Deployment": 1, "StatefulSet": 1, **dict.fromkeys(_TRAINING, 1)}
    manifests.sort(key=lambda m: order.get(m.kind, 2))  # workloads before the services that select them
    _Importer(collected, manifests).run()
    collected.raise_issues()
    return collected
