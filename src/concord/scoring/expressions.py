"""A small, safe expression language for scoring formulas (never `eval`).

Formulas are arithmetic over dimension codes: numbers, + - * /, unary minus, parentheses, and
the functions min, max, sum, avg. They are parsed with Python's `ast` and only those node types
are accepted; anything else is refused with a message naming what is not allowed.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_FUNCTIONS: dict[str, Callable[[list[Decimal]], Decimal]] = {
    "min": min,
    "max": max,
    "sum": lambda xs: sum(xs, Decimal(0)),
    "avg": lambda xs: sum(xs, Decimal(0)) / len(xs),
}
MAX_LENGTH = 500


class FormulaError(ValueError):
    """A formula that cannot be used, with a message an administrator can act on."""


class Formula:
    """A parsed formula: check its names once, evaluate it many times."""

    def __init__(self, source: str) -> None:
        if len(source) > MAX_LENGTH:
            raise FormulaError(f"A formula can be at most {MAX_LENGTH} characters long.")
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"The formula is not valid arithmetic: {exc.msg}.") from None
        self.source = source
        self.names: set[str] = set()
        self._check(tree.body)
        self._tree = tree.body

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            self._check(node.operand)
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            pass
        elif isinstance(node, ast.Name):
            self.names.add(node.id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS
            and not node.keywords
            and node.args
        ):
            for arg in node.args:
                self._check(arg)
        else:
            raise FormulaError(
                f"'{ast.unparse(node)}' is not allowed: use numbers, dimension codes, + - * /, "
                "brackets and min, max, sum, avg."
            )

    def check_names(self, allowed: set[str]) -> None:
        unknown = sorted(self.names - allowed)
        if unknown:
            raise FormulaError("Unknown dimension codes in the formula: " + ", ".join(unknown))

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        return self._eval(self._tree, values)

    def _eval(self, node: ast.AST, values: Mapping[str, Decimal]) -> Decimal:
        if isinstance(node, ast.BinOp):
            left, right = self._eval(node.left, values), self._eval(node.right, values)
            if isinstance(node.op, ast.Div) and right == 0:
                raise FormulaError("The formula divides by zero for these values.")
            return Decimal(_BINARY[type(node.op)](left, right))
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, values)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            try:
                return values[node.id]
            except KeyError:
                raise FormulaError(f"No value for '{node.id}'.") from None
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            raise FormulaError(f"'{ast.unparse(node)}' is not allowed.")  # _check refused it
        return _FUNCTIONS[node.func.id]([self._eval(arg, values) for arg in node.args])
