"""Arithmetic in rules (`compute:`), parsed once with `ast` into closures (and, for
auditor.policy.fastpath, into the same arithmetic as Python source).

Only numbers, + - * / and unary minus, min(), max(), ceil(), parameter names and dotted
attribute paths are accepted; anything else is a rule error. A missing attribute makes the
value unknown (raised as Missing), which turns the rule result NOT_EVALUABLE. Parameters are
read from the evaluation context (`ctx.params`), so one compiled rule serves every config.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Context = Any  # an EvalContext: anything with `params`, read by the resolvers
Compiled = Callable[[Context], float]
ResolverFactory = Callable[[str], Callable[[Context], Any]]
# For source: the Python expression for the number at a path (as `number_at` answers, raising Missing),
# and the name a constant is bound to.
SourceReader = Callable[[str], str]
SourceNamer = Callable[[Any], str]


class ExpressionError(ValueError):
    pass


class Missing(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {"min": min, "max": max, "ceil": math.ceil}


@dataclass(frozen=True)
class Expression:
    """A checked `compute:` expression: `evaluate` runs it on a context, `source` writes it as Python."""

    text: str
    tree: ast.expr
    params: frozenset[str]  # the names in it that are parameters
    evaluate: Compiled
    paths: tuple[str, ...]  # the attribute paths it reads, in order

    def source(self, number: SourceReader, const: SourceNamer) -> str:
        """The same arithmetic over `number(path)`, in the same order, raising the same Missing, with
        `quotient` bound to the name `_quotient`."""
        return _source(self.tree, self, number, const)


def compile_expression(text: str, params: dict[str, Any], resolver: ResolverFactory) -> Expression:
    """Compile `text` (`params`: the rule's parameter defaults), checked once here."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    paths: list[str] = []
    names = _Names(params, resolver, paths, text)
    evaluate = _compile(tree.body, names)
    return Expression(text, tree.body, frozenset(names.used_params), evaluate, tuple(paths))


def number_at(value: Any, name: str) -> Any:
    """The number read at `name`; Missing when it is absent or not a number."""
    if value is None:
        raise Missing(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Missing(f"{name} is {value!r}, not a number")
    return value


def quotient(a: float, b: float, text: str) -> float:
    """`a / b`; a division by zero makes the value unknown."""
    if b == 0:
        raise Missing(f"division by zero in {text!r}")
    return a / b


class _Names:
    """What the compiler needs to turn a name into a reader: parameters, paths, the text."""

    def __init__(self, params: dict[str, Any], resolver: ResolverFactory, paths: list[str], text: str) -> None:
        self.params, self.resolver, self.paths, self.text = params, resolver, paths, text
        self.used_params: set[str] = set()


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def _compile(node: ast.expr, names: _Names) -> Compiled:
    text = names.text
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        constant = float(node.value)
        return lambda ctx: constant
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        fn = _BINARY[type(node.op)]
        left = _compile(node.left, names)
        right = _compile(node.right, names)

        if fn is operator.truediv:
            return lambda ctx: quotient(left(ctx), right(ctx), text)
        return lambda ctx: fn(left(ctx), right(ctx))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _compile(node.operand, names)
        return lambda ctx: -inner(ctx)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and node.args
        and not node.keywords
    ):
        fn_ = _FUNCTIONS[node.func.id]
        args = [_compile(arg, names) for arg in node.args]
        return lambda ctx: fn_(*(arg(ctx) for arg in args))
    name = _dotted(node)
    if name is not None:
        if name in names.params:
            default = names.params[name]
            if isinstance(default, bool) or not isinstance(default, int | float):
                raise ExpressionError(f"parameter {name!r} in {text!r} is not a number")
            names.used_params.add(name)
            return lambda ctx: float(ctx.params[name])
        names.paths.append(name)
        resolve = names.resolver(name)
        return lambda ctx: number_at(resolve(ctx), name)
    raise ExpressionError(f"unsupported element {ast.dump(node)[:40]!r} in {text!r}")


_SYMBOLS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


def _source(node: ast.expr, expression: Expression, number: SourceReader, const: SourceNamer) -> str:
    """Mirrors `_compile` on a checked tree: operands left to right, as the closures evaluate them."""
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return const(float(node.value))
    if isinstance(node, ast.BinOp):
        left, right = _source(node.left, expression, number, const), _source(node.right, expression, number, const)
        if isinstance(node.op, ast.Div):
            return f"_quotient({left}, {right}, {const(expression.text)})"
        return f"({left} {_SYMBOLS[type(node.op)]} {right})"
    if isinstance(node, ast.UnaryOp):
        return f"(-{_source(node.operand, expression, number, const)})"
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        args = ", ".join(_source(arg, expression, number, const) for arg in node.args)
        return f"{const(_FUNCTIONS[node.func.id])}({args})"
    name = _dotted(node)
    assert name is not None
    if name in expression.params:
        return f"float(params[{name!r}])"
    return number(name)
