"""Turn pydantic validation errors into located input issues, the same way for every input file."""

from __future__ import annotations

import types
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError

from auditor.errors import InputError, InputIssue, json_path
from auditor.inventory.source import DataPath, Document
from auditor.suggest import did_you_mean, shown

Model = TypeVar("Model", bound=BaseModel)

# What YAML 1.1 read as booleans; YAML 1.2 (used here) keeps them as text, so a boolean field says why.
YAML11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})


def union_tag(name: str) -> str:
    """The tag of a discriminated-union member, shaped so that it is never taken for a document key."""
    return f"<{name}>"


def message(error: Any, fields: frozenset[str] = frozenset()) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        return f"unknown attribute {shown(loc[-1])}{did_you_mean(loc[-1], fields)}"
    if kind == "missing":
        return f"missing required attribute {shown(loc[-1])}"
    got = error.get("input")
    text = f"{error['msg']} (got {shown(got) if isinstance(got, str | int | float | bool) else type(got).__name__})"
    if kind in ("bool_type", "bool_parsing") and isinstance(got, str) and got.lower() in YAML11_BOOLEANS:
        text += "; write true or false (yes, no, on and off are text in YAML 1.2)"
    return text


def document_path(loc: tuple[Any, ...], data: Any, missing: bool = False) -> DataPath:
    """The part of a pydantic error location that names keys and indexes of the document.

    Pydantic adds union member labels (tags such as `<any>`, or `int`, `ParamRef`); each is dropped
    exactly where it stands, by walking the document: a key the data really has is always kept.
    """
    path: list[str | int] = []
    for position, part in enumerate(loc):
        if isinstance(part, int) or (isinstance(data, dict) and part in data):
            path.append(part)
            data = _child(data, part)
        elif missing and position == len(loc) - 1:
            path.append(part)
    return tuple(path)


def _child(data: Any, part: str | int) -> Any:
    if isinstance(data, dict):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and -len(data) <= part < len(data):
        return data[part]
    return None


def located_issues(
    exc: ValidationError, document: Document, prefix: DataPath = (), schema: Any = None
) -> list[InputIssue]:
    """One issue per error, at the position of the offending value in `document`.

    `schema` (the model or type that was validated) lets an unknown attribute suggest a known one.
    """
    data = document.data
    for part in prefix:
        data = _child(data, part)
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        path: DataPath = (*prefix, *document_path(loc, data, missing=error["type"] == "missing"))
        fields = _fields_at(schema, loc[:-1]) if schema is not None and error["type"] == "extra_forbidden" else None
        issues.append(InputIssue(document.locate(path), json_path(path), message(error, fields or frozenset())))
    return issues


def validated(model: type[Model], document: Document) -> Model:
    """The document's data as `model`, or InputError naming every problem with its position."""
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        raise InputError(located_issues(exc, document, schema=model)) from None


def _fields_at(schema: Any, loc: tuple[Any, ...]) -> frozenset[str] | None:
    """The attribute names of the model found by following `loc` (labels included) from `schema`."""
    current = schema
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    current = _unwrap(current)
    members = get_args(current) if get_origin(current) in (Union, types.UnionType) else (current,)
    for member in map(_unwrap, members):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return frozenset(info.alias or name for name, info in member.model_fields.items())
    return None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _step(annotation: Any, part: Any) -> Any:
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        members = get_args(annotation)
        for member in members:  # a label picks its member
            tags = [meta.tag for meta in getattr(member, "__metadata__", ()) if isinstance(meta, Tag)]
            if part in tags or getattr(_unwrap(member), "__name__", None) == part:
                return _unwrap(member)
        found = [step for member in members if (step := _step(member, part)) is not None]
        return found[0] if found else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(part, str):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    if origin is list and isinstance(part, int):
        return get_args(annotation)[0]
    if origin is dict and isinstance(part, str):
        return get_args(annotation)[1]
    return None
