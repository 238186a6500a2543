"""Constant folding: parts of an expression whose value is known before any data exists, computed once at
parse time with the language's own semantics (Kleene logic for unknown, the engine's decimal context for
numbers), so a folded constant means exactly what the unfolded expression would have meant on every backend.

A literal or folded number outside the declared limits (engine.core.limits.number_problem) is refused here,
with the expression's location, instead of overflowing or hanging a backend at evaluation."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import engine.expressions.nodes as n  # the module itself: the package imports the parser, which imports this
from engine.core.decimals import engine_decimals
from engine.core.limits import number_problem
from engine.expressions.kleene import k_and, k_if, k_not, k_or
from engine.expressions.types import BOOLEAN, Type


def constant(type_: Type, value: Any) -> n.Const:
    """A constant node; the null constant is unknown, so it is nullable like any missing value."""
    return n.Const(type_, value is None, value)


def is_null(node: n.Node) -> bool:
    return isinstance(node, n.Const) and node.value is None


def fold_not(operand: n.Node) -> n.Node | None:
    if isinstance(operand, n.Const):
        return constant(BOOLEAN, k_not(operand.value))
    return None


def fold_logic(op: str, operands: tuple[n.Node, ...]) -> n.Node | None:
    """The whole and/or when its value is settled by constants: a deciding constant (false for and, true for
    or) settles it whatever the rest is; all constants settle it by Kleene's tables."""
    decider = op == "or"
    if any(isinstance(o, n.Const) and o.value is decider for o in operands):
        return constant(BOOLEAN, decider)
    if all(isinstance(o, n.Const) for o in operands):
        values = [o.value for o in operands]  # type: ignore[attr-defined]
        return constant(BOOLEAN, k_or(values) if decider else k_and(values))
    return None


def fold_if(condition: n.Node, then: n.Node, otherwise: n.Node, result: Type) -> n.Node | None:
    if is_null(then) and is_null(otherwise):
        return constant(result, None)
    if not isinstance(condition, n.Const):
        return None
    if condition.value is None:
        return constant(result, None)
    return k_if(condition.value, then, otherwise)


def fold_strict(result: Type, operands: list[n.Node] | tuple[n.Node, ...]) -> n.Node | None:
    """An operator or function touching the null constant is unknown, whatever the other operands are."""
    if any(is_null(o) for o in operands):
        return constant(result, None)
    return None


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """a op b for + - * of two constants, in the engine's decimal context."""
    with engine_decimals():
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        return a * b


def constant_problem(value: Any) -> str | None:
    """Why a numeric constant (a literal, a param, a folded result) is outside the limits, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    if isinstance(value, int) and -10**15 < value < 10**15:
        return None  # the common case, without building a Decimal
    return number_problem(Decimal(value))
