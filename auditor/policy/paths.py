"""Check at load time that a dotted rule path can have a value, with a "did you mean" when not.

A rule reads asset attributes (`encryption_at_rest.enabled`), derived facts
(`facts.transfer.basis`), computed values (`computed.needed_gb`), the organisation
(`org.dpo_contact`, `org.facts.ccpa.business`) and the audit date (`audit.as_of`). Without this
check, a typo turns a rule into NOT_EVALUABLE results and never a failure.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Collection
from functools import cache
from typing import Any

from pydantic import BaseModel

from auditor.graph.facts import FACT_KINDS, AssetFacts
from auditor.inventory.loader import ref_fields
from auditor.inventory.models import MODEL_BY_KIND
from auditor.suggest import did_you_mean as suggestion

ASSET_KINDS: tuple[str, ...] = tuple(MODEL_BY_KIND)
# The graph's edge names, which `related` conditions follow.
RELATIONS: tuple[str, ...] = tuple(sorted({spec.rel for model in MODEL_BY_KIND.values() for spec in ref_fields(model)}))
# Added to every asset's view besides its model's fields.
_VIEW_EXTRAS = ("kind",)


class PathError(ValueError):
    """A path no asset of the rule's kinds can ever have a value at."""


def check_path(path: str, kinds: Collection[str], computed: Collection[str] = ()) -> None:
    """Raise PathError unless `path` resolves on at least one of `kinds`."""
    head, *rest = path.split(".")
    if head == "computed":
        if len(rest) != 1 or rest[0] not in computed:
            name = ".".join(rest)
            declared = ", ".join(sorted(computed)) or "none"
            raise PathError(f"unknown computed value {name!r} (declared: {declared}){suggestion(name, computed)}")
        return
    if head == "audit":
        if rest != ["as_of"]:
            raise PathError(f"unknown audit value {'.'.join(rest)!r}; the audit offers only 'audit.as_of'")
        return
    if head == "org":
        if rest[:1] == ["facts"]:
            _check_facts(rest[1:], ("organization",), "org.facts")
        else:
            _check_attributes(rest, ("organization",), "org")
        return
    if head == "facts":
        _check_facts(rest, kinds, "facts")
        return
    _check_attributes([head, *rest], kinds, "")


def _check_attributes(keys: list[str], kinds: Collection[str], prefix: str) -> None:
    if not keys:
        raise PathError(f"{prefix!r} needs an attribute name after it")
    errors = []
    for kind in sorted(kinds):
        error = _walk(tuple(keys), MODEL_BY_KIND[kind], kind, top=True)
        if error is None:
            return
        errors.append(error)
    raise PathError(errors[0] if len(set(errors)) == 1 else "; ".join(errors))


def _check_facts(keys: list[str], kinds: Collection[str], prefix: str) -> None:
    names = [field.name for field in dataclasses.fields(AssetFacts)]
    if not keys:
        raise PathError(f"{prefix!r} needs a fact name after it (one of {', '.join(names)})")
    name = keys[0]
    if name not in FACT_KINDS:
        raise PathError(f"unknown fact {prefix}.{name}{suggestion(name, names)}")
    if not FACT_KINDS[name] & set(kinds):
        described = ", ".join(sorted(FACT_KINDS[name]))
        raise PathError(
            f"{prefix}.{name} describes only {described} assets, never {' or '.join(sorted(kinds))}"
        )
    error = _walk(tuple(keys[1:]), _fact_types()[name], f"{prefix}.{name}", top=False)
    if error is not None:
        raise PathError(error)


@cache
def _walk(keys: tuple[str, ...], owner: Any, where: str, top: bool) -> str | None:
    """None when `keys` lead somewhere inside `owner` (a pydantic model or a fact type), else why not."""
    if not keys:
        return None
    key, rest = keys[0], keys[1:]
    fields = _fields(owner)
    if top and key in _VIEW_EXTRAS:
        field_type: Any = str
    elif key in fields:
        field_type = fields[key]
    else:
        known = [*fields, *(_VIEW_EXTRAS if top else ())]
        return f"unknown attribute {key!r} of {where}{suggestion(key, known)}"
    if not rest:
        return None
    inner = _structured(field_type)
    if inner is dict:
        return None  # free-form mapping (labels): any key may be present
    if inner is None:
        return f"{where}.{key} is a plain value; it has no attribute {rest[0]!r}"
    return _walk(rest, inner, f"{where}.{key}", top=False)


def _fields(owner: Any) -> dict[str, Any]:
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        return {name: info.annotation for name, info in owner.model_fields.items()}
    return _dataclass_fields(owner)


@cache
def _dataclass_fields(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls)}


@cache
def _fact_types() -> dict[str, type]:
    return {name: _structured(hint) for name, hint in _dataclass_fields(AssetFacts).items()}  # type: ignore[misc]


def _structured(annotation: Any) -> Any:
    """The model or fact type inside an annotation, `dict` for a mapping, None for a plain value."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _structured(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [_structured(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        structured = [item for item in found if item is not None]
        return structured[0] if structured else None
    if typing.get_origin(annotation) is dict:
        return dict
    if isinstance(annotation, type) and (issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation)):
        return annotation
    return None


@cache
def held_as(keys: tuple[str, ...], kinds: frozenset[str]) -> tuple[str, ...]:
    """How each key of an attribute path is held on every asset of `kinds`: "field" (a declared field
    of the asset's model or of the nested model the path has reached), "item" (a key of a free-form
    mapping), or "" where the kinds differ or the path has gone past what the models declare. What
    auditor.policy.fastpath reads directly rather than through `getattr` with a default."""
    found: tuple[str, ...] | None = None
    for kind in kinds:
        owner: Any = MODEL_BY_KIND[kind]
        shapes = []
        for key in keys:
            fields = _fields(owner) if isinstance(owner, type) and issubclass(owner, BaseModel) else None
            if owner is dict:
                shapes.append("item")
                owner = None  # a mapping's values are not declared
            elif fields is not None and key in fields:
                shapes.append("field")
                owner = _structured(fields[key])
            else:
                shapes.append("")
                owner = None
        agreed = shapes if found is None else [a if a == b else "" for a, b in zip(found, shapes, strict=True)]
        found = tuple(agreed)
    return found or ("",) * len(keys)
