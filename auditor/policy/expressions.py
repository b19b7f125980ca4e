"""Arithmetic in rules (`compute:`), parsed once with `ast` into closures.

Only numbers, + - * / and unary minus, min(), max(), ceil(), parameter names and dotted
attribute paths are accepted; anything else is a rule error. A missing attribute makes the
value unknown (raised as Missing), which turns the rule result NOT_EVALUABLE.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

Lookup = Callable[[str], Any]
Compiled = Callable[[Lookup], float]


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


def compile_expression(text: str, params: dict[str, Any]) -> tuple[Compiled, list[str]]:
    """Compile `text`; return the closure and the attribute paths it reads."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    paths: list[str] = []
    return _compile(tree.body, params, paths, text), paths


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def _compile(node: ast.expr, params: dict[str, Any], paths: list[str], text: str) -> Compiled:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        constant = float(node.value)
        return lambda lookup: constant
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        fn = _BINARY[type(node.op)]
        left = _compile(node.left, params, paths, text)
        right = _compile(node.right, params, paths, text)

        def binary(lookup: Lookup) -> float:
            a, b = left(lookup), right(lookup)
            if fn is operator.truediv and b == 0:
                raise Missing(f"division by zero in {text!r}")
            return fn(a, b)

        return binary
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _compile(node.operand, params, paths, text)
        return lambda lookup: -inner(lookup)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and node.args
        and not node.keywords
    ):
        fn_ = _FUNCTIONS[node.func.id]
        args = [_compile(arg, params, paths, text) for arg in node.args]
        return lambda lookup: fn_(*(arg(lookup) for arg in args))
    name = _dotted(node)
    if name is not None:
        if name in params:
            value = params[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ExpressionError(f"parameter {name!r} in {text!r} is not a number")
            return lambda lookup: float(value)
        paths.append(name)

        def read(lookup: Lookup) -> float:
            value = lookup(name)
            if value is None:
                raise Missing(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise Missing(f"{name} is {value!r}, not a number")
            return value

        return read
    raise ExpressionError(f"unsupported element {ast.dump(node)[:40]!r} in {text!r}")
