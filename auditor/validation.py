"""Turn pydantic validation errors into located input issues, the same way for every input file."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from auditor.errors import InputError, InputIssue, json_path
from auditor.inventory.source import DataPath, Document

Model = TypeVar("Model", bound=BaseModel)

# Tags of discriminated unions (rule conditions and operands): pydantic puts them in error paths,
# but they are not keys of the document.
UNION_TAGS = frozenset({"all", "any", "not", "related", "leaf", "param", "path", "literal", "as_of"})


def message(error: Any) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        return f"unknown attribute {loc[-1]!r}"
    if kind == "missing":
        return f"missing required attribute {loc[-1]!r}"
    got = error.get("input")
    shown = repr(got) if isinstance(got, str | int | float | bool) else type(got).__name__
    return f"{error['msg']} (got {shown})"


def located_issues(exc: ValidationError, document: Document, prefix: DataPath = ()) -> list[InputIssue]:
    """One issue per error, at the position of the offending value in `document`."""
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part in UNION_TAGS))
        path: DataPath = (*prefix, *loc)
        issues.append(InputIssue(document.locate(path), json_path(path), message(error)))
    return issues


def validated(model: type[Model], document: Document) -> Model:
    """The document's data as `model`, or InputError naming every problem with its position."""
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        raise InputError(located_issues(exc, document)) from None
