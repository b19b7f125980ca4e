"""Load one file or a folder of files into one validated Inventory, or raise every error at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import compress, repeat
from operator import attrgetter, is_not
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from auditor.errors import InputError, InputIssue, SourceLocation, json_path
from auditor.gc_pause import collector_paused
from auditor.inventory.models import KNOWN_VERSIONS, MODEL_BY_KIND, MODEL_BY_SECTION, AssetBase, Organization
from auditor.inventory.parse_cache import ParseCache
from auditor.inventory.source import (
    MAX_FILE_BYTES,
    DataPath,
    Document,
    display_path,
    read_document,
)
from auditor.inventory.structs import CHUNK, as_struct, as_structs
from auditor.inventory.yaml_child import ChildParses
from auditor.suggest import did_you_mean, shown
from auditor.validation import located_issues

INVENTORY_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class RefField:
    """A field of an asset model that names other assets."""

    path: tuple[str, ...]
    kinds: tuple[str, ...]
    rel: str
    lineage: str | None
    many: bool

    def value(self, asset: AssetBase) -> Any:
        value: Any = asset
        for part in self.path:
            value = getattr(value, part, None)
            if value is None:
                return None
        return value


# A section's document, its assets' paths and their ids, in file order
Placed = tuple[Document, list[DataPath], list[str]]


@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str
    size: int


class AssetLocations:
    """Where each asset was written, asked of the documents only when first needed: a large JSON file's
    are found by a child process while the graph and the facts are built (extents_child)."""

    def __init__(self) -> None:
        self._found: dict[str, SourceLocation] = {}
        self._pending: list[tuple[Document, list[DataPath], list[str]]] = []

    def defer(self, document: Document, paths: list[DataPath], ids: list[str]) -> None:
        self._pending.append((document, paths, ids))

    def resolved(self) -> dict[str, SourceLocation]:
        """Every location asked for so far, in the order the assets were added."""
        for document, paths, ids in self._pending:
            self._found.update(zip(ids, document.asset_locations(paths, ids), strict=True))
        self._pending.clear()
        return self._found


@dataclass
class Inventory:
    """The validated assets of a run, each with the place it was written."""

    assets: dict[str, AssetBase]
    _locations: dict[str, SourceLocation] | AssetLocations
    files: list[InputFile]
    by_kind: dict[str, list[AssetBase]] = field(default_factory=dict)

    @property
    def locations(self) -> dict[str, SourceLocation]:
        if isinstance(self._locations, AssetLocations):
            self._locations = self._locations.resolved()
        return self._locations

    @property
    def organization(self) -> Organization | None:
        orgs = self.by_kind.get("organization", [])
        return orgs[0] if orgs else None  # type: ignore[return-value]


@cache
def ref_fields(model: type[BaseModel]) -> tuple[RefField, ...]:
    """The reference fields of `model`, nested models included (computed once per class)."""
    found: list[RefField] = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        spec: Any = extra.get("x-ref")
        if isinstance(spec, dict):
            many = info.default_factory in (list, dict)  # a mapping names assets by its keys
            found.append(RefField((name,), tuple(spec["kinds"]), str(spec["rel"]), spec["lineage"], many))
            continue
        nested = _nested_model(info.annotation)
        if nested is not None:
            for inner in ref_fields(nested):
                found.append(RefField((name, *inner.path), inner.kinds, inner.rel, inner.lineage, inner.many))
    return tuple(found)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    candidates = getattr(annotation, "__args__", None) or (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def discover_files(paths: Iterable[Path], root: Path | None = None) -> list[tuple[Path, str]]:
    """Inventory files under `paths` in a stable order, each with the name shown to users."""
    found: list[tuple[Path, str]] = []
    issues: list[InputIssue] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in INVENTORY_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                issues.append(
                    InputIssue(
                        SourceLocation(display_path(path, root)),
                        "$",
                        "no .yaml, .yml or .json files in this folder",
                    )
                )
            found.extend((p, display_path(p, root)) for p in files)
        elif path.exists():  # a device or pipe too: read_document refuses it with a clear message
            found.append((path, display_path(path, root)))
        else:
            issues.append(InputIssue(SourceLocation(display_path(path, root)), "$", "no such file or folder"))
    if issues:
        raise InputError(issues)
    return found


def load_inventory(
    paths: Iterable[Path],
    max_file_bytes: int = MAX_FILE_BYTES,
    root: Path | None = None,
    cache: ParseCache | None = None,
) -> Inventory:
    """Read, validate and cross-check every inventory file; raise InputError with all problems.

    File names in locations and outputs are relative to `root` (default: the working folder); `cache`
    keeps what unchanged YAML files parse to. The collector is paused meanwhile (auditor.gc_pause): a
    million assets make few cycles, and its scans of them would cost more than the loading.
    """
    with collector_paused():
        return _load_inventory(paths, max_file_bytes, root, cache)


def _load_inventory(
    paths: Iterable[Path], max_file_bytes: int, root: Path | None, cache: ParseCache | None
) -> Inventory:
    issues: list[InputIssue] = []
    files: list[InputFile] = []
    listed = discover_files(paths, root)
    child_parses = ChildParses(listed, max_file_bytes, cache)  # the last YAML files parsed meanwhile
    assets: dict[str, AssetBase] = {}
    locations = AssetLocations()
    placed: list[Placed] = []  # each section's assets and paths: an id's place is looked up only for an error
    for index, (path, display) in enumerate(listed):
        try:
            document = child_parses.document(index) or read_document(
                path, display, max_file_bytes, cache=cache, structs_bound=True
            )
        except InputError as exc:
            issues.extend(exc.issues)
            continue
        files.append(InputFile(display, document.sha256, document.size))
        sections, document.structs = document.structs or _validated_sections(document, issues), None
        for asset_paths, validated in sections:
            ids = [asset.id for asset in validated]
            if len(set(ids)) == len(ids) and assets.keys().isdisjoint(ids):  # no duplicate: all at once
                assets.update(zip(ids, validated, strict=True))
                locations.defer(document, asset_paths, ids)
                placed.append((document, asset_paths, ids))
                continue
            found = locations.resolved()
            kept: Placed = (document, [], [])
            placed.append(kept)
            for asset, data_path in zip(validated, asset_paths, strict=True):
                if asset.id in assets:  # placed at its id: a JSON file's assets are found by id, the first one's
                    where = (*data_path, "id")
                    message = f"duplicate asset id {asset.id!r} (first defined at {found[asset.id]})"
                    issues.append(InputIssue(document.locate(where), json_path(where), message))
                    continue
                assets[asset.id] = asset
                found[asset.id] = document.asset_location(data_path, asset.id)
                kept[1].append(data_path)
                kept[2].append(asset.id)

    ordered = {asset_id: assets[asset_id] for asset_id in sorted(assets)}
    by_kind: dict[str, list[AssetBase]] = {kind: [] for kind in MODEL_BY_KIND}
    for asset in ordered.values():
        by_kind[asset.kind].append(asset)
    if len(by_kind["organization"]) > 1:
        for org in by_kind["organization"][1:]:
            issues.append(
                InputIssue(
                    locations.resolved()[org.id],
                    "$.organization",
                    "only one organization may be declared across the inventory",
                )
            )
    if not _references_resolve(by_kind):
        issues.extend(_dangling_references(assets, placed))
    if issues:
        raise InputError(issues)
    return Inventory(ordered, locations, sorted(files, key=lambda f: f.path), by_kind)


def _validated_sections(
    document: Document, issues: list[InputIssue]
) -> Iterator[tuple[list[DataPath], list[AssetBase]]]:
    """The valid assets of each section of `document`, in file order, with their paths; problems go to `issues`."""
    data = document.data
    if data is None:
        return
    if not isinstance(data, dict):
        issues.append(
            InputIssue(
                document.locate(()),
                "$",
                "the top level must be a mapping of asset kinds (sites, storage, datasets, ...)",
            )
        )
        return
    for section, items in data.items():
        if section == "version":
            if type(items) is not int or items not in KNOWN_VERSIONS:
                known = ", ".join(str(version) for version in KNOWN_VERSIONS)
                message = f"unknown inventory version {shown(items)}; known versions: {known}"
                issues.append(InputIssue(document.locate((section,)), "$.version", message))
            continue
        model = MODEL_BY_SECTION.get(section)
        if model is None:
            known = ", ".join(sorted(MODEL_BY_SECTION))
            hint = did_you_mean(section, MODEL_BY_SECTION)
            issues.append(
                InputIssue(
                    document.locate((section,)),
                    json_path((section,)),
                    f"unknown asset kind {shown(section)}; expected one of: {known}{hint}",
                )
            )
            continue
        if model is Organization:
            if not isinstance(items, dict):
                issues.append(
                    InputIssue(document.locate((section,)), json_path((section,)), "organization must be a mapping")
                )
                continue
            organization = as_struct(section, items)
            if organization is not None:
                yield [(section,)], [organization]
                continue
            try:
                yield [(section,)], [model.model_validate(items)]
            except ValidationError as exc:
                issues.extend(located_issues(exc, document, (section,), schema=model))
            continue
        if not isinstance(items, list):
            issues.append(
                InputIssue(document.locate((section,)), json_path((section,)), f"{section} must be a list of assets")
            )
            continue
        validated = _section_structs(section, items)
        if len(validated) < len(items):  # some item is invalid, or outside what the structs read: pydantic decides
            validated.extend(_pydantic_items(model, document, section, items, len(validated), issues))
        data[section] = None  # the section's plain data is no longer needed: its memory goes to the next
        paths = list(zip(repeat(section), range(len(validated))))
        if None in validated:
            paths = list(compress(paths, map(is_not, validated, repeat(None))))
            validated = [asset for asset in validated if asset is not None]
        yield paths, validated  # type: ignore[misc]


def _section_structs(section: str, items: list[Any]) -> list[AssetBase | None]:
    """The items of a section as structs, a chunk at a time, up to the first chunk they refuse.

    Each chunk's plain data is let go once converted, so the plain data and the structs of a section
    are never all alive at once (a 50 MB YAML file peaked at 14x its size with both).
    """
    validated: list[AssetBase | None] = []
    for start in range(0, len(items), CHUNK):
        chunk = as_structs(section, items[start : start + CHUNK])
        if chunk is None:
            break
        validated.extend(chunk)
        items[start : start + CHUNK] = [None] * len(chunk)
    return validated


def _pydantic_items(
    model: type[AssetBase], document: Document, section: str, items: list[Any], start: int, issues: list[InputIssue]
) -> Iterator[AssetBase | None]:
    """The items from `start` on, each validated by pydantic, whose errors stand (the earlier ones are valid)."""
    for index in range(start, len(items)):
        try:
            yield model.model_validate(items[index])
        except ValidationError as exc:
            issues.extend(located_issues(exc, document, (section, index), schema=model))
            yield None


def _references_resolve(by_kind: dict[str, list[AssetBase]]) -> bool:
    """Whether every reference names an asset of a kind it allows, by set operations per kind and field
    (the common case, about 5x cheaper than _dangling_references, which then finds nothing to report).
    Targets are taken away kind by kind: no union of the kinds' ids is made (at 330k assets, 16 MB more
    at the loader's peak)."""
    ids_of = {kind: {asset.id for asset in assets} for kind, assets in by_kind.items()}
    for assets in by_kind.values():
        types = {type(asset) for asset in assets}  # one, unless pydantic validated some of a section
        for kind_type in types:
            same = assets if len(types) == 1 else [asset for asset in assets if type(asset) is kind_type]
            for ref in ref_fields(kind_type):
                values = [value for value in _ref_values(ref, same) if value]
                unresolved = set().union(*values) if ref.many else set(values)
                for kind in ids_of if "*" in ref.kinds else ref.kinds:
                    if not unresolved:
                        break
                    unresolved -= ids_of.get(kind, set())
                if unresolved:
                    return False
    return True


def _ref_values(ref: RefField, assets: list[AssetBase]) -> Iterator[Any]:
    """ref.value of each asset (None where a nested model is unset), read with attrgetter: no call per asset."""
    values: Iterator[Any] = map(attrgetter(ref.path[0]), assets)
    for part in ref.path[1:]:
        values = (None if value is None else getattr(value, part, None) for value in values)
    return values


def _dangling_references(assets: dict[str, AssetBase], placed: list[Placed]) -> list[InputIssue]:
    issues = []
    origins = {
        asset_id: (document, path)
        for document, paths, ids in placed
        for asset_id, path in zip(ids, paths, strict=True)
    }
    refs_of: dict[type, tuple[RefField, ...]] = {}
    for asset_id, asset in assets.items():
        refs = refs_of.get(type(asset))
        if refs is None:
            refs = refs_of[type(asset)] = ref_fields(type(asset))
        for ref in refs:
            value = ref.value(asset)
            if not value:
                continue
            for index, target in enumerate(value if ref.many else (value,)):
                found = assets.get(target)
                if found is not None and ("*" in ref.kinds or found.kind in ref.kinds):
                    continue
                document, path = origins[asset_id]
                at: int | str = target if isinstance(value, dict) else index
                field_path: DataPath = (*path, *ref.path, at) if ref.many else (*path, *ref.path)
                if found is None:
                    message = f"reference to unknown asset {target!r}"
                else:
                    message = f"{target!r} is a {found.kind}, expected a {' or '.join(ref.kinds)}"
                issues.append(InputIssue(document.locate(field_path), json_path(field_path), message))
    return issues
