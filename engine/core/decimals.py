"""The one decimal context of the engine: every backend computes in it (docs/expressions.md, "Numbers").

Inputs and literals have at most 30 significant digits and magnitudes below 10^18 (engine.core.limits), and the
columnar backend is exact in 128-bit fixed point (about 38 digits). A precision of 60 digits keeps the row
path exact for every product of two in-range values and for everything the columnar path can represent, so
the two backends agree to the last digit; Python's default (28 digits) rounded 29- and 30-digit values.

Magnitude is bounded by the expression limits rather than by this context: every leaf of an expression lies in
[10^-30, 10^18) and an expression has at most 2,000 parts, so no intermediate result can come near the
exponent range below. A *result* whose magnitude reaches RESULT_BOUND (10^40, above anything 128-bit fixed
point holds) cannot be an amount, rate or term: the expression layer makes it unknown (`bounded`), on the
row path as on the columnar path (which refuses such arithmetic statically and hands the product to the row
path).
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, getcontext, localcontext
from typing import Any, Callable, ContextManager, TypeVar

PRECISION = 60
DECIMAL_CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999,
                          traps=[InvalidOperation, DivisionByZero, Overflow])
RESULT_BOUND = 10**40
_DECIMAL_BOUND = Decimal(RESULT_BOUND)


def engine_decimals() -> ContextManager[Context]:
    """`with engine_decimals():` -- evaluate in the engine's decimal context (a copy: threads never share one)."""
    return localcontext(DECIMAL_CONTEXT)


def bounded(value: Any) -> Any:
    """A numeric result, or None (unknown) when its magnitude reaches RESULT_BOUND."""
    if type(value) is int:
        return value if -RESULT_BOUND < value < RESULT_BOUND else None
    if type(value) is Decimal:
        return value if value.copy_abs() < _DECIMAL_BOUND else None
    return value


R = TypeVar("R")


def in_engine_context(function: Callable[[Any], R]) -> Callable[[Any], R]:
    """The function, always run in the engine's context: evaluation enters it once (engine.evaluate), and a
    compiled expression called from anywhere else (a message placeholder, a fee, a caller of the API) enters
    it itself, so no caller's context can change a result."""
    def run(record: Any) -> R:
        if getcontext().prec == PRECISION:
            return function(record)
        with localcontext(DECIMAL_CONTEXT):
            return function(record)

    return run
