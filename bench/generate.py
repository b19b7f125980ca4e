"""Synthetic inventories of any size with the shape of a real AI platform.

Per "unit" of 15 assets: a storage pair with a backup copy, datasets (personal and not, one
derived), flows between stores and to a vendor, GPU nodes in a cluster, a network and a
training workload; sites and vendors are shared. Deterministic for a given size and seed.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import yaml

COUNTRIES = ["DE", "FR", "NL", "IE", "US", "US", "GB", "IN", "JP", "BR"]
UNIT = 15


def generate(assets: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    units = max(1, assets // UNIT)
    sites = [{"id": f"site-{i}", "country": COUNTRIES[i % len(COUNTRIES)], "provider": "onprem"} for i in range(10)]
    vendors = [
        {
            "id": f"vendor-{i}",
            "country": COUNTRIES[(i + 3) % len(COUNTRIES)],
            "role": "processor",
            "dpf_certified": i % 2 == 0,
            "transfer_mechanism": "scc" if i % 3 == 0 else "none",
        }
        for i in range(10)
    ]
    doc: dict[str, Any] = {
        "organization": {"id": "org", "name": "Bench Corp", "country": "DE"},
        "sites": sites,
        "vendors": vendors,
        "networks": [],
        "storage": [],
        "datasets": [],
        "flows": [],
        "clusters": [],
        "compute": [],
        "workloads": [],
    }
    for u in range(units):
        site = f"site-{u % 10}"
        net = f"net-{u}"
        doc["networks"].append({"id": net, "site": site, "type": "lan", "internet_facing": u % 50 == 0})
        stores = []
        for k in range(3):
            sid = f"store-{u}-{k}"
            stores.append(sid)
            doc["storage"].append(
                {
                    "id": sid,
                    "site": site,
                    "type": "object",
                    "networks": [net],
                    "encryption_at_rest": {"enabled": rng.random() > 0.1},
                    "public_access": rng.random() < 0.02,
                    "retention_days": 365,
                }
            )
        doc["storage"][-1]["copy_of"] = stores[0]
        personal = {
            "id": f"ds-{u}-0",
            "stored_in": [stores[0]],
            "personal_data": True,
            "data_categories": ["user.contact"],
            "subject_jurisdictions": ["EU", "US-CA"],
            "contains_8115_elements": u % 7 == 0,
            "format": "parquet",
            "size_gb": 10,
        }
        if rng.random() > 0.2:
            personal["retention_days"] = 365
        doc["datasets"] += [
            personal,
            {"id": f"ds-{u}-1", "stored_in": [stores[1]], "personal_data": False, "format": "csv"},
            {
                "id": f"ds-{u}-2",
                "derived_from": [f"ds-{u}-0"],
                "stored_in": [stores[1]],
                "pseudonymised": True,
                "personal_data": True,
                "retention_days": 30,
            },
        ]
        doc["flows"] += [
            {
                "id": f"flow-{u}-0",
                "source": stores[0],
                "destination": stores[1],
                "datasets": [f"ds-{u}-0"],
                "encrypted_in_transit": rng.random() > 0.05,
            },
            {
                "id": f"flow-{u}-1",
                "source": stores[1],
                "destination": f"vendor-{u % 10}",
                "encrypted_in_transit": True,
            },
        ]
        cluster = f"cluster-{u}"
        doc["clusters"].append({"id": cluster, "site": site})
        for k in range(4):
            doc["compute"].append(
                {
                    "id": f"node-{u}-{k}",
                    "site": site,
                    "cluster": cluster,
                    "count": 2,
                    "networks": [net],
                    "accelerator": {"model": "H100 SXM", "count": 8},
                    "public_ip": False,
                    "nics": [
                        {
                            "fabric": "infiniband" if u % 3 else "ethernet",
                            "gbps": 400 if u % 3 else 100,
                            "count": 8,
                        }
                    ],
                }
            )
        doc["workloads"].append(
            {
                "id": f"train-{u}",
                "type": "training",
                "runs_on": [cluster],
                "reads": [f"ds-{u}-2"],
                "writes": [stores[2]],
                "parameters_billion": rng.choice([1, 7, 13, 70]),
                "sharding": rng.choice(["none", "zero2", "zero3"]),
            }
        )
    return doc


FLAWED_EVERY = 10
LAWFUL = Path(__file__).parent.parent / "tests" / "precision" / "eu-ai-lab.yaml"


def declared(assets: int) -> dict[str, Any]:
    """A fully declared inventory: copies of a lawful organisation's assets (zero FAIL), every 10th flawed.

    The copies share the one organisation (its references go to copy 0); every other id, and each
    reference to it, gets a `-c<copy>` suffix. In every FLAWED_EVERY-th copy the fine-tuning set loses
    its LIA and a sub-processor its authorisation (two of the precision suite's planted defects), so
    about 1% of the assets fail.
    """
    from auditor.inventory.source import read_yaml  # YAML 1.2 scalars: dates stay text, as the auditor reads them

    base = read_yaml(LAWFUL.read_text(encoding="utf-8"), LAWFUL.name)[0]
    sections = {key: value for key, value in base.items() if isinstance(value, list)}
    ids = {item["id"] for items in sections.values() for item in items}
    per_copy = sum(len(items) for items in sections.values())
    doc: dict[str, Any] = {key: _renamed(value, ids, "-c0") for key, value in base.items() if key not in sections}
    doc.update({key: [] for key in sections})
    for copy in range(max(1, assets // per_copy)):
        for key, items in sections.items():
            for item in items:
                renamed = _renamed(item, ids, f"-c{copy}")
                if copy % FLAWED_EVERY == 0 and renamed["id"] == f"finetune-set-c{copy}":
                    renamed.pop("lia_ref", None)
                if copy % FLAWED_EVERY == 0 and renamed["id"] == f"annotatio-pt-c{copy}":
                    renamed["authorised"] = False
                doc[key].append(renamed)
    return doc


def _renamed(node: Any, ids: set[str], suffix: str) -> Any:
    if isinstance(node, dict):
        return {key: _renamed(value, ids, suffix) for key, value in node.items()}
    if isinstance(node, list):
        return [_renamed(item, ids, suffix) for item in node]
    return f"{node}{suffix}" if isinstance(node, str) and node in ids else node


def split(doc: dict[str, Any], parts: int) -> list[dict[str, Any]]:
    """`doc` as `parts` documents (an inventory folder): a slice of every section each, everything that is
    not a list (the organisation, the version) in the first."""
    out: list[dict[str, Any]] = [{} for _ in range(parts)]
    for key, value in doc.items():
        if isinstance(value, list):
            for part in range(parts):
                out[part][key] = value[part * len(value) // parts : (part + 1) * len(value) // parts]
        else:
            out[0][key] = value
    return out


def count(doc: dict[str, Any]) -> int:
    return sum(len(v) if isinstance(v, list) else 1 for v in doc.values())


def write(doc: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    else:
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: the same text, faster
        path.write_text(yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")


if __name__ == "__main__":
    size, target = int(sys.argv[1]), Path(sys.argv[2])
    document = generate(size)
    write(document, target)
    print(f"{count(document)} assets -> {target}")
