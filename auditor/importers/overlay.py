"""Overlays: hand-written facts added to imported assets by id, re-applied on every import.

An overlay file holds `overlays:`, a list of entries with the `id` of an imported asset and the
attributes to add (owner, classification, labels, ...). The merge rule:
- an attribute the import does not set is added;
- an attribute the import sets to another value is a conflict, reported with both locations,
  unless the entry names it under `replaces:` (then the overlay wins, on purpose);
- two entries setting the same attribute of the same asset are a conflict (both locations);
- labels merge key by key under the same rule; the merged asset must still be a valid asset.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from auditor.errors import InputError, InputIssue, SourceLocation, json_path
from auditor.importers.common import Collected
from auditor.inventory.models import MODEL_BY_SECTION
from auditor.inventory.source import DataPath, Document, display_path, read_document
from auditor.suggest import did_you_mean, shown
from auditor.validation import message

_RESERVED = ("id", "replaces")


def apply_overlays(collected: Collected, paths: list[Path]) -> None:
    """Merge every overlay file into `collected`; raise InputError with each located problem."""
    sections = {ident: section for section, items in collected.assets.items() for ident in items}
    claimed: dict[tuple[str, str], SourceLocation] = {}
    touched: dict[str, dict[str, tuple[Document, DataPath]]] = {}
    for path in paths:
        try:
            document = read_document(path, display_path(path))
        except InputError as exc:
            collected.issues.extend(exc.issues)
            continue
        for entry, where in _entries(document, collected):
            ident = entry.get("id")
            section = sections.get(ident) if isinstance(ident, str) else None
            if section is None or not isinstance(ident, str):
                hint = did_you_mean(ident, sections)
                collected.issue(
                    document.locate((*where, "id")),
                    json_path((*where, "id")),
                    f"no imported asset has id {shown(ident)}{hint}",
                )
                continue
            _merge(
                collected,
                document,
                where,
                entry,
                collected.assets[section][ident],
                claimed,
                touched.setdefault(ident, {}),
            )
    for ident, fields in touched.items():
        _validate(collected, sections[ident], ident, fields)
    collected.raise_issues()


def _entries(document: Document, collected: Collected) -> list[tuple[dict[str, Any], DataPath]]:
    data = document.data
    if not isinstance(data, dict) or set(data) - {"version", "overlays"} or not isinstance(data.get("overlays"), list):
        collected.issue(document.locate(()), "$", "an overlay file holds `overlays:`, a list of entries with an id")
        return []
    out = []
    for index, entry in enumerate(data["overlays"]):
        where: DataPath = ("overlays", index)
        if isinstance(entry, dict):
            out.append((entry, where))
        else:
            collected.issue(document.locate(where), json_path(where), "an overlay entry must be a mapping with an id")
    return out


def _merge(
    collected: Collected,
    document: Document,
    where: DataPath,
    entry: dict[str, Any],
    asset: dict[str, Any],
    claimed: dict[tuple[str, str], SourceLocation],
    touched: dict[str, tuple[Document, DataPath]],
) -> None:
    replaces = entry.get("replaces", [])
    if not isinstance(replaces, list) or not all(isinstance(name, str) for name in replaces):
        collected.issue(
            document.locate((*where, "replaces")),
            json_path((*where, "replaces")),
            "replaces must be a list of attribute names",
        )
        replaces = []
    for index, name in enumerate(replaces):
        if name not in entry:
            path = (*where, "replaces", index)
            collected.issue(
                document.locate(path), json_path(path), f"replaces {shown(name)}, which this entry does not set"
            )
    origin = collected.origins[asset["id"]]
    for field, value in entry.items():
        if field in _RESERVED:
            continue
        items = value.items() if field == "labels" and isinstance(value, dict) else [(None, value)]
        for key, item in items:
            path = (*where, field) if key is None else (*where, field, key)
            here = document.locate(path)
            name = field if key is None else f"{field}.{key}"
            first = claimed.setdefault((asset["id"], name), here)
            if first != here:
                collected.issue(
                    here, json_path(path), f"{name} of {asset['id']} is already set by an overlay at {first}"
                )
                continue
            current = asset.get(field) if key is None else asset.get("labels", {}).get(key)
            if current is not None and current != item and field not in replaces:
                collected.issue(
                    here,
                    json_path(path),
                    f"{name} conflicts with the imported value {json.dumps(current)}"
                    f" ({origin.address} at {origin.location}); add {field!r} to replaces: to override it",
                )
                continue
            if key is None:
                asset[field] = item
            else:
                asset.setdefault("labels", {})[key] = item
            touched[field] = (document, (*where, field))


def _validate(collected: Collected, section: str, ident: str, fields: dict[str, tuple[Document, DataPath]]) -> None:
    """The merged asset is still valid: each error is reported where the overlay set the attribute."""
    model = MODEL_BY_SECTION[section]
    asset = collected.assets[section][ident]
    try:
        model.model_validate(asset)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            if field not in fields:
                continue
            document, path = fields[field]
            text = message(error, frozenset(model.model_fields))
            collected.issues.append(InputIssue(document.locate(path), json_path(path), text))
