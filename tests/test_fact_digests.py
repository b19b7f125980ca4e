"""Faster analyses derive the same facts: a digest of the graph, every fact and lineage path is the recorded one.

Recorded before the graph build and the analyses were sped up for scale (issue 14: marks per
origin set, facts shared per distinct answer, node profiles per node). A deliberate change of an
analysis that alters facts records the new digests printed by `.venv/bin/python -m tests.test_fact_digests`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from auditor.graph.build import AssetGraph, build_graph
from auditor.graph.facts import Facts, derive_facts
from auditor.graph.lineage import Lineage
from auditor.inventory.loader import load_inventory
from bench.generate import declared, generate, write

ROOT = Path(__file__).parent.parent
AS_OF = date(2026, 11, 1)
SIZE = 2000

RECORDED = {
    "sparse-2000": "864205be049d800006e77b87e2ea371ba6564e0dd3eaaba26e97e28d4b53e249",
    "declared-2000": "2c7dc8849a145747542082e49649c5b89af954c1a08651887d1f92e612140ac8",
    "example": "fd561ef6c983d3f3f0bf453d5cec4adcf4c5e1836180613c445863f27b34087d",
    "precision": "243fc40d10e637415f27cc60e81ede23c16701589da1cf403855bfd7a69d4a05",
}


def _canonical(value: Any) -> Any:
    """A JSON-able form that names each fact type and sorts what has no order of its own."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return [type(value).__name__, fields]
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, set | frozenset):
        return ["set", sorted(_canonical(item) for item in value)]
    if isinstance(value, dict):
        return ["dict", sorted([str(key), _canonical(item)] for key, item in value.items())]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return [type(value).__name__, str(value)]


def _by_id(lineage: Lineage, origins: list[list[int] | None]) -> dict[str, set[str]]:
    """Origins by asset id, as sets of ids (the form the digests were first recorded in)."""
    ids = lineage.numbering.ids
    return {ids[number]: {ids[origin] for origin in found} for number, found in enumerate(origins) if found}


def fact_digest(facts: Facts) -> str:
    """SHA-256 of every asset's facts in asset order, and of every lineage path."""
    lineage = facts.lineage
    reached, unknown, raw = (_by_id(lineage, origins) for origins in (lineage.reached, lineage.unknown, lineage.raw))
    paths = [
        [asset_id, origin, lineage.path(asset_id, origin)]
        for by_asset in (reached, unknown)
        for asset_id, origins in sorted(by_asset.items())
        for origin in sorted(origins)
    ]
    document = {
        "facts": [[asset_id, _canonical(asset_facts)] for asset_id, asset_facts in facts.by_asset.items()],
        "reached": _canonical(reached),
        "unknown": _canonical(unknown),
        "raw": _canonical(raw),
        "paths": paths,
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode("utf-8")).hexdigest()


def graph_digest(graph: AssetGraph) -> str:
    """SHA-256 of the data graph's edges in their order and of every relation's targets and sources."""
    relations = {rel for by in (graph._out, graph._in) for rel in by}
    document = {
        "edges": [[source, target, {"rel": rel}] for source, target, rel in graph.data.edges()],
        "nodes": graph.data.ids,
        "targets": {rel: {a: graph.targets(a, rel) for a in graph.inventory.assets} for rel in sorted(relations)},
        "sources": {rel: {a: graph.sources(a, rel) for a in graph.inventory.assets} for rel in sorted(relations)},
    }
    return hashlib.sha256(json.dumps(document).encode("utf-8")).hexdigest()


def _digest_of(paths: list[Path]) -> str:
    graph = build_graph(load_inventory(paths))
    return hashlib.sha256((graph_digest(graph) + fact_digest(derive_facts(graph, AS_OF))).encode()).hexdigest()


def case_digest(case: str, folder: Path) -> str:
    """The digest of one recorded case; generated inventories are written into `folder`."""
    if case == "precision":
        return hashlib.sha256(
            "".join(_digest_of([path]) for path in sorted((ROOT / "tests/precision").glob("*.yaml"))).encode()
        ).hexdigest()
    if case == "example":
        return _digest_of([ROOT / "inventories/example"])
    path = folder / f"{case}.json"
    write((generate if case.startswith("sparse") else declared)(SIZE), path)
    return _digest_of([path])


@pytest.mark.parametrize("case", sorted(RECORDED))
def test_facts_are_the_recorded_ones(case: str, tmp_path: Path) -> None:
    assert case_digest(case, tmp_path) == RECORDED[case]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for name in sys.argv[1:] or sorted(RECORDED):
            print(f'    "{name}": "{case_digest(name, Path(tmp))}",')
