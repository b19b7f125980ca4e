"""Whatever bytes arrive, loading ends in an inventory or an InputError: never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.errors import InputError
from auditor.inventory.loader import load_inventory

YAMLISH = st.text(alphabet=st.sampled_from(list("abcdefgsitorageid:-[]{},&*!<>#'\"\n 0123456789.\t|")), max_size=300)
SECTIONS = st.sampled_from(["sites", "storage", "datasets", "flows", "organization", "bogus"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["id", "site", "x"]), children, max_size=3)
    ),
    max_leaves=10,
)


def _load(suffix: str, payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"inv{suffix}"
        path.write_bytes(payload)
        try:
            load_inventory([path])
        except InputError as exc:
            assert exc.issues, "an InputError always carries at least one issue"
            assert all(str(issue).startswith(str(path.resolve())) for issue in exc.issues)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_random_yaml_text_never_crashes(text: str) -> None:
    _load(".yaml", text.encode())


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(SECTIONS, st.lists(VALUES, max_size=3) | VALUES, max_size=3))
def test_random_json_structures_never_crash(document: dict) -> None:
    import json

    _load(".json", json.dumps(document).encode())
