"""Exact fixed-point numbers over polars columns: the values the columnar compiler works with.

A Col is a compiled sub-expression with its static kind, scale (decimal digits) and magnitude bound;
numbers are scaled integers (Int64, or Int128 when wide), never floats. See columnar.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from engine.core.decimals import DECIMAL_CONTEXT

INPUT_BOUND = 10**15  # inputs above this magnitude (in units: yuan, months ...) are evaluated on the row path
MAX_SCALE = 24
_WIDE_LIMIT = 2**126  # a bound beyond this could overflow Int128 arithmetic
_I64_LIMIT = 2**62


class Unsupported(Exception):
    """An expression (or product feature) the columnar compiler does not handle; use the row path."""


_NOCONST = object()


@dataclass(frozen=True)
class Col:
    """A compiled sub-expression: a polars expression and its static properties."""

    kind: str  # number | boolean | string | date | list | null
    expr_: pl.Expr | None = None
    scale: int = 0  # numbers: decimal digits after the point
    bound: int = 0  # numbers: a bound of the absolute scaled value
    const: Any = _NOCONST  # the Python value when constant (numbers: the scaled int)
    wide: bool = False  # numbers: Int128 rather than Int64

    @property
    def is_const(self) -> bool:
        return self.const is not _NOCONST

    @property
    def expr(self) -> pl.Expr:
        if self.expr_ is not None:
            return self.expr_
        if not self.is_const:  # pragma: no cover - every Col has one or the other
            raise Unsupported("expression without a value")
        return literal(self)


def literal(col: Col) -> pl.Expr:
    value = col.const
    if value is None:
        return pl.lit(None)
    if col.kind == "number":
        return pl.lit(value, dtype=pl.Int128 if abs(value) >= _I64_LIMIT else pl.Int64)
    if col.kind == "boolean":
        return pl.lit(value, dtype=pl.Boolean)
    if col.kind == "string":
        return pl.lit(value, dtype=pl.String)
    if col.kind == "date":
        return pl.lit(value, dtype=pl.Date)
    raise Unsupported(f"a constant {type(value).__name__} cannot stand alone in a columnar expression")


def number_const(value: int | Decimal) -> Col:
    scaled, scale = to_scaled(value)
    return Col("number", None, scale, abs(scaled), scaled)


def to_scaled(value: int | Decimal) -> tuple[int, int]:
    """An exact number as (integer, scale): Decimal('12.50') -> (1250, 2)."""
    if isinstance(value, bool):
        raise Unsupported("a boolean is not a number")
    if isinstance(value, int):
        return value, 0
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise Unsupported(f"{value} is not a finite number")
    integer = int("".join(map(str, digits)) or "0")
    if exponent >= 0:
        return (-1 if sign else 1) * integer * 10**exponent, 0
    if -exponent > MAX_SCALE:
        raise Unsupported(f"{value} has more than {MAX_SCALE} decimals")
    return (-1 if sign else 1) * integer, -exponent


def from_scaled(value: int, scale: int) -> Decimal:
    return Decimal(value).scaleb(-scale, DECIMAL_CONTEXT) if scale else Decimal(value)


@dataclass
class FieldInfo:
    kind: str  # number | boolean | string | date | list
    scale: int = 0
    bound: int = 0
    wide: bool = False


@dataclass
class ColumnContext:
    """What the columns of a batch are: their kinds, scales and bounds, and the evaluation date."""

    on: date
    fields: dict[str, FieldInfo] = field(default_factory=dict)  # path -> info, for columns present in the frame
    sources: dict[str, str] = field(default_factory=dict)  # data source -> name of its presence column


def rescale(col: Col, scale: int) -> Col:
    """The same number at a larger scale (exact: multiply by a power of ten)."""
    if col.kind == "null" or col.scale == scale:
        return col
    if scale < col.scale:  # pragma: no cover - callers only widen
        raise ValueError("rescale only widens")
    factor = 10 ** (scale - col.scale)
    bound = col.bound * factor
    _check_bound(bound)
    if col.is_const:
        return Col("number", None, scale, bound, None if col.const is None else col.const * factor)
    return Col("number", col.expr.cast(pl.Int128) * pl.lit(factor, dtype=pl.Int128), scale, bound, wide=True)


def _check_bound(bound: int) -> None:
    if bound >= _WIDE_LIMIT:
        raise Unsupported("numbers in this expression could exceed 128-bit fixed point")


def align(*cols: Col) -> list[Col]:
    numbers = [c for c in cols if c.kind == "number"]
    scale = max((c.scale for c in numbers), default=0)
    if scale > MAX_SCALE:
        raise Unsupported(f"more than {MAX_SCALE} decimals")
    return [rescale(c, scale) if c.kind == "number" else c for c in cols]


def wide(col: Col) -> pl.Expr:
    return col.expr.cast(pl.Int128) if not col.wide else col.expr


def any_null(cols: list[Col]) -> pl.Expr | None:
    checks = [c.expr.is_null() for c in cols if not c.is_const]
    if any(c.is_const and c.const is None for c in cols):
        return pl.lit(True)
    if not checks:
        return None
    return pl.any_horizontal(checks) if len(checks) > 1 else checks[0]


def strict(cols: list[Col], result: pl.Expr) -> pl.Expr:
    """null when any operand is null (what min_horizontal and friends do not do by themselves)."""
    nulls = any_null(cols)
    if nulls is None:
        return result
    return pl.when(nulls).then(None).otherwise(result)




def _round_half_up(x: pl.Expr, q: int) -> pl.Expr:
    """Round a scaled integer to a multiple of q, ties away from zero (ROUND_HALF_UP), then divide by q."""
    half = pl.lit(q // 2, dtype=pl.Int128)
    quotient = pl.lit(q, dtype=pl.Int128)
    return pl.when(x >= 0).then((x + half) // quotient).otherwise(neg((neg(x) + half) // quotient))


def neg(x: pl.Expr) -> pl.Expr:
    """-x for 128-bit integers (polars has no unary minus for them)."""
    return pl.lit(0, dtype=pl.Int128) - x


def _compare(op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    raise Unsupported(f"operator {op}")  # pragma: no cover


def _value_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _dtype(kind: str) -> pl.DataType:
    return {
        "number": pl.Int64, "boolean": pl.Boolean, "string": pl.String, "date": pl.Date,
        "list": pl.List(pl.String), "null": pl.Null,
    }[kind]  # type: ignore[return-value]
