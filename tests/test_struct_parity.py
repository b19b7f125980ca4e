"""The msgspec structs (auditor/inventory/structs.py) accept what the pydantic models accept, with the same values.

The loader keeps the structs' result and asks pydantic only when they refuse a section, so a struct that
accepted a value pydantic refuses would let bad input through, and one that read a value differently
would change results. Each check below runs both on the same plain data and compares the verdict and,
when both accept, `model_dump()` with exact types (5 and 5.0 differ) and key order. The inputs: every
field of every kind set to hostile values, random values in random fields (hypothesis), and every
inventory the repository ships (examples, precision suite, rule fixture cases, test data).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from auditor.errors import InputError
from auditor.inventory.loader import load_inventory
from auditor.inventory.models import MODEL_BY_SECTION, AssetBase, Dataset, Storage, Vendor, Workload
from auditor.inventory.source import read_document
from auditor.inventory.structs import AssetStruct, struct_for
from bench.generate import declared, generate
from tests.conftest import REPO

PROBES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2.5,
    -0.5,
    100.5,
    65535,
    65536,
    2**63,
    10**30,
    1e308,
    "",
    "x",
    "DE",
    "DE\n",
    "de",
    "US-CA",
    "EU",
    "a b",
    "x\n",
    "ok-id",
    "ok-id\n",
    "2026-01-31",
    "2026-02-30",
    "1899-12-31",
    "2201-01-01",
    "2026-1-1",
    "2026-01-31T00:00:00",
    "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0663\u0661",  # Arabic-Indic digits: they match \d, no date
    "x" * 201,
    [],
    ["x"],
    ["ok-id", "b"],
    [1],
    [None],
    [{}],
    {},
    {"x": 1},
    {"a": "b"},
    {"ok-id": 3},
    {"ok-id": -3},
]


def verdicts(model: type[BaseModel], item: Any) -> tuple[Any, Any]:
    """What pydantic and the struct make of `item`: each a model_dump(), or None when refused."""
    try:
        strict: Any = model.model_validate(item).model_dump()
    except ValidationError:
        strict = None
    try:
        fast: Any = msgspec.convert(item, struct_for(model)).model_dump()  # type: ignore[attr-defined]
    except msgspec.ValidationError:
        fast = None
    return strict, fast


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down, dict keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def assert_parity(model: type[BaseModel], item: Any) -> None:
    strict, fast = verdicts(model, item)
    assert (strict is None) == (fast is None), f"{model.__name__}: pydantic {strict!r}, struct {fast!r} for {item!r}"
    assert strict is None or same(strict, fast), f"{model.__name__}: {strict!r} != {fast!r}"


@cache
def base_items() -> dict[type[BaseModel], list[dict[str, Any]]]:
    """Valid items of every model, nested ones included, from both generators (every attribute declared)."""
    found: dict[type[BaseModel], list[dict[str, Any]]] = {}

    def add(model: type[BaseModel], item: dict[str, Any]) -> None:
        if len(found.setdefault(model, [])) < 3:
            found[model].append(item)
        for name, info in model.model_fields.items():
            key = info.alias or name
            inner = _nested(info.annotation)
            if inner is None or key not in item:
                continue
            for value in item[key] if isinstance(item[key], list) else [item[key]]:
                if isinstance(value, dict):
                    add(inner, value)

    extra: dict[str, Any] = {
        "collection_points": [{"id": "web", "type": "website", "collects": ["d"], "operated_by": "v", "owner": "w"}],
        "vendors": [{"id": "v", "certifications": [{"framework": "dpf", "from": "2023-07-10", "covers_hr": True}]}],
    }
    for document in (declared(200), generate(200), extra):
        for section, items in document.items():
            model = MODEL_BY_SECTION.get(section)
            if model is not None:
                for item in items if isinstance(items, list) else [items]:
                    add(model, item)
    return found


def _nested(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's annotation (`Nic`, `list[Nic]`, `Backup | None`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        inner = _nested(arg)
        if inner is not None:
            return inner
    return None


def test_every_model_and_nested_model_has_base_items() -> None:
    models = set(base_items())
    assert set(MODEL_BY_SECTION.values()) <= models
    assert {"Accelerator", "Nic", "Rack", "Fabric", "EncryptionAtRest", "Backup", "Certification", "FlowField"} <= {
        model.__name__ for model in models
    }


@pytest.mark.parametrize("section", sorted(MODEL_BY_SECTION))
def test_every_field_set_to_every_probe(section: str) -> None:
    """Each field of the kind and of the models nested in it, declared or not, set to each probe value."""
    model = MODEL_BY_SECTION[section]
    for base_model, items in base_items().items():
        if base_model is not model and base_model.__name__ not in _nested_names(model):
            continue
        for base in items:
            assert_parity(base_model, base)
            keys = [info.alias or name for name, info in base_model.model_fields.items()] + ["unknown_key"]
            for key in keys:
                literals = _literals(base_model.model_fields.get(key))
                for probe in [*PROBES, *literals]:
                    assert_parity(base_model, {**base, key: probe})
                without = {k: v for k, v in base.items() if k != key}
                assert_parity(base_model, without)


def _nested_names(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for info in model.model_fields.values():
        inner = _nested(info.annotation)
        if inner is not None:
            names |= {inner.__name__} | _nested_names(inner)
    return names


def _literals(info: Any) -> list[Any]:
    """The literal choices a field allows, and each as a one-item list."""
    if info is None:
        return []
    found: list[Any] = []
    stack = [info.annotation]
    while stack:
        annotation = stack.pop()
        if getattr(annotation, "__origin__", None) is not None and str(annotation).startswith("typing.Literal"):
            found.extend(annotation.__args__)
        stack.extend(getattr(annotation, "__args__", ()))
    return found + [[choice] for choice in found]


def test_model_validators_run_on_the_structs() -> None:
    vendor = {"id": "v", "dpf_certified": True, "certifications": [{"framework": "dpf", "from": "2023-07-10"}]}
    assert verdicts(Vendor, vendor) == (None, None)
    ordered = {"id": "v", "certifications": [{"framework": "dpf", "from": "2024-01-02", "until": "2024-01-01"}]}
    assert verdicts(Vendor, ordered) == (None, None)
    assert_parity(Vendor, {**ordered, "certifications": [{"framework": "dpf", "from": "2024-01-01", "until": None}]})
    for sharding in (None, "fsdp", "zero3"):
        assert_parity(Workload, {"id": "w", "type": "training", "sharding": sharding, "fsdp_strategy": "full_shard"})


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates().map(str),
    st.text(max_size=12),
    st.sampled_from(PROBES),
    st.lists(st.text(max_size=6) | st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers() | st.text(max_size=4), max_size=3),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_values_in_random_fields(data: st.DataObject) -> None:
    models = sorted(base_items(), key=lambda m: m.__name__)
    model = data.draw(st.sampled_from(models))
    item = copy.deepcopy(data.draw(st.sampled_from(base_items()[model])))
    keys = [info.alias or name for name, info in model.model_fields.items()]
    for _ in range(data.draw(st.integers(1, 3))):
        item[data.draw(st.sampled_from(keys))] = data.draw(HOSTILE)
    assert_parity(model, item)


def shipped_inventories() -> list[tuple[str, Any]]:
    """Every inventory in the repository as plain data: examples, precision suite, rule cases, test data."""
    found: list[tuple[str, Any]] = []
    for path in sorted([*REPO.glob("inventories/**/*.yaml"), *REPO.glob("tests/precision/*.yaml")]):
        found.append((str(path.relative_to(REPO)), read_document(path, path.name).data))
    for path in sorted(REPO.glob("tests/data/*.yaml")):
        found.append((str(path.relative_to(REPO)), as_read(yaml.safe_load(path.read_text()))))
    for path in sorted(REPO.glob("tests/rules/*.yaml")):
        for index, case in enumerate(yaml.safe_load(path.read_text())["cases"]):
            found.append((f"{path.name} case {index}", as_read(case.get("inventory"))))
    return [(name, data) for name, data in found if isinstance(data, dict)]


def as_read(value: Any) -> Any:
    """PyYAML's safe_load data as the auditor's readers give it: a date stays the text it was written as."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [as_read(item) for item in value]
    if isinstance(value, dict):
        return {key: as_read(item) for key, item in value.items()}
    return value


def test_every_shipped_inventory_reads_the_same() -> None:
    items = 0
    for _name, data in shipped_inventories():
        for section, value in data.items():
            model = MODEL_BY_SECTION.get(section)
            if model is None:
                continue
            for item in [value] if section == "organization" else value if isinstance(value, list) else []:
                assert_parity(model, item)
                items += 1
    assert items > 1000


def test_loaded_assets_are_structs_with_the_models_interface(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(declared(200)))
    inventory = load_inventory([path])
    assets = list(inventory.assets.values())
    assert all(isinstance(asset, AssetStruct) and isinstance(asset, AssetBase) for asset in assets)
    dataset = next(asset for asset in assets if asset.kind == "dataset")
    assert isinstance(dataset, Dataset) and not isinstance(dataset, Storage)
    assert (dataset.kind, dataset.section, type(dataset).model_fields) == ("dataset", "datasets", Dataset.model_fields)
    dump = dataset.model_dump()
    assert list(dump) == list(Dataset.model_fields) and dump["stored_in"] is not dataset.stored_in


def test_a_section_the_structs_refuse_gets_pydantics_messages(tmp_path: Path) -> None:
    """One bad item: pydantic reads the section, its message is reported and its valid items still cross-checked."""
    path = tmp_path / "inv.yaml"
    path.write_text("datasets:\n  - {id: d, records: -1}\n  - {id: e, stored_in: [nowhere]}\nsites:\n  - {id: s}\n")
    with pytest.raises(InputError) as caught:
        load_inventory([path], root=tmp_path)
    assert [str(issue) for issue in caught.value.issues] == [
        "inv.yaml:2:22: $.datasets[0].records: Input should be greater than or equal to 0 (got -1)",
        "inv.yaml:3:25: $.datasets[1].stored_in[0]: reference to unknown asset 'nowhere'",
    ]
