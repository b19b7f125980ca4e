"""Whatever arrives, loading ends in a validated object or an InputError: never a traceback.

Inventories, waivers, configs and rule files are fuzzed from random text and by mutating real
documents (values swapped for hostile ones, keys dropped or misspelt, text cut or spliced). The
slow test (`make test-slow`) runs more than 10,000 such cases.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.engine import AuditInputs, audit
from auditor.errors import InputError
from auditor.inventory.loader import load_inventory
from auditor.inventory.source import display_path, read_document
from auditor.policy.config import load_config
from auditor.policy.loader import PolicySet, default_policies_dir, load_policies
from auditor.policy.waivers import load_waivers
from tests.conftest import AS_OF, REPO

YAMLISH = st.text(alphabet=st.sampled_from(list("abcdefgsitorageid:-[]{},&*!<>#'\"\n 0123456789.\t|")), max_size=300)
SECTIONS = st.sampled_from(["sites", "storage", "datasets", "flows", "organization", "bogus"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["id", "site", "x"]), children, max_size=3)
    ),
    max_leaves=10,
)
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**309), 2**63, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.sampled_from(["yes", "NO", "off", "2026-13-45", "0001-01-01", "9999-12-31", "*", "", "(", "a" * 5_000]),
    st.text(max_size=20),
    st.integers(60, 70).map(lambda depth: json.loads("[" * depth + "]" * depth)),
    st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=5), max_size=3),
    st.lists(st.text(max_size=8) | st.integers(), max_size=4),
)
NEAR_KEYS = st.sampled_from(
    [
        "id",
        "rule",
        "assets",
        "expires",
        "condition",
        "all",
        "any",
        "not",
        "related",
        "path",
        "op",
        "value",
        "param",
        "where",
        "days_before_as_of",
        "parameters",
        "disabled_rules",
        "enable_packs",
        "version",
        "storge",
        "encryption_at_rst",
        "<leaf>",
    ]
)
CUTS = st.sampled_from(["none", "truncate", "splice", "duplicate-line"])
Loader = Callable[[Path], Any]


@cache
def bundled() -> PolicySet:
    return load_policies(default_policies_dir())


def _data(path: Path) -> Any:
    return read_document(path, path.name).data


@cache
def seeds(kind: str) -> tuple[Any, ...]:
    """Real documents of each kind, the starting points of the mutations."""
    if kind == "inventory":
        return tuple(_data(p) for p in sorted((REPO / "inventories" / "example").glob("*.yaml")))
    if kind == "waivers":
        return (_data(REPO / "inventories" / "example.waivers.yaml"),)
    if kind == "config":
        every_parameter = {
            rule_id: {name: spec.default for name, spec in loaded.rule.parameters.items()}
            for rule_id, loaded in bundled().rules.items()
            if loaded.rule.parameters
        }
        return (_data(REPO / "inventories" / "example.config.yaml"), {"parameters": every_parameter})
    return tuple(_data(p) for p in sorted(default_policies_dir().glob("*/[A-Z]*.yaml")))


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into `node`, itself included."""
    found = [path]
    if isinstance(node, dict | list):
        for key in node if isinstance(node, dict) else range(len(node)):
            found += _paths(node[key], (*path, key))
    return found


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> Any:
    """A seed document with one to four values replaced, keys dropped or keys added."""
    document = json.loads(json.dumps(draw(st.sampled_from(seeds(kind))), default=str))
    for _ in range(draw(st.integers(1, 4))):
        *parents, last = draw(st.sampled_from(_paths(document))) or (None,)
        if last is None:
            document = draw(HOSTILE)
            continue
        parent = document
        for key in parents:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "drop":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(NEAR_KEYS)] = draw(HOSTILE)
        else:
            parent[last] = draw(HOSTILE)
    return document


def serialised(document: Any, suffix: str, cut: str, where: float) -> bytes:
    if suffix == ".json":
        text = json.dumps(document, default=lambda value: value.isoformat() if isinstance(value, date) else str(value))
    else:
        text = yaml.safe_dump(document, sort_keys=False)
    at = int(len(text) * where)
    if cut == "truncate":
        text = text[:at]
    elif cut == "splice":
        text = text[:at] + "]: {&x *x\n- " + text[at:]
    elif cut == "duplicate-line":
        lines = text.splitlines(keepends=True)
        if lines:
            index = int(len(lines) * where) % len(lines)
            lines.insert(index, lines[index])
        text = "".join(lines)
    return text.encode()


@cache
def _small_inventory() -> Any:
    return load_inventory([REPO / "tests" / "data" / "small-inventory.yaml"])


def compiled_config(path: Path) -> None:
    """The config as the engine uses it: loaded, then its rules run with its parameters and dates."""
    policies = bundled()
    config = load_config(path, policies)
    audit(AuditInputs(_small_inventory(), policies, {}, config), AS_OF, allow_empty=True)


def load(kind: str, folder: Path, suffix: str, payload: bytes) -> None:
    """Load one payload as `kind`: a result or an InputError whose every issue names a file in `folder`."""
    if kind == "rules":
        shutil.rmtree(folder / "policies", ignore_errors=True)
        (folder / "policies" / "p").mkdir(parents=True)
        (folder / "policies" / "p" / "pack.yaml").write_text("name: p\ntitle: P\nversion: '1'\n")
        match = re.search(rb"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+", payload)
        path = folder / "policies" / "p" / f"{match.group().decode() if match else 'X-1'}.yaml"
    else:
        path = folder / f"input{suffix}"
    path.write_bytes(payload)
    loaders: dict[str, Loader] = {
        "inventory": lambda p: load_inventory([p]),
        "waivers": load_waivers,
        "config": compiled_config,
        "rules": lambda p: load_policies(p.parent.parent),
    }
    try:
        loaders[kind](path)
    except InputError as exc:
        assert exc.issues, "an InputError always carries at least one issue"
        prefix = display_path(folder)
        assert all(str(issue).startswith(prefix) for issue in exc.issues), exc.issues


def fuzz(kind: str, folder: Path, examples: int) -> int:
    """Run `examples` generated cases of `kind`; return how many ran."""
    ran = 0

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutated(kind), st.sampled_from([".yaml", ".json"]), CUTS, st.floats(0, 1))
    def mutated_documents(document: Any, suffix: str, cut: str, where: float) -> None:
        nonlocal ran
        ran += 1
        load(kind, folder, ".yaml" if kind == "rules" else suffix, serialised(document, suffix, cut, where))

    @settings(max_examples=max(1, examples // 4), deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(YAMLISH)
    def random_text(text: str) -> None:
        nonlocal ran
        ran += 1
        load(kind, folder, ".yaml", text.encode())

    mutated_documents()
    random_text()
    return ran


KINDS = ["inventory", "waivers", "config", "rules"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_random_yaml_text_never_crashes(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        load("inventory", Path(folder), ".yaml", text.encode())


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(SECTIONS, st.lists(VALUES, max_size=3) | VALUES, max_size=3))
def test_random_json_structures_never_crash(document: dict) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        load("inventory", Path(folder), ".json", json.dumps(document).encode())


@pytest.mark.parametrize("kind", KINDS)
def test_mutated_documents_never_crash(kind: str, tmp_path: Path) -> None:
    assert fuzz(kind, tmp_path, examples=40) >= 40


@pytest.mark.slow
def test_ten_thousand_generated_cases_never_crash(tmp_path: Path) -> None:
    ran = 0
    for kind in KINDS:
        (tmp_path / kind).mkdir()
        ran += fuzz(kind, tmp_path / kind, examples=2_000)
    assert ran >= 10_000
