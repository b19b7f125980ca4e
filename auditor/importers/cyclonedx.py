"""CycloneDX ML-BOM (1.5 to 1.7, JSON or XML) -> inventory assets.

An XML BOM is first read into the shape of its JSON twin (auditor/importers/cyclonedx_xml.py).

- A `machine-learning-model` component becomes a training workload (the training that made the
  model) that reads the datasets of its model card (`modelParameters.datasets`, by `ref` or inline),
  so that personal data in the training sets reaches the model in the lineage analysis; correct
  the type with an overlay (`type: inference`, `replaces: [type]`) for a model only served here.
- A `data` component's `data[]` entries of type `dataset` become datasets, with their governance
  (the first owner as `owner`), classification (when it is one of ours) and description.
- The model card's parameters become labels; parameter count and quantisation, which CycloneDX has no
  field for, come from properties (see `_size`) and size the model for the memory rules.
Fields the BOM does not carry (lawful basis, purposes, retention) are left for the overlay.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from auditor.errors import json_path
from auditor.importers.common import Collected, Origin, asset_id
from auditor.inventory.source import DataPath, Document, read_document

SOURCE = "cyclonedx"
SPEC_VERSIONS = ("1.5", "1.6", "1.7")
_CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
_SKIPPED = frozenset(
    {"application", "framework", "library", "container", "platform", "operating-system", "device",
     "device-driver", "firmware", "file", "cryptographic-asset"}
)  # fmt: skip


class _Bom:
    def __init__(self, document: Document, collected: Collected) -> None:
        self.document = document
        self.collected = collected
        self.by_ref: dict[str, tuple[dict[str, Any], DataPath]] = {}

    def issue(self, path: DataPath, message: str) -> None:
        self.collected.issue(self.document.locate(path), json_path(path), message)

    def check(self) -> list[tuple[dict[str, Any], DataPath]]:
        data = self.document.data
        if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
            self.issue(("bomFormat",) if isinstance(data, dict) and "bomFormat" in data else (), "not a CycloneDX BOM")
            return []
        if data.get("specVersion") not in SPEC_VERSIONS:
            known = ", ".join(SPEC_VERSIONS)
            self.issue(("specVersion",), f"CycloneDX {data.get('specVersion')!r} is not supported; known: {known}")
            return []
        components = data.get("components", [])
        if not isinstance(components, list):
            self.issue(("components",), "components must be a list")
            return []
        out = []
        for index, component in enumerate(components):
            path: DataPath = ("components", index)
            if not isinstance(component, dict) or not isinstance(component.get("type"), str):
                self.issue(path, "a component needs a type")
                continue
            out.append((component, path))
            if isinstance(component.get("bom-ref"), str):
                self.by_ref[component["bom-ref"]] = (component, path)
        return out

    def origin(self, reference: str, path: DataPath) -> Origin:
        return Origin(SOURCE, reference, self.document.locate(path))

    def datasets(self, component: dict[str, Any], path: DataPath) -> list[str]:
        """Asset ids of each dataset entry of a `data` component, added to the inventory."""
        ids = []
        for index, entry in enumerate(component.get("data") or []):
            where = (*path, "data", index)
            if not isinstance(entry, dict) or entry.get("type") != "dataset":
                continue
            reference = entry.get("bom-ref") or f"{component.get('bom-ref') or component.get('name')}.{index}"
            ids.append(self.dataset(str(reference), component, entry, where))
        return ids

    def dataset(self, reference: str, component: dict[str, Any], entry: dict[str, Any], where: DataPath) -> str:
        ident = asset_id("cdx", reference)
        if ident not in self.collected.origins:
            self.collected.add("datasets", _dataset(ident, component, entry), self.origin(reference, where))
        return ident

    def model(self, component: dict[str, Any], path: DataPath) -> None:
        reads: list[str] = []
        parameters = (component.get("modelCard") or {}).get("modelParameters") or {}
        for index, item in enumerate(parameters.get("datasets") or []):
            where = (*path, "modelCard", "modelParameters", "datasets", index)
            if isinstance(item, dict) and "ref" in item:
                target = self.by_ref.get(item["ref"]) if isinstance(item["ref"], str) else None
                if target is None or target[0].get("type") != "data":
                    self.issue((*where, "ref"), f"no data component has bom-ref {item['ref']!r}")
                    continue
                reads.extend(self.datasets(*target))
            elif isinstance(item, dict) and item.get("type") == "dataset":
                reference = (
                    item.get("bom-ref") or f"{component.get('bom-ref') or component.get('name')}.dataset.{index}"
                )
                reads.append(self.dataset(str(reference), component, item, where))
        reference = str(component.get("bom-ref") or component.get("name"))
        asset: dict[str, Any] = {"id": asset_id("cdx", reference), "name": component.get("name"), "type": "training"}
        asset["description"] = component.get("description")
        asset["reads"] = sorted(set(reads))
        labels = {"cyclonedx.type": "machine-learning-model"}
        for key in ("version", "publisher"):
            if isinstance(component.get(key), str):
                labels[f"cyclonedx.{key}"] = component[key]
        for key, label in _PARAMETER_LABELS.items():
            if isinstance(parameters.get(key), str):
                labels[f"cyclonedx.{label}"] = parameters[key]
        approach = parameters.get("approach")
        if isinstance(approach, dict) and isinstance(approach.get("type"), str):
            labels["cyclonedx.approach"] = approach["type"]
        for key in ("inputs", "outputs"):
            formats = [
                i["format"]
                for i in parameters.get(key) or []
                if isinstance(i, dict) and isinstance(i.get("format"), str)
            ]
            if formats:
                labels[f"cyclonedx.{key}"] = ",".join(formats)
        asset.update(_size(component, labels))
        asset["labels"] = labels
        self.collected.add("workloads", asset, self.origin(reference, path))


_PARAMETER_LABELS = {"task": "task", "architectureFamily": "architecture_family", "modelArchitecture": "architecture"}
_PARAMETER_NAMES = frozenset({"parameters", "parametercount", "numparameters", "nparameters", "params"})
_PRECISION_NAMES = frozenset({"quantization", "quantisation", "precision", "dtype", "torchdtype", "weightprecision"})
_PRECISIONS = {
    "fp32": "fp32", "float32": "fp32", "tf32": "tf32", "bf16": "bf16", "bfloat16": "bf16", "fp16": "fp16",
    "float16": "fp16", "half": "fp16", "fp8": "fp8", "float8": "fp8", "int8": "int8", "8bit": "int8",
    "int4": "int4", "4bit": "int4",
}  # fmt: skip
_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmbt]?)\s*$", re.IGNORECASE)
_SCALE = {"": 1e-9, "k": 1e-6, "m": 1e-3, "b": 1.0, "t": 1e3}


def _size(component: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Parameter count (billions) and weight precision from the properties of the component or its model card.

    CycloneDX has no standard field for them: properties named like `parameters` ("7B", "6738415616")
    and `quantization` / `precision` / `torch_dtype` ("int4", "bfloat16", "4bit") are read, with any
    namespace prefix (`huggingface:parameters`); a value that is not one of ours stays a label only.
    """
    card = component.get("modelCard")
    card = card if isinstance(card, dict) else {}
    out: dict[str, Any] = {}
    for item in [*(component.get("properties") or []), *(card.get("properties") or [])]:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or not isinstance(item.get("value"), str)
        ):
            continue
        name = re.sub(r"[^a-z0-9]", "", item["name"].rsplit(":", 1)[-1].lower())
        value = item["value"].strip()
        if name in _PARAMETER_NAMES and (found := _COUNT.match(value)):
            out["parameters_billion"] = round(float(found.group(1)) * _SCALE[found.group(2).lower()], 6)
        elif name in _PRECISION_NAMES:
            labels["cyclonedx.quantization"] = value
            precision = _PRECISIONS.get(re.sub(r"[^a-z0-9]", "", value.lower()))
            if precision is not None:
                out["precision"] = precision
    return out


def _dataset(ident: str, component: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    classification = entry.get("classification")
    owners = (entry.get("governance") or {}).get("owners") or []
    owner = None
    for item in owners if isinstance(owners, list) else []:
        party = (item.get("organization") or item.get("contact") or {}) if isinstance(item, dict) else {}
        if isinstance(party.get("name"), str):
            owner = party["name"]
            break
    labels = {"cyclonedx.type": "data"}
    if isinstance(component.get("version"), str):
        labels["cyclonedx.version"] = component["version"]
    url = (entry.get("contents") or {}).get("url")
    if isinstance(url, str):
        labels["cyclonedx.url"] = url
    return {
        "id": ident,
        "name": entry.get("name") or component.get("name"),
        "description": entry.get("description") or component.get("description"),
        "owner": owner,
        "classification": classification if classification in _CLASSIFICATIONS else None,
        "labels": labels,
    }


def import_cyclonedx(path: Path, display: str) -> Collected:
    """Read a CycloneDX JSON or XML BOM and map its models and datasets; raise InputError with located problems."""
    if path.suffix.lower() == ".xml":
        from auditor.importers.cyclonedx_xml import read_xml_document

        document = read_xml_document(path, display)
    else:
        document = read_document(path, display)
    collected = Collected(SOURCE)
    bom = _Bom(document, collected)
    components = bom.check()
    for component, where in components:
        kind = component["type"]
        if kind == "machine-learning-model":
            bom.model(component, where)
        elif kind == "data":
            bom.datasets(component, where)
        else:
            (collected.summary.skipped if kind in _SKIPPED else collected.summary.unknown)[kind] += 1
            continue
        collected.summary.mapped[kind] += 1
    collected.raise_issues()
    return collected
