"""A large YAML file parsed in two halves (the second by a forked child) reads as the whole text does, or
is left to the whole read (auditor/inventory/yaml_halves.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor import forked
from auditor.inventory import yaml_halves
from auditor.inventory.source import plain_yaml
from auditor.inventory.yaml_events import Shallow
from bench.generate import generate, write
from tests.conftest import load_outcome

PARENT = os.getpid()


@pytest.fixture
def halves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Any text may be split and a CPU is spare; the split points taken are listed."""
    taken: list[int] = []
    split_at = yaml_halves.split_at

    def recorded(text: str) -> int | None:
        at = split_at(text)
        if at is not None:
            taken.append(at)
        return at

    monkeypatch.setattr(yaml_halves, "MIN_CHARS", 0)
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)
    monkeypatch.setattr(yaml_halves, "split_at", recorded)
    return taken


def shown(parsed: Shallow | None) -> Any:
    return None if parsed is None else (parsed.data, dict(parsed.positions), dict(parsed.ends))


@pytest.fixture(scope="module")
def inventory_text() -> str:
    return yaml.safe_dump(generate(300), sort_keys=False)


def test_a_generated_inventory_split_at_every_key_reads_as_the_whole(
    inventory_text: str, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = shown(plain_yaml(inventory_text))
    keys = [found.start() + 1 for found in re.finditer(r"\n[a-z_]+:", inventory_text)]
    assert len(keys) >= 8
    for at in keys:
        monkeypatch.setattr(yaml_halves, "split_at", lambda text, at=at: at)
        assert shown(yaml_halves.read_in_halves(inventory_text, plain_yaml)) == whole, at


# Texts whose split may fall where a naive one would misread them; each reads as the whole or is left to it.
TRICKY = {
    "quoted scalar over the split": 'a: "one\nb: two"\nc: 3\nd: 4\n',
    "single-quoted over the split": "a: 'one\nb: two'\nc: 3\nd: 4\n",
    "flow sequence over the split": "a: [1,\nb: 2]\nc: 3\nd: 4\n",
    "flow mapping over the split": "a: {x: 1,\nb: 2}\nc: 3\nd: 4\n",
    "block scalar before the split": "a: |\n  text\n  more\nb: 1\nc: 2\nd: 3\n",
    "folded scalar kept": "a: >+\n  text\n\nb: 1\nc: 2\nd: 3\n",
    "plain scalar over lines": "a: one\n  two\nb: 1\nc: 2\nd: 3\n",
    "duplicate key across the halves": "a: 1\nb: 2\nc: 3\na: 4\n",
    "anchor and alias across the halves": "a: &x 1\nb: 2\nc: *x\nd: 4\n",
    "root mapping indented": "  a: 1\n  b: 2\nc: 3\nd: 4\n",
    "root sequence": "- a\n- b\nc: 3\nd: 4\n",
    "document marker": "a: 1\nb: 2\n---\nc: 3\nd: 4\n",
    "directive": "%YAML 1.2\n---\na: 1\nb: 2\nc: 3\n",
    "comments and blank lines": "# head\n\na: 1 # tail\n\n# between\nb:\n- id: x\n# c: 9\nc: 3\nd: 4\n",
    "compact lists": "sites:\n- id: a\n- id: b\nstorage:\n- id: s\n  site: a\nflows:\n- id: f\n",
    "windows line ends": "a: 1\r\nb:\r\n- id: x\r\nc: 3\r\nd: 4\r\n",
    "bare carriage returns": "a: 1\rb: 2\nc: 3\rd: 4\n",
    "unicode line separator": "a: 'x\u2028y'\nb: 2\nc: 3\nd: 4\n",
    "next line character": "a: 'x\x85y'\nb: 2\nc: 3\nd: 4\n",
    "tabs": "a:\t1\nb:\t2\nc: 3\nd: 4\n",
    "key line with trailing spaces": "a: 1   \nb:   \n  - 1\nc: 3\nd: 4\n",
    "syntax error in the second half": "a: 1\nb: 2\nc: [3\nd: 4\n",
    "syntax error in the first half": "a: [1\nb: 2\nc: 3\nd: 4\n",
    "key not at the start of a line": "a: 1\nb: 2\n c: 3\nd: 4\n",
    "nested deeper on the second side": "a: 1\nb: 2\nc:\n  d:\n    e: [1, {f: 2}]\ng: 4\n",
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_tricky_texts_read_as_the_whole_or_are_left_to_it(
    text: str, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = shown(plain_yaml(text))
    read = yaml_halves.read_in_halves(text, plain_yaml)  # at the key nearest 55%, if split_at allows one
    assert read is None or shown(read) == whole
    for at in [found.start() + 1 for found in re.finditer(r"\n[a-z]", text)]:  # forced at every line
        with monkeypatch.context() as forced:
            forced.setattr(yaml_halves, "split_at", lambda _, at=at: at)
            read = yaml_halves.read_in_halves(text, plain_yaml)
        if yaml_halves.splittable(text):
            assert read is None if whole is None else read is None or shown(read) == whole, at


def test_what_is_split_and_what_is_not(halves: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    def split(name: str) -> bool:
        return yaml_halves.read_in_halves(TRICKY[name], plain_yaml) is not None

    assert split("block scalar before the split") and split("compact lists") and split("windows line ends")
    assert split("comments and blank lines") and split("nested deeper on the second side")
    for never in ("root mapping indented", "root sequence", "document marker", "directive", "bare carriage returns"):
        assert not yaml_halves.splittable(TRICKY[never]), never
    assert not yaml_halves.splittable(TRICKY["unicode line separator"])
    assert not yaml_halves.splittable(TRICKY["next line character"])
    assert yaml_halves.split_at("a: 1\n" + "b:\n" + "- x\n" * 100) is None  # a fifth of the text on each side
    # split at the line "b: ..." whatever its place: inside a quote or a bracket, or a key met twice
    monkeypatch.setattr(yaml_halves, "split_at", lambda text: text.index("\nb:") + 1)
    for refused in (
        "quoted scalar over the split",
        "single-quoted over the split",
        "flow sequence over the split",
        "flow mapping over the split",
        "anchor and alias across the halves",
        "syntax error in the first half",
    ):
        assert not split(refused), refused
    monkeypatch.setattr(yaml_halves, "split_at", lambda text: text.index("\na: 4") + 1)
    assert not split("duplicate key across the halves")


def test_small_texts_and_no_spare_cpu_are_not_split(inventory_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert yaml_halves.split_at(inventory_text) is None  # under MIN_CHARS
    monkeypatch.setattr(yaml_halves, "MIN_CHARS", 0)
    assert yaml_halves.split_at(inventory_text) is not None
    monkeypatch.setattr(forked, "spare_cpus", lambda: 0)
    assert yaml_halves.read_in_halves(inventory_text, plain_yaml) is None


def test_a_failed_child_leaves_the_second_half_to_this_process(
    inventory_text: str, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def parse(text: str) -> Shallow | None:
        if os.getpid() != PARENT:
            os._exit(3)
        return plain_yaml(text)

    assert shown(yaml_halves.read_in_halves(inventory_text, parse)) == shown(plain_yaml(inventory_text))
    assert halves


def test_a_child_starts_no_child_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)
    assert forked.meanwhile(lambda: (os.getpid() != PARENT, forked.may_fork()))() == (True, False)
    assert forked.may_fork()


def test_an_inventory_file_loads_as_serially_and_its_errors_are_the_same(
    tmp_path: Path, halves: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "inventory.yaml"
    write(generate(600), path)
    broken = tmp_path / "broken.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\nworkloads:")  # a bad value near the end: in the child's half
    broken.write_text(text[:at] + "\nextra: {unclosed: [1\n" + text[at:], encoding="utf-8")
    with monkeypatch.context() as serial:
        serial.setattr(forked, "spare_cpus", lambda: 0)
        expected, expected_error = load_outcome(path), load_outcome(broken)
    assert not halves
    assert isinstance(expected_error, str) and "broken.yaml:" in expected_error

    assert load_outcome(path) == expected
    assert load_outcome(broken) == expected_error
    assert len(halves) == 2
