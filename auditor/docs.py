"""Generate docs/rules.md, docs/inventory.md and docs/facts.md: `python -m auditor.docs` (a test fails when stale)."""

from __future__ import annotations

import dataclasses
import typing
from collections import defaultdict
from pathlib import Path
from typing import Any

from auditor.policy.frameworks import Framework, load_frameworks
from auditor.policy.loader import PolicySet, default_policies_dir, load_policies

DOCS = Path(__file__).resolve().parents[1] / "docs"
TARGET = DOCS / "rules.md"
INVENTORY_TARGET = DOCS / "inventory.md"
FACTS_TARGET = DOCS / "facts.md"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_rules(policies: PolicySet, frameworks: dict[str, Framework]) -> str:
    mapped: dict[str, list[str]] = defaultdict(list)
    for name, framework in frameworks.items():
        for requirement in framework.requirements:
            for rule_id in requirement.rules:
                mapped[rule_id].append(f"{name} {requirement.id}")
    lines = [
        "# Rules",
        "",
        "Generated from `auditor/policies/` by `python -m auditor.docs`; do not edit by hand.",
        "",
        "**Verifies** is what a rule's condition decides: `substance` (a setting, a value or a fact derived from "
        "the graph) or `evidence` (only that a reference or an attesting flag is on record). A framework "
        "requirement is `automated` only with a substance rule (see the README).",
        "",
        "| Pack | Rules | Enabled by default |",
        "|---|---:|---|",
    ]
    by_pack: dict[str, list[str]] = defaultdict(list)
    for rule_id, item in policies.rules.items():
        by_pack[item.pack].append(rule_id)
    for pack_name, pack in sorted(policies.packs.items()):
        lines.append(f"| {pack.title} | {len(by_pack[pack_name])} | {'yes' if pack.enabled_by_default else 'no'} |")
    for pack_name, pack in sorted(policies.packs.items()):
        about = f"Pack `{pack_name}`, version {pack.version}. {_one_line(pack.description)}"
        lines += ["", f"## {pack.title}", "", about]
        for rule_id in by_pack[pack_name]:
            rule = policies.rules[rule_id].rule
            lines += [
                "",
                f"### {rule.id}: {rule.title}",
                "",
                f"- **Severity:** {rule.severity.value}",
                f"- **Applies to:** {', '.join(rule.applies_to.kinds)}",
            ]
            if rule.verifies:
                lines.append(f"- **Verifies:** {rule.verifies}")
            if rule.effective_from or rule.effective_until:
                window = f"from {rule.effective_from or 'always'}" + (
                    f" until {rule.effective_until}" if rule.effective_until else ""
                )
                lines.append(f"- **In force:** {window}")
            refs = "; ".join(f"{key}: {', '.join(items)}" for key, items in sorted(rule.references.items()))
            lines.append(f"- **References:** {refs}")
            if mapped.get(rule_id):
                lines.append(f"- **Frameworks:** {', '.join(sorted(mapped[rule_id]))}")
            for name, spec in rule.parameters.items():
                source = f" (source: {spec.source})" if spec.source else ""
                lines.append(f"- **Parameter** `{name}` = `{spec.default}`: {spec.description}{source}")
            lines += ["", _one_line(rule.description), "", f"*Why:* {_one_line(rule.rationale)}", ""]
            lines.append(f"*Remediation:* {_one_line(rule.remediation)}")
            if rule.notes:
                lines += ["", f"*Notes:* {_one_line(rule.notes)}"]
    return "\n".join(lines) + "\n"


def _type(spec: dict[str, Any]) -> str:
    """A JSON Schema type in a few words."""
    if "x-ref" in spec:
        kinds = spec["x-ref"]["kinds"]
        target = "any asset" if kinds == ["*"] else " or ".join(kinds)
        return f"id of {target}" if spec.get("type") != "array" else f"list of ids of {target}"
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "enum" in spec:
        return " \\| ".join(f"`{value}`" for value in spec["enum"])
    if "anyOf" in spec:
        return " or ".join(_type(option) for option in spec["anyOf"] if option.get("type") != "null")
    if spec.get("type") == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if spec.get("type") == "object":
        return "mapping"
    kind = {"string": "text", "integer": "whole number", "number": "number", "boolean": "true/false"}
    text = kind.get(spec.get("type", ""), spec.get("type", "any"))
    return f"{text} ({spec['format']})" if "format" in spec else text


def render_inventory(schema: dict[str, Any]) -> str:
    """One table per asset kind (and per nested object) from the shipped JSON Schema."""
    definitions = schema["$defs"]
    sections = [(name, prop) for name, prop in schema["properties"].items() if name != "version"]
    lines = [
        "# Inventory format",
        "",
        "Generated from the JSON Schema (`auditor schema inventory`) by `python -m auditor.docs`; do not edit by",
        "hand. A file is a mapping of these sections; a folder of files is merged into one inventory.",
    ]
    shown: list[str] = []
    for section, prop in sections:
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        if ref is None:
            ref = next(option["$ref"] for option in prop.get("anyOf", []) if "$ref" in option)
        shown.append(ref.rsplit("/", 1)[-1])
        lines += ["", f"- `{section}`: {'one' if section == 'organization' else 'a list of'} {shown[-1]}"]
    queue = list(shown)
    seen = set(queue)
    while queue:
        name = queue.pop(0)
        definition = definitions[name]
        required = set(definition.get("required", []))
        lines += ["", f"## {name}", ""]
        if definition.get("description"):
            lines += [" ".join(definition["description"].split()), ""]
        lines += ["| attribute | type | required | description |", "|---|---|---|---|"]
        for attribute, spec in definition["properties"].items():
            for option in [spec, *spec.get("anyOf", []), spec.get("items", {})]:
                nested = (
                    option.get("$ref", "").rsplit("/", 1)[-1]
                    or option.get("items", {}).get("$ref", "").rsplit("/", 1)[-1]
                )
                if nested and nested not in seen:
                    seen.add(nested)
                    queue.append(nested)
            description = " ".join((spec.get("description") or "").split()).replace("|", "\\|")
            lines.append(
                f"| `{attribute}` | {_type(spec)} | {'yes' if attribute in required else ''} | {description} |"
            )
    return "\n".join(lines) + "\n"


def render_facts() -> str:
    """One table per fact type, from the dataclasses the analyses fill and the rule loader checks."""
    from auditor.graph.facts import FACT_KINDS, AssetFacts

    lines = [
        "# Facts",
        "",
        "Generated from the fact types in `auditor/graph/` by `python -m auditor.docs`; do not edit by hand.",
        "Rules read them as `facts.<fact>.<field>` (the organisation's as `org.facts.<fact>.<field>`); the rule",
        "loader refuses a path that is not listed here, or a fact read on kinds it never describes.",
        "A value of `None` means unknown: a rule reading it gives NOT_EVALUABLE unless it says otherwise.",
        "",
        "| fact | describes | type |",
        "|---|---|---|",
    ]
    hints = typing.get_type_hints(AssetFacts)
    types: list[tuple[str, type]] = []
    for field in dataclasses.fields(AssetFacts):
        fact_type: type = next(arg for arg in typing.get_args(hints[field.name]) if isinstance(arg, type))
        types.append((field.name, fact_type))
        kinds = ", ".join(sorted(FACT_KINDS[field.name]))
        lines.append(f"| `{field.name}` | {kinds} | [{fact_type.__name__}](#{fact_type.__name__.lower()}) |")
    queue = [fact_type for _, fact_type in types]
    seen = set(queue)
    while queue:
        fact_type = queue.pop(0)
        lines += ["", f"## {fact_type.__name__}", "", " ".join((fact_type.__doc__ or "").split()), ""]
        lines += ["| field | type | description |", "|---|---|---|"]
        field_hints = typing.get_type_hints(fact_type)
        for field in dataclasses.fields(fact_type):
            for arg in typing.get_args(field_hints[field.name]):
                if isinstance(arg, type) and dataclasses.is_dataclass(arg) and arg not in seen:
                    seen.add(arg)
                    queue.append(arg)
            annotation = str(fact_type.__annotations__[field.name]).replace("|", "\\|")
            lines.append(f"| `{field.name}` | `{annotation}` | {field.metadata.get('doc', '')} |")
    return "\n".join(lines) + "\n"


def current_inventory() -> str:
    from auditor.schemas import generate

    return render_inventory(generate("inventory"))


def current() -> str:
    folder = default_policies_dir()
    policies = load_policies(folder)
    return render_rules(policies, load_frameworks(folder, policies))


if __name__ == "__main__":
    DOCS.mkdir(exist_ok=True)
    TARGET.write_text(current(), encoding="utf-8")
    INVENTORY_TARGET.write_text(current_inventory(), encoding="utf-8")
    FACTS_TARGET.write_text(render_facts(), encoding="utf-8")
    print(f"wrote {TARGET}, {INVENTORY_TARGET} and {FACTS_TARGET}")
