"""The inventory's assets held as msgspec structs, made from the pydantic models and checked as strictly.

The pydantic models (models.py) are the schema: JSON Schema, rule paths, importers and every error text
come from them. Holding a loaded asset as a pydantic model costs about 2.6 KB (a dict of its fields and a
set of those given); a msgspec struct of the same fields takes a fifth of that and is validated about
twice as fast. So each model has a struct class made here from its fields: the same names, types and
constraints (patterns, bounds, literals, nested models, defaults), its `model_validator`s run on the
struct, dates read by the same `parse_iso_date`. Anything this module does not know how to translate
fails at import, so a model cannot gain a constraint the structs silently lack.

The loader tries the structs first and, for a section they reject, runs pydantic, whose verdict and
messages stand (tests/test_struct_parity.py checks that both accept and refuse the same inputs with the
same values). A struct is an instance of its model class (registered as a virtual subclass), has the
model's `kind`, `section` and `model_fields`, and `model_dump()` gives the dict pydantic would.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

import annotated_types
import msgspec
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic.functional_validators import BeforeValidator
from pydantic_core import PydanticUndefined

from auditor.dates import _validate as _pydantic_date
from auditor.dates import parse_iso_date
from auditor.inventory.models import ASSET_MODELS, AssetBase

_STRUCT_BY_MODEL: dict[type[BaseModel], type[msgspec.Struct]] = {}
_NONE = type(None)
_BOUNDS = {annotated_types.Ge: "ge", annotated_types.Le: "le", annotated_types.Gt: "gt", annotated_types.Lt: "lt"}


# A date field: msgspec checks it is a string, then the struct reads it with parse_iso_date, as pydantic does.
_DATE_TEXT = msgspec.Meta(extra={"iso_date": True})


class AssetStruct(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of the generated structs: the parts of a pydantic model's interface the audit uses."""

    __model__: ClassVar[type[BaseModel]]  # the pydantic model class, set on each generated class
    # Fields that may hold lists or dicts, each with whether structs may be inside
    __nested__: ClassVar[tuple[tuple[str, bool], ...]]

    def model_dump(self) -> dict[str, Any]:
        """What pydantic's `model_dump()` gives for the same asset: nested models as dicts, containers copied."""
        found = msgspec.structs.asdict(self)
        for name, deep in self.__nested__:
            value = found[name]
            if value is not None:
                found[name] = _dumped(value) if deep else value.copy()  # lists and dicts of plain values
        return found


def _dumped(value: Any) -> Any:
    if isinstance(value, AssetStruct):
        return value.model_dump()
    if type(value) is list:
        return [_dumped(item) for item in value]
    if type(value) is dict:
        return {key: _dumped(item) for key, item in value.items()}
    return value


def struct_for(model: type[BaseModel]) -> type[msgspec.Struct]:
    """The struct class of `model` (made once)."""
    found = _STRUCT_BY_MODEL.get(model)
    if found is None:
        found = _STRUCT_BY_MODEL[model] = _make_struct(model)
    return found


def _make_struct(model: type[BaseModel]) -> type[msgspec.Struct]:
    config = model.model_config
    if config.get("extra") != "forbid" or not config.get("strict") or config.get("populate_by_name"):
        raise TypeError(f"{model.__name__}: only strict models forbidding extra fields are mirrored")
    fields: list[tuple[str, Any, Any]] = []
    dates: list[str] = []
    nested: list[tuple[str, bool]] = []
    for name, info in model.model_fields.items():
        annotation = _translated(info.annotation, info.metadata)
        containers = _holds(annotation, lambda arg: arg in (list, dict))
        if _holds(annotation, lambda arg: arg is _DATE_TEXT):
            if containers:
                raise TypeError(f"{model.__name__}.{name}: dates inside a list or mapping are not mirrored")
            dates.append(name)
        if _holds(annotation, _is_struct):
            nested.append((name, True))
        elif containers:
            nested.append((name, False))
        fields.append((name, annotation, _default(info)))
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or decorators.validators or decorators.field_serializers:
        raise TypeError(f"{model.__name__}: field validators and serializers are not mirrored")
    if decorators.model_serializers or decorators.computed_fields:
        raise TypeError(f"{model.__name__}: serializers and computed fields are not mirrored")
    if any(decorator.info.mode != "after" for decorator in decorators.model_validators.values()):
        raise TypeError(f"{model.__name__}: only mode='after' model validators are mirrored")
    checks = [decorator.func for decorator in decorators.model_validators.values()]
    namespace: dict[str, Any] = {"__model__": model, "__nested__": tuple(nested), "model_fields": model.model_fields}
    if dates or checks:
        namespace["__post_init__"] = _post_init(dates, checks)
    for attribute in ("kind", "section"):
        if hasattr(model, attribute):
            namespace[attribute] = getattr(model, attribute)
    rename = {name: info.alias for name, info in model.model_fields.items() if info.alias}
    # gc=False: built from plain data, a struct never takes part in a reference cycle
    return msgspec.defstruct(
        model.__name__,
        fields,
        bases=(AssetStruct,),
        namespace=namespace,
        rename=rename or None,
        frozen=True,
        kw_only=True,
        forbid_unknown_fields=True,
        gc=False,
        module=__name__,
    )


def _post_init(dates: list[str], checks: list[Callable[[Any], Any]]) -> Callable[[Any], None]:
    def post_init(self: Any) -> None:
        for name in dates:
            value = getattr(self, name)
            if value is not None:
                msgspec.structs.force_setattr(self, name, parse_iso_date(value))
        for check in checks:
            check(self)

    return post_init


def _default(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        return msgspec.field(default_factory=info.default_factory)  # type: ignore[arg-type]
    if info.default is PydanticUndefined:
        return msgspec.NODEFAULT
    if isinstance(info.default, list | dict | set):
        raise TypeError("a mutable default is not mirrored")
    return info.default


def _holds(annotation: Any, test: Callable[[Any], bool]) -> bool:
    """Whether `annotation`, its origin or any type or metadata inside it passes `test`."""
    if test(annotation) or test(get_origin(annotation)):
        return True
    return any(_holds(arg, test) for arg in get_args(annotation))


def _is_struct(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, AssetStruct)


def _translated(annotation: Any, metadata: list[Any]) -> Any:
    """The msgspec type checking what pydantic (strict) checks for `annotation` with `metadata`."""
    constraints: dict[str, Any] = {}
    is_date = False
    for item in metadata:
        if isinstance(item, BeforeValidator) and item.func is _pydantic_date:
            is_date = True
        else:
            _constraint(item, constraints)
    if is_date:
        if annotation is not date or constraints:
            raise TypeError(f"a date validator on {annotation!r} {constraints}")
        return Annotated[str, _DATE_TEXT]
    inner = _inner(annotation)
    return Annotated[inner, msgspec.Meta(**constraints)] if constraints else inner


def _constraint(item: Any, constraints: dict[str, Any]) -> None:
    if isinstance(item, FieldInfo):
        for inner in item.metadata:
            _constraint(inner, constraints)
        return
    bound = _BOUNDS.get(type(item))
    if bound is not None:
        constraints[bound] = getattr(item, bound)
    elif isinstance(item, annotated_types.MaxLen):
        constraints["max_length"] = item.max_length
    elif isinstance(item, annotated_types.MinLen):
        constraints["min_length"] = item.min_length
    elif type(item).__name__ == "StringConstraints":
        unsupported = ("strip_whitespace", "to_upper", "to_lower", "ascii_only")
        if any(getattr(item, name) for name in unsupported) or item.strict is False:
            raise TypeError(f"string constraint not mirrored: {item!r}")
        if item.pattern is not None:
            constraints["pattern"] = _anchored(item.pattern)
        if item.max_length is not None:
            constraints["max_length"] = item.max_length
        if item.min_length is not None:
            constraints["min_length"] = item.min_length
    elif type(item).__name__ == "_PydanticGeneralMetadata" and set(vars(item)) <= {"pattern"}:
        constraints["pattern"] = _anchored(item.pattern)
    else:
        raise TypeError(f"constraint not mirrored: {item!r}")


def _anchored(pattern: str) -> str:
    """The pattern for Python's `re.search`: pydantic's Rust regex reads `$` as the end of the text, Python's
    also before a final newline."""
    if not (pattern.startswith("^") and pattern.endswith("$")) or pattern.endswith("\\$"):
        raise TypeError(f"pattern not mirrored (expected ^...$): {pattern!r}")
    return pattern[:-1] + r"\Z"


def _inner(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *metadata = get_args(annotation)
        return _translated(base, metadata)
    if origin is Union or origin is types.UnionType:
        return Union[tuple(_inner(arg) for arg in get_args(annotation))]  # noqa: UP007
    if origin is list:
        return list[_inner(get_args(annotation)[0])]  # type: ignore[misc]
    if origin is dict:
        key, value = get_args(annotation)
        return dict[_inner(key), _inner(value)]  # type: ignore[misc]
    if origin is Literal:
        if not all(type(arg) is str for arg in get_args(annotation)):
            raise TypeError(f"only string literals are mirrored: {annotation!r}")
        return annotation
    if annotation in (str, int, float, bool, _NONE):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return struct_for(annotation)
    raise TypeError(f"type not mirrored: {annotation!r}")


# Items converted at a time (loader, json_structs): their plain data stays within the CPU's caches and is let
# go before the next chunk's, so the plain data and the structs of a section are never all alive at once
CHUNK = 2048
STRUCT_BY_SECTION: dict[str, type[msgspec.Struct]] = {model.section: struct_for(model) for model in ASSET_MODELS}


def as_structs(section: str, items: list[Any]) -> list[AssetBase] | None:
    """The items of `section` as structs when every one is valid; None when any is not (pydantic decides)."""
    try:
        return msgspec.convert(items, list[STRUCT_BY_SECTION[section]])  # type: ignore[valid-type,no-any-return]
    except msgspec.ValidationError:
        return None


def as_struct(section: str, item: Any) -> AssetBase | None:
    """One item of `section` (the organization mapping) as a struct when valid; None when not."""
    try:
        return msgspec.convert(item, STRUCT_BY_SECTION[section])  # type: ignore[return-value]
    except msgspec.ValidationError:
        return None
