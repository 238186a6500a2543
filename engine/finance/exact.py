"""Exact decimal inputs for the finance stage: strict parsing (no floats) and a private working context."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

MIN_PRECISION = 50


def as_decimal(value: object, name: str) -> Decimal:
    """An exact Decimal from a Decimal, int or str; floats are refused (they are not exact)."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal (or int/str), not {type(value).__name__}")
    elif isinstance(value, (int, str)):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{name} is not a number: {value!r}") from None
    else:
        raise TypeError(f"{name} must be a Decimal (or int/str), not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result



def validate_rate(annual_rate: object) -> Decimal:
    """A yearly rate as a fraction, 0 <= rate < 1."""
    r = as_decimal(annual_rate, "annual_rate")
    if not Decimal(0) <= r < Decimal(1):
        raise ValueError(
            f"annual_rate must be a fraction with 0 <= rate < 1 (e.g. 0.049 for 4.9%), got {r}"
        )
    return r


def digits(value: Decimal) -> int:
    """Significant digits of the coefficient, to size a working context that holds a product exactly."""
    return len(value.as_tuple().digits)


def work_context(prec: int) -> Context:
    """A private context: never inherits the caller's precision, rounding or traps."""
    return Context(
        prec=max(MIN_PRECISION, prec),
        rounding=ROUND_HALF_UP,
        Emax=999_999,
        Emin=-999_999,
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )
