"""JSON Schemas (draft 2020-12) of the inventory and rule formats and of results.json, generated from models.

The generated files ship in the package; `make schemas` style regeneration is `write_schemas()`
and a test fails when a shipped copy is stale.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS = {
    "inventory": ("auditor.inventory.models", "InventoryDocument", "inventory.schema.json"),
    "policy": ("auditor.policy.model", "Rule", "policy.schema.json"),
    "results": ("auditor.report.results_schema", "ResultsDocument", "results.schema.json"),
}


def generate(name: str) -> dict[str, Any]:
    module_name, class_name, _ = SCHEMAS[name]
    module = __import__(module_name, fromlist=[class_name])
    model: type[BaseModel] = getattr(module, class_name)
    schema = model.model_json_schema(by_alias=True)
    return {"$schema": DIALECT, "$id": f"urn:ai-infra-auditor:{name}:1", **schema}


def text(name: str) -> str:
    return json.dumps(generate(name), indent=2, sort_keys=True) + "\n"


def shipped(name: str) -> str:
    return resources.files("auditor").joinpath("schemas", SCHEMAS[name][2]).read_text(encoding="utf-8")


def write_schemas() -> None:
    folder = Path(__file__).parent / "schemas"
    folder.mkdir(exist_ok=True)
    for name, (_, _, filename) in SCHEMAS.items():
        (folder / filename).write_text(text(name), encoding="utf-8")


if __name__ == "__main__":
    write_schemas()
