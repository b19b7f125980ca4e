"""The last YAML files of an inventory parsed by a forked child give the inventory, the locations and
the messages of a serial load (auditor/inventory/yaml_child.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from auditor import forked
from auditor.inventory import extents_child, loader, yaml_child
from auditor.inventory.parse_cache import ParseCache
from bench.generate import count, generate, split, write
from tests.conftest import load_outcome

CHILDS = ["part2.yaml", "part3.yaml"]  # the share of four files of about equal size


def four_files(root: Path, parts: list[dict[str, Any]] | None = None, json_at: int | None = None) -> Path:
    """`parts` (by default a generated inventory of about 1,200 assets split in four) as part0..part3,
    YAML except the file at `json_at`."""
    for number, part in enumerate(parts or split(generate(1200), 4)):
        write(part, root / f"part{number}.{'json' if number == json_at else 'yaml'}")
    return root


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return four_files(tmp_path_factory.mktemp("four-files"))


class Calls:
    """Which process parsed a file of the share (the child logs into a file), and which files the parent
    read the usual way (loader.read_document)."""

    def __init__(self, log: Path) -> None:
        self.log, self.read_by_parent = log, []  # type: list[str]

    def parsed(self) -> dict[str, str]:
        if not self.log.exists():
            return {}
        rows = [line.split() for line in self.log.read_text(encoding="utf-8").splitlines()]
        return {name: "parent" if int(pid) == os.getpid() else "child" for pid, name in rows}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Calls:
    """Any share gets a child, whatever its size; parses and the parent's reads are recorded."""
    recorded = Calls(tmp_path / "parsed-by.log")
    parse, read = yaml_child.parse_plain_yaml, loader.read_document

    def logged_parse(raw: bytes, display: str, sha256: str, cache: ParseCache | None) -> Any:
        with recorded.log.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {display}\n")
        return parse(raw, display, sha256, cache)

    def logged_read(path: Path, *args: Any, **kwargs: Any) -> Any:
        recorded.read_by_parent.append(path.name)
        return read(path, *args, **kwargs)

    monkeypatch.setattr(yaml_child, "MIN_CHILD_BYTES", 0)
    monkeypatch.setattr(forked, "spare_cpus", lambda: 1)
    monkeypatch.setattr(yaml_child, "parse_plain_yaml", logged_parse)
    monkeypatch.setattr(loader, "read_document", logged_read)
    return recorded


def serially(root: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as serial:
        serial.setattr(forked, "spare_cpus", lambda: 0)
        return load_outcome(root)


def test_the_child_takes_the_last_yaml_files_up_to_three_fifths_of_the_yaml_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def share(sizes: dict[str, int], max_bytes: int = 1000) -> list[int]:
        for name, size in sizes.items():
            (tmp_path / name).write_bytes(b"#" * size)
        return yaml_child.child_share([tmp_path / name for name in sizes], max_bytes)

    folder = {"a.yaml": 100, "b.json": 500, "c.yml": 40, "d.yaml": 60}
    assert share(folder) == []  # 100 bytes are not worth a child
    monkeypatch.setattr(yaml_child, "MIN_CHILD_BYTES", 0)
    assert share(folder) == [2, 3]  # c and d: 100 of the 200 YAML bytes (at most 120); JSON never
    assert share({**folder, "e.yaml": 0}) == [2, 3]  # an empty file, like one that cannot be read: the parent's
    assert share({**folder, "c.yml": 100}) == [3]  # c and d would be 160 of 260, over 156
    assert share(folder, max_bytes=99) == [3]  # a is over the size limit (the parent refuses it): c is the first
    assert share({"a.yaml": 10, "z.yaml": 1000}) == []  # the child never gets more than the parent
    assert share({"a.yaml": 100}) == []  # one file: the parent keeps it
    monkeypatch.setattr(extents_child, "MIN_BYTES", 500)  # b.json, before the share, gets the spare CPU
    assert share(folder) == []
    assert share({"a.yaml": 100, "c.yml": 40, "d.yaml": 60, "e.json": 500}) == [1, 2]  # after it: the child's


def test_an_inventory_parsed_partly_by_a_child_is_the_serial_one(
    folder: Path, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = serially(folder, monkeypatch)
    assert len(expected[0]) == count(generate(1200))
    assert calls.parsed() == {}  # without a spare CPU no child
    assert calls.read_by_parent == ["part0.yaml", "part1.yaml", *CHILDS]
    calls.read_by_parent.clear()

    assert load_outcome(folder) == expected
    assert calls.parsed() == dict.fromkeys(CHILDS, "child")
    assert calls.read_by_parent == ["part0.yaml", "part1.yaml"]  # the child's parses are taken, not read again


def test_the_parent_reads_its_own_files_while_the_child_parses(
    folder: Path, calls: Calls, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = serially(folder, monkeypatch)
    parent_read = tmp_path / "parent-read-part1"
    read, parse = loader.read_document, yaml_child.parse_plain_yaml

    def reading(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.name == "part1.yaml":
            parent_read.touch()
        return read(path, *args, **kwargs)

    def after_the_parent(*args: Any) -> Any:  # a parent that waited for the child first would never get here
        deadline = time.monotonic() + 20
        while not parent_read.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        (tmp_path / f"waited-{args[1]}").write_text(str(parent_read.exists()), encoding="utf-8")
        return parse(*args)

    monkeypatch.setattr(loader, "read_document", reading)
    monkeypatch.setattr(yaml_child, "parse_plain_yaml", after_the_parent)
    assert load_outcome(folder) == expected
    assert (tmp_path / "waited-part2.yaml").read_text(encoding="utf-8") == "True"
    assert calls.parsed() == dict.fromkeys(CHILDS, "child")


def test_a_refused_fork_or_a_failed_child_leaves_each_file_to_the_parent_in_its_turn(
    folder: Path, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = serially(folder, monkeypatch)
    calls.read_by_parent.clear()
    with monkeypatch.context() as refused:
        refused.setattr(forked, "start_child", lambda *_: None)
        assert load_outcome(folder) == expected
    assert calls.parsed() == {}  # nothing parsed ahead, in the parent either
    assert calls.read_by_parent == ["part0.yaml", "part1.yaml", *CHILDS]
    calls.read_by_parent.clear()

    def crash(*_: Any) -> Any:
        raise MemoryError("the child runs out")

    monkeypatch.setattr(yaml_child, "parse_plain_yaml", crash)  # the child exits with status 1
    assert load_outcome(folder) == expected
    assert calls.read_by_parent == ["part0.yaml", "part1.yaml", *CHILDS]


def test_the_child_keeps_cache_entries_and_cached_files_stay_with_the_parent(
    folder: Path, calls: Calls, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = serially(folder, monkeypatch)
    cache = ParseCache(tmp_path / "cache")
    assert load_outcome(folder, cache) == expected
    assert calls.parsed() == dict.fromkeys(CHILDS, "child")
    assert len(list(cache.folder.iterdir())) == 4  # two by the parent, two by the child
    calls.log.unlink()
    calls.read_by_parent.clear()

    assert load_outcome(folder, cache) == expected
    assert calls.parsed() == {}  # the child finds every file of its share cached and parses none
    assert calls.read_by_parent == ["part0.yaml", "part1.yaml", *CHILDS]


def test_a_json_file_among_the_yaml_files_and_two_organizations(
    calls: Calls, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mixed = four_files(tmp_path / "mixed", json_at=1)
    expected = serially(mixed, monkeypatch)
    assert load_outcome(mixed) == expected
    assert calls.parsed() == {"part3.yaml": "child"}  # of three YAML files, the last one (at most 3/5 of them)

    parts = split(generate(1200), 4)
    parts[3]["organization"] = {**parts[0]["organization"], "id": "second-org"}
    twice = four_files(tmp_path / "twice", parts)
    expected = serially(twice, monkeypatch)
    assert isinstance(expected, str) and "only one organization may be declared across the inventory" in expected
    assert load_outcome(twice) == expected


def test_problems_in_the_childs_files_are_reported_as_without_a_child(
    calls: Calls, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parts = split(generate(1200), 4)
    duplicate = parts[0]["storage"][0]
    parts[3]["storage"].append(duplicate)
    root = four_files(tmp_path / "inventory", parts)
    (root / "part2.yaml").write_bytes((root / "part2.yaml").read_bytes() + b"extra: [unclosed\n")
    expected = serially(root, monkeypatch)
    assert isinstance(expected, str)
    assert f"duplicate asset id '{duplicate['id']}' (first defined at part0.yaml:" in expected
    assert "part2.yaml:" in expected
    calls.read_by_parent.clear()

    assert load_outcome(root) == expected
    assert calls.parsed() == dict.fromkeys(CHILDS, "child")  # both tried by the child
    assert calls.read_by_parent == ["part0.yaml", "part1.yaml", "part2.yaml"]  # the one it refused


def test_the_child_leaves_to_the_parent_what_the_fast_readers_do_not_read(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache")
    plain = b"sites:\n- id: eu\n  country: DE\n"
    parsed = yaml_child.parse_plain_yaml(plain, "plain.yaml", "digest-1", cache)
    assert parsed is not None
    assert (parsed.shallow.data, parsed.sha256, parsed.size) == (
        {"sites": [{"id": "eu", "country": "DE"}]},
        "digest-1",
        len(plain),
    )
    assert cache.holds("digest-1")  # the child keeps what it parsed
    entry = cache.get("digest-1")
    assert entry is not None and entry.data == parsed.shallow.data
    anchored = b"sites:\n- &a {id: eu, country: DE}\nstorage:\n- *a\n"
    assert yaml_child.parse_plain_yaml(anchored, "anchored.yaml", "digest-2", None) is None  # the full reader's
    latin = "sites:\n- id: caf\u00e9\n".encode("latin-1")
    assert yaml_child.parse_plain_yaml(latin, "latin.yaml", "digest-3", None) is None  # not UTF-8
