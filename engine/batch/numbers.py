"""Number columns (integer, number, money) converted to exact scaled integers, in bulk where the cells
are well formed: integer and decimal columns by arithmetic, Float64 columns by arithmetic after checking
each value is exactly the decimal its shortest repr shows, text by a regular expression. Every other
cell goes through check_value (via ColumnConverter.check) for the row path's message."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from engine.batch.cells import MAX_NUMBER_SCALE, all_true, at_scale, show
from engine.batch.fixed_point import INPUT_BOUND, FieldInfo, to_scaled
from engine.core.limits import LIMITS, number_problem
from engine.documents.applicant import check_value
from engine.documents.models import FieldDef

_FLOAT_EXACT = float(2**51)  # |k| below this: the float test of exactness in float_number is sound
_FLOAT_MAX_SCALE = 15


def _filled(value: float, n: int) -> pl.Series:
    # A divisor column, not a scalar: polars divides by a scalar through its reciprocal, which is not
    # correctly rounded (k / 100 could miss x by one ulp); column by column division is.
    return pl.select(pl.repeat(value, n, dtype=pl.Float64)).to_series()


def _wide(series: pl.Series) -> pl.Series:
    return series.cast(pl.Int128)


def _wide_int(value: int, n: int) -> pl.Series:
    # polars 2 does no arithmetic between an Int128 Series and a Python int: the operand is a column too.
    return pl.select(pl.repeat(value, n, dtype=pl.Int128)).to_series()


def times(series: pl.Series, factor: int) -> pl.Series:
    """A scaled integer column times a power of ten, in 128 bits."""
    return _wide(series) * _wide_int(factor, len(series))


class NumberConversion:
    """The number methods of ColumnConverter (converting.py), which provides the attributes below."""

    path: str
    definition: FieldDef
    text: bool

    def info(self, scale: int, wide: bool = False) -> FieldInfo:  # pragma: no cover - see ColumnConverter
        raise NotImplementedError

    def check(self, indices: list[int], raw: list[Any]) -> tuple[dict[int, Any], list[tuple[int, str, str]]]:  # pragma: no cover
        raise NotImplementedError

    def natural(self, value: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def as_number(self, column: pl.Series) -> tuple[pl.Series, list, FieldInfo, pl.Series | None]:
        clean = self.clean_number(column)
        if clean is not None:
            return clean
        dtype_name = self.definition.type
        n = len(column)
        scaled: pl.Series | None = None
        scale = 2 if dtype_name == "money" else 0
        if column.dtype.is_integer():
            scaled = column.cast(pl.Int128)
            frac_ok = all_true(n)
            col_scale = 0
        elif isinstance(column.dtype, pl.Decimal):
            col_scale = column.dtype.scale or 0
            scaled = column.to_physical().cast(pl.Int128)
            if col_scale > scale and dtype_name != "number":
                unit = 10 ** (col_scale - scale)
                frac_ok = (_wide(scaled) % _wide_int(unit, n) == 0) | scaled.is_null()
                scaled = _wide(scaled) // _wide_int(unit, n)
                col_scale = scale
            else:
                frac_ok = all_true(n)
        elif column.dtype == pl.Float64:
            return self.float_number(column)
        elif isinstance(column.dtype, (pl.Categorical, pl.Enum)):
            return self.text_number(column.cast(pl.String))
        else:
            text = column.cast(pl.String) if column.dtype.is_float() else column
            if text.dtype != pl.String:
                return self.slow_number(column, list(range(n)), None, scale)
            return self.text_number(text)
        indices = (~frac_ok.fill_null(True)).arg_true().to_list()
        return self.finish_number(scaled, col_scale, indices, column.to_list() if indices else None)

    def float_number(self, column: pl.Series) -> tuple[pl.Series, list, FieldInfo, pl.Series | None]:
        """Float64 cells in bulk, exactly: a float stands for the decimal its shortest repr shows (what
        Decimal(repr(x)) gives). At scale s that decimal is k / 10**s with k = round(x * 10**s) exactly when
        k / 10**s, correctly rounded, is x again, provided |k| < 2**51 (then doubles are closer together
        than 10**-s, so no other decimal with s digits rounds to x, and x * 10**s is within one unit of
        k). Other cells (more decimals than the field allows, huge, NaN, infinite) go through check_value
        on Decimal(repr(x)), as one applicant's JSON float would."""
        kind = self.definition.type
        scale = 2 if kind == "money" else 0 if kind == "integer" else self.float_scale(column)
        factor = float(10**scale)
        scaled_float = (column * factor).round()
        exact = column.is_finite() & (scaled_float.abs() < _FLOAT_EXACT) & (scaled_float / _filled(factor, len(column)) == column)
        scaled = pl.select(pl.when(pl.lit(exact)).then(pl.lit(scaled_float))).to_series().cast(pl.Int64)
        indices = (~exact.fill_null(True)).arg_true().to_list()
        if not indices and scale <= 3:
            # Every value converted: what finish_number would return, without its 128-bit detour.
            checks = [scaled.abs() > INPUT_BOUND * 10**scale] + self.out_of_range(scaled, scale)
            if not any(check.fill_null(False).any() for check in checks):
                return scaled.alias(self.path), [], self.info(scale, False), None
        return self.finish_number(scaled, scale, indices, column.to_list() if indices else None)

    def float_scale(self, column: pl.Series) -> int:
        """For a 'number' field, the most decimals any Float64 value's shortest repr has (values needing
        more than _FLOAT_MAX_SCALE are left to check_value, which widens the scale if they are valid)."""
        needed = pl.Series([None] * len(column), dtype=pl.Int64)
        pending = column.is_finite().fill_null(False)
        for scale in range(_FLOAT_MAX_SCALE + 1):
            if not pending.any():
                break
            factor = float(10**scale)
            scaled = (column * factor).round()
            exact = pending & (scaled.abs() < _FLOAT_EXACT) & (scaled / _filled(factor, len(column)) == column)
            needed = pl.select(pl.when(pl.lit(exact)).then(scale).otherwise(pl.lit(needed))).to_series()
            pending = pending & ~exact
        return int(needed.max() or 0)  # type: ignore[arg-type]

    def clean_number(self, column: pl.Series) -> tuple[pl.Series, list, FieldInfo, None] | None:
        """The common case in one pass of 64-bit arithmetic: an integer or narrow decimal column whose every
        value is in range and needs no rounding. Anything else (None) takes the general path below, which
        gives the same result for such a column and the exact messages for the others."""
        dtype = column.dtype
        dtype_name = self.definition.type
        if dtype.is_integer():
            col_scale, precision = 0, 18
            physical = column.cast(pl.Int64, strict=False)
            if physical.null_count() != column.null_count():
                return None
        elif isinstance(dtype, pl.Decimal) and (dtype.precision or 38) <= 18:
            col_scale, precision = dtype.scale or 0, dtype.precision or 18
            physical = column.to_physical().cast(pl.Int64)
        else:
            return None
        target = 2 if dtype_name == "money" else 0 if dtype_name == "integer" else col_scale
        if col_scale > target or col_scale > 3 or precision + (target - col_scale) > 18:
            return None
        scaled = physical * 10 ** (target - col_scale) if target > col_scale else physical
        checks = [scaled.abs() > INPUT_BOUND * 10**target] + self.out_of_range(scaled, target)
        if any(check.fill_null(False).any() for check in checks):
            return None
        return scaled.alias(self.path), [], self.info(target, False), None

    def out_of_range(self, scaled: pl.Series, scale: int) -> list[pl.Series]:
        """Flags of values below the dictionary's min or above its max (scaled integers at `scale`)."""
        flags = []
        if self.definition.min is not None:
            lo, lo_scale = to_scaled(self.definition.min)
            flags.append(scaled < at_scale(lo, lo_scale, scale))
        if self.definition.max is not None:
            hi, hi_scale = to_scaled(self.definition.max)
            flags.append(scaled > at_scale(hi, hi_scale, scale))
        return flags

    def text_number(self, text: pl.Series):
        """Plain decimal text (the common case) converted in bulk; anything else cell by cell."""
        dtype_name = self.definition.type
        parts = pl.DataFrame({"t": text}).select(
            pl.col("t").str.strip_chars().str.extract_groups(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?$").alias("p")).unnest("p")
        parts.columns = ["sign", "whole", "frac"]
        parts = parts.with_columns(pl.col("frac").fill_null(""))
        well = (pl.col("whole").is_not_null() & ((pl.col("whole").str.len_chars() > 0) | (pl.col("frac").str.len_chars() > 0))
                & (pl.col("whole").str.len_chars() + pl.col("frac").str.len_chars() <= 30))
        frac_len = pl.col("frac").str.len_chars()
        if dtype_name == "money":
            well = well & (frac_len <= 2)
            col_scale = 2
        elif dtype_name == "integer":
            well = well & (pl.col("frac").str.strip_chars_end("0").str.len_chars() == 0)
            col_scale = 0
        else:
            longest = parts.select(frac_len.filter(well).max()).item()
            col_scale = min(int(longest or 0), MAX_NUMBER_SCALE)
            well = well & (frac_len <= col_scale)
        padded = pl.col("frac").str.slice(0, col_scale).str.pad_end(col_scale, "0") if col_scale else pl.lit("")
        magnitude = (pl.col("whole") + padded).str.replace(r"^$", "0").cast(pl.Int128, strict=False)
        result = parts.select(
            scaled=pl.when(well).then(pl.when(pl.col("sign") == "-").then(pl.lit(0, dtype=pl.Int128) - magnitude).otherwise(magnitude)),
            bad=~well & pl.col("whole").is_not_null() | (pl.col("whole").is_null() & pl.lit(text).is_not_null()),
        )
        indices = result.get_column("bad").fill_null(False).arg_true().to_list()
        return self.finish_number(result.get_column("scaled"), col_scale, indices, text.to_list() if indices else None)

    def slow_number(self, column: pl.Series, indices: list[int], _scaled: Any, scale: int):
        raw = column.to_list()
        indices = [i for i in indices if raw[i] is not None]
        empty = pl.Series([None] * len(column), dtype=pl.Int128)
        return self.finish_number(empty, scale, indices, raw)

    def finish_number(self, scaled: pl.Series, col_scale: int, indices: list[int], raw: list[Any] | None):
        problems: list[tuple[int, str, str]] = []
        if indices and raw is not None:
            good, problems = self.check(indices, raw)
            if good:
                scales = [to_scaled(v)[1] for v in good.values()]
                if self.definition.type == "number" and max(scales) > col_scale:
                    scaled = times(scaled, 10 ** (max(scales) - col_scale))
                    col_scale = max(scales)
                values = []
                for v in good.values():
                    integer, s = to_scaled(v)
                    values.append(integer * 10 ** (col_scale - s))
                scaled = scaled.cast(pl.Int128).scatter(list(good.keys()), pl.Series(values, dtype=pl.Int128))
            if problems:
                scaled = scaled.cast(pl.Int128).scatter([p[0] for p in problems], pl.Series([None] * len(problems), dtype=pl.Int128))
        scaled = scaled.cast(pl.Int128)
        target = 2 if self.definition.type == "money" else col_scale if self.definition.type == "number" else 0
        if target > col_scale:
            scaled = times(scaled, 10 ** (target - col_scale))
            col_scale = target
        # The declared magnitude limit (engine.core.limits), for cells converted in bulk as for the others.
        ceiling = 10**LIMITS.number_exponent * 10**col_scale
        huge = (scaled.abs() >= ceiling).fill_null(False).arg_true().to_list()
        if huge:
            values = scaled.to_list()
            for i in huge:
                large = Decimal(values[i]).scaleb(-col_scale) if col_scale else Decimal(values[i])
                shown = show(raw[i]) if raw is not None else f"{large:f}"
                problems.append((i, shown, f"{shown} {number_problem(large)}"))
            scaled = scaled.scatter(huge, pl.Series([None] * len(huge), dtype=pl.Int128))
        # Range checks (min/max) in the dictionary: failing cells go through check_value for the message.
        limits = self.out_of_range(scaled, col_scale)
        if limits:
            out = limits[0]
            for extra in limits[1:]:
                out = out | extra
            out_idx = out.fill_null(False).arg_true().to_list()
            if out_idx:
                values = scaled.to_list()
                for i in out_idx:
                    value = Decimal(values[i]).scaleb(-col_scale) if col_scale else int(values[i])
                    if self.definition.type == "integer":
                        value = int(value)
                    elif raw is not None and not isinstance(raw[i], (int, Decimal)) and self.text:
                        value = self.natural(raw[i])
                    _, error = check_value(self.definition, value)
                    problems.append((i, show(raw[i] if raw is not None else value), error or "out of range"))
                scaled = scaled.scatter(out_idx, pl.Series([None] * len(out_idx), dtype=pl.Int128))
        bound = INPUT_BOUND * 10**col_scale
        big = scaled.abs() > bound
        is_wide = bool(col_scale > 3)
        result = scaled if is_wide else scaled.cast(pl.Int64, strict=False)
        if not is_wide:
            overflow = result.is_null() & scaled.is_not_null()
            if overflow.any():  # beyond Int64: keep it wide (those rows go to the row path anyway)
                result, is_wide = scaled, True
        big_any = big.fill_null(False)
        return result, problems, self.info(col_scale, is_wide), big_any if big_any.any() else None
