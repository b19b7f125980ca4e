"""`terraform show -json` (a plan or a state) -> inventory assets.

A plan's `planned_values` and a state's `values` hold the resources; a plan's
`resource_changes[].change.after_unknown` marks what is known only after apply: those values are
dropped, never guessed. Links between resources (a bucket's versioning resource, an instance's
security groups) are found through the plan's `configuration` references and, for states, by
matching ids, names and ARNs. The provider modules (terraform_aws, _gcp, _azure) map each
resource type; a type none of them knows is counted as unknown in the summary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor.errors import SourceLocation, json_path
from auditor.importers.common import Collected, Origin, asset_id, expect
from auditor.importers.regions import country_of
from auditor.inventory.source import DataPath, Document, first_string_positions, read_document

SOURCE = "terraform"
PROVIDER_PREFIXES = {"aws_": "aws", "google_": "gcp", "azurerm_": "azure"}
_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_INDEX = re.compile(r"\[[^\]]*\]")
_LINK_FIELDS = ("id", "arn", "name", "bucket", "self_link", "identifier")


@dataclass
class Resource:
    """One managed resource with its known values (unknown-after-apply ones removed)."""

    address: str
    type: str
    values: dict[str, Any]
    path: DataPath
    location: SourceLocation

    @property
    def provider(self) -> str | None:
        return next((name for prefix, name in PROVIDER_PREFIXES.items() if self.type.startswith(prefix)), None)

    @property
    def base(self) -> str:
        """The address without count/for_each indexes: how the configuration names it."""
        return _INDEX.sub("", self.address)

    @property
    def id(self) -> str:
        return asset_id(self.address)

    def get(self, *path: str | int) -> Any:
        """The value at `path` inside the values; a one-element block list is stepped through."""
        value: Any = self.values
        for part in path:
            if isinstance(value, list) and isinstance(part, str):
                value = value[0] if len(value) == 1 else None
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return None
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            return value[0]
        return value

    def blocks(self, name: str) -> list[dict[str, Any]]:
        """The nested blocks called `name` (a list of mappings, possibly empty)."""
        value = self.values.get(name)
        return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


Mapper = Callable[["Plan", Resource], None]
# Days between automatic rotations of a key resource (0: none; None: not known from the plan), by key type.
Rotations = dict[str, Callable[[Resource], int | None]]


class Plan:
    """A parsed plan or state: its resources, their links, regions, and the assets produced."""

    def __init__(self, document: Document, text: str, collected: Collected) -> None:
        self.document = document
        self.collected = collected
        data = document.data
        if not isinstance(data, dict):
            collected.issue(document.locate(()), "$", "expected the JSON object of `terraform show -json`")
            collected.raise_issues()
        top = "planned_values" if "planned_values" in data else "values" if "values" in data else None
        if top is None:
            message = "neither a plan (no planned_values) nor a state (no values): is this `terraform show -json`?"
            collected.issue(document.locate(()), "$", message)
            collected.raise_issues()
        assert top is not None
        self.kind = "plan" if top == "planned_values" else "state"
        self._unknown = self._after_unknown(data)
        self._lines = _address_lines(text)
        self.resources = list(self._walk(data.get(top), (top,)))
        collected.raise_issues()
        self._config = _configuration(data.get("configuration"))
        self._variables = {
            name: entry.get("value") for name, entry in (data.get("variables") or {}).items() if isinstance(entry, dict)
        }
        self.used_templates: set[str] = set()
        self.read_through: set[str] = set()  # resources whose values an asset carries (keys of stores)
        self._filters: dict[str, tuple[dict[str, Any], list[str]]] = {}
        self.by_base: dict[str, list[Resource]] = {}
        for resource in self.resources:
            self.by_base.setdefault(resource.base, []).append(resource)

    # reading -----------------------------------------------------------------------------

    def _walk(self, module: Any, path: DataPath) -> Iterator[Resource]:
        if module is None:
            return
        if not expect(self.collected, self.document, path, module, dict, "a mapping"):
            return
        root = module.get("root_module")
        if root is None:
            return
        yield from self._module(root, (*path, "root_module"))

    def _module(self, module: Any, path: DataPath) -> Iterator[Resource]:
        if not expect(self.collected, self.document, path, module, dict, "a module mapping"):
            return
        resources = module.get("resources", [])
        if expect(
            self.collected,
            self.document,
            (*path, "resources"),
            resources,
            list,
            "a list of resources",
        ):
            for index, item in enumerate(resources):
                found = self._resource(item, (*path, "resources", index))
                if found is not None:
                    yield found
        children = module.get("child_modules", [])
        if expect(
            self.collected,
            self.document,
            (*path, "child_modules"),
            children,
            list,
            "a list of modules",
        ):
            for index, child in enumerate(children):
                yield from self._module(child, (*path, "child_modules", index))

    def _resource(self, item: Any, path: DataPath) -> Resource | None:
        if not expect(self.collected, self.document, path, item, dict, "a resource mapping"):
            return None
        if item.get("mode", "managed") != "managed":
            return None
        for key in ("address", "type"):
            if not isinstance(item.get(key), str):
                where = self.document.locate((*path, key) if key in item else path)
                self.collected.issue(where, json_path((*path, key)), f"a resource needs a string {key!r}")
                return None
        values = item.get("values", {})
        if not expect(
            self.collected,
            self.document,
            (*path, "values"),
            values,
            dict,
            "a mapping of values",
        ):
            return None
        address = item["address"]
        known = _known(values, self._unknown.get(address))
        line, column = self._lines.get(address, (0, 0))
        location = SourceLocation(self.document.file, line, column) if line else self.document.locate(path)
        return Resource(address, item["type"], known, path, location)

    @staticmethod
    def _after_unknown(data: dict[str, Any]) -> dict[str, Any]:
        changes = data.get("resource_changes")
        if not isinstance(changes, list):
            return {}
        out: dict[str, Any] = {}
        for change in changes:
            if (
                isinstance(change, dict)
                and isinstance(change.get("address"), str)
                and isinstance(change.get("change"), dict)
            ):
                out[change["address"]] = change["change"].get("after_unknown")
        return out

    # links -------------------------------------------------------------------------------

    @cached_property
    def _by_value(self) -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = {}
        for resource in self.resources:
            for key in _LINK_FIELDS:
                value = resource.values.get(key)
                if isinstance(value, str) and value:
                    index.setdefault(value, []).append(resource)
        return index

    def linked(self, resource: Resource, attribute: tuple[str, ...], *types: str) -> list[Resource]:
        """Resources of `types` that `attribute` of `resource` points at, by reference or by value."""
        found: dict[str, Resource] = {}
        for reference in self._references(resource, attribute):
            for target in self._resolve(reference):
                if target.type in types:
                    found[target.address] = target
        value = resource.get(*attribute)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                for target in self._by_value.get(item, []):
                    if target.type in types and target is not resource:
                        found[target.address] = target
        return [found[address] for address in sorted(found)]

    def named(self, values: Any, *types: str) -> list[Resource]:
        """Resources of `types` whose id, ARN or name is one of `values` (a state's links, any list of blocks)."""
        items = values if isinstance(values, list) else [values]
        found = {
            t.address: t for v in items if isinstance(v, str) for t in self._by_value.get(v, []) if t.type in types
        }
        return [found[address] for address in sorted(found)]

    def linking(self, target: Resource, attribute: tuple[str, ...], *types: str) -> list[Resource]:
        """Resources of `types` whose `attribute` points at `target`."""
        return [r for r in self.resources if r.type in types and target in self.linked(r, attribute, target.type)]

    def _references(self, resource: Resource, attribute: tuple[str, ...]) -> list[str]:
        config = self._config.get(resource.base)
        if config is None:
            return []
        prefix, expressions = config
        node: Any = expressions
        for part in attribute:
            if isinstance(node, list):
                node = node[0] if node else None
            node = node.get(part) if isinstance(node, dict) else None
        out: list[str] = []
        _collect_references(node, out)
        return [prefix + reference for reference in out]

    def _resolve(self, reference: str) -> list[Resource]:
        parts = _INDEX.sub("", reference).split(".")
        for cut in range(len(parts), 1, -1):
            found = self.by_base.get(".".join(parts[:cut]))
            if found:
                return found
        return []

    # places ------------------------------------------------------------------------------

    def region(self, resource: Resource) -> str | None:
        provider = resource.provider
        for key in ("region", "location"):
            value = resource.values.get(key)
            if isinstance(value, str) and value:
                return value
        zone = resource.values.get("availability_zone") or resource.values.get("zone")
        if isinstance(zone, str) and zone:
            return zone[:-1] if provider == "aws" else zone.rsplit("-", 1)[0]
        return self._provider_region(provider)

    def _provider_region(self, provider: str | None) -> str | None:
        if provider is None:
            return None
        config = self._config.get(f"provider.{provider}")
        if config is None:
            return None
        expression = config[1].get("region")
        if not isinstance(expression, dict):
            return None
        if isinstance(expression.get("constant_value"), str):
            return str(expression["constant_value"])
        for reference in expression.get("references", []):
            if isinstance(reference, str) and reference.startswith("var."):
                value = self._variables.get(reference[4:])
                if isinstance(value, str):
                    return value
        return None

    def place(self, resource: Resource) -> dict[str, Any]:
        """The country field and region label of an asset made from `resource`."""
        region = self.region(resource)
        country = country_of(resource.provider or "", region)
        return {"country": country, "labels": {"import.region": region} if region else {}}

    # output ------------------------------------------------------------------------------

    def add(self, section: str, resource: Resource, asset: dict[str, Any]) -> dict[str, Any]:
        """Record the asset made from `resource`, with its place, name and provenance."""
        name = resource.values.get("name") or resource.values.get("bucket") or resource.values.get("identifier")
        tags = resource.values.get("tags")
        if isinstance(tags, dict) and isinstance(tags.get("Name"), str):
            name = tags["Name"]
        place = self.place(resource)
        labels = {**place["labels"], **asset.pop("labels", {})}
        full = {"id": resource.id, "name": name if isinstance(name, str) else None, **asset, "labels": labels}
        if full.get("country") is None and place["country"]:
            full["country"] = place["country"]
        return self.collected.add(section, full, Origin(SOURCE, resource.address, resource.location))

    def keyed(
        self, resource: Resource, attribute: tuple[str, ...], encryption: dict[str, Any] | None, rotations: Rotations
    ) -> dict[str, Any] | None:
        """`encryption` with the key that `attribute` names: its address and rotation when the plan holds the key
        (a customer key, whatever else is known), else the key id as stated; rotation undeclared then."""
        if encryption is None or not encryption.get("enabled"):
            return encryption
        keys = self.linked(resource, attribute, *rotations)
        if keys:
            key = keys[0]
            self.read_through.add(key.address)
            found = {**encryption, "key_management": "customer", "key": key.address}
            return {**found, "key_rotation_days": rotations[key.type](key)}
        stated = resource.get(*attribute)
        return {**encryption, "key": stated} if isinstance(stated, str) and stated else encryption

    def asset(self, section: str, resource: Resource) -> dict[str, Any] | None:
        return self.collected.assets[section].get(resource.id)

    def filters_of(self, asset: dict[str, Any], groups: list[Resource]) -> None:
        """Security groups (network assets) filtering traffic to `asset`: applied once all rules are read."""
        if groups:
            entry = self._filters.setdefault(asset["id"], (asset, []))
            entry[1].extend(group.id for group in groups)

    def segment(self, sources: list[Resource], targets: list[Resource]) -> None:
        """Members of each source group may reach members of each target group: the source network `connects` the
        target (segmentation, not internet exposure). A group allowing itself is no link."""
        for source in sources:
            stored = self.asset("networks", source)
            reached = {t.id for t in targets if t is not source and self.asset("networks", t) is not None}
            if stored is not None and reached:
                stored["connects"] = sorted({*stored.get("connects", []), *reached})

    def apply_filters(self) -> None:
        """Each filtered asset is attached to its groups and opens the ports they open to the internet."""
        for asset, group_ids in self._filters.values():
            groups = [g for ident in group_ids if (g := self.collected.assets["networks"].get(ident)) is not None]
            asset["networks"] = sorted({*asset.get("networks", []), *(g["id"] for g in groups)})
            ports = {port for g in groups for port in g.get("open_ports", [])}
            if ports:
                asset["open_ports"] = sorted({*asset.get("open_ports", []), *ports})


def _known(values: Any, unknown: Any) -> Any:
    """`values` without what `after_unknown` marks as known only after apply."""
    if isinstance(values, dict):
        keyed = unknown if isinstance(unknown, dict) else {}
        return {key: _known(value, keyed.get(key)) for key, value in values.items() if keyed.get(key) is not True}
    if isinstance(values, list):
        marks = unknown if isinstance(unknown, list) else []
        return [
            None
            if index < len(marks) and marks[index] is True
            else _known(item, marks[index] if index < len(marks) else None)
            for index, item in enumerate(values)
        ]
    return values


def _collect_references(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        references = node.get("references")
        if isinstance(references, list):
            out.extend(reference for reference in references if isinstance(reference, str))
        for key, value in node.items():
            if key != "references":
                _collect_references(value, out)
    elif isinstance(node, list):
        for item in node:
            _collect_references(item, out)


def _configuration(config: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """Expressions by resource address (and `provider.<name>`), with the module prefix of references."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    if not isinstance(config, dict):
        return out
    providers = config.get("provider_config")
    if isinstance(providers, dict):
        for key in sorted(providers, key=lambda k: (":" in k, k)):
            entry = providers[key]
            if isinstance(entry, dict) and isinstance(entry.get("expressions"), dict):
                out.setdefault(f"provider.{entry.get('name', key)}", ("", entry["expressions"]))

    def module(node: Any, prefix: str) -> None:
        if not isinstance(node, dict):
            return
        for resource in node.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                expressions = resource.get("expressions")
                out[prefix + resource["address"]] = (prefix, expressions if isinstance(expressions, dict) else {})
        calls = node.get("module_calls")
        if isinstance(calls, dict):
            for name, call in calls.items():
                if isinstance(call, dict):
                    module(call.get("module"), f"{prefix}module.{name}.")

    module(config.get("root_module"), "")
    return out


def _address_lines(text: str) -> dict[str, tuple[int, int]]:
    """Line and column of the first `"address": ...` of each resource in the JSON text."""
    return first_string_positions(text, _ADDRESS, lambda raw: json.loads(f'"{raw}"'))


def import_terraform(path: Path, display: str) -> Collected:
    """Read a plan or state and map its resources; raise InputError with every located problem."""
    from auditor.importers import terraform_aws, terraform_azure, terraform_gcp

    document = read_document(path, display)
    collected = Collected(SOURCE)
    plan = Plan(document, path.read_text(encoding="utf-8-sig"), collected)
    providers = (terraform_aws, terraform_gcp, terraform_azure)
    for phase in ("PRIMARY", "ATTACHED"):
        for resource in plan.resources:
            for provider in providers:
                mapper = getattr(provider, phase).get(resource.type)
                if mapper is not None:
                    mapper(plan, resource)
    for provider in providers:
        finish = getattr(provider, "finish", None)
        if finish is not None:
            finish(plan)
    plan.apply_filters()
    mapped = {name for provider in providers for name in (*provider.PRIMARY, *provider.ATTACHED)}
    for resource in plan.resources:
        if resource.type in mapped or resource.id in collected.origins or resource.address in plan.read_through:
            collected.summary.mapped[resource.type] += 1
        elif any(resource.type.startswith(prefix) for provider in providers for prefix in provider.SKIPPED) or (
            resource.provider is None
        ):
            collected.summary.skipped[resource.type] += 1
        else:
            collected.summary.unknown[resource.type] += 1
    collected.raise_issues()
    return collected
