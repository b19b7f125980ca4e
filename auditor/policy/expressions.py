"""Arithmetic in rules (`compute:`), parsed once with `ast` into closures.

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
from typing import Any

Context = Any  # an EvalContext: anything with `params`, read by the resolvers
Compiled = Callable[[Context], float]
ResolverFactory = Callable[[str], Callable[[Context], Any]]


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


def compile_expression(
    text: str, params: dict[str, Any], resolver: ResolverFactory
) -> tuple[Compiled, list[str]]:
    """Compile `text` (`params`: the rule's parameter defaults); return the closure and the paths it reads."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    paths: list[str] = []
    return _compile(tree.body, _Names(params, resolver, paths, text)), paths


class _Names:
    """What the compiler needs to turn a name into a reader: parameters, paths, the text."""

    def __init__(self, params: dict[str, Any], resolver: ResolverFactory, paths: list[str], text: str) -> None:
        self.params, self.resolver, self.paths, self.text = params, resolver, paths, text


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

        def binary(ctx: Context) -> float:
            a, b = left(ctx), right(ctx)
            if fn is operator.truediv and b == 0:
                raise Missing(f"division by zero in {text!r}")
            return fn(a, b)

        return binary
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
            return lambda ctx: float(ctx.params[name])
        names.paths.append(name)
        resolve = names.resolver(name)

        def read(ctx: Context) -> float:
            value = resolve(ctx)
            if value is None:
                raise Missing(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise Missing(f"{name} is {value!r}, not a number")
            return value

        return read
    raise ExpressionError(f"unsupported element {ast.dump(node)[:40]!r} in {text!r}")
