"""One column of a customer list converted by its data-dictionary type: a fast vectorised path for
well-formed cells, engine.documents.applicant.check_value for every other cell (the row path's own
message). Numbers are in numbers.py."""
from __future__ import annotations

import json
from datetime import time
from decimal import Decimal
from typing import Any, Callable

import polars as pl

from engine.batch.cells import (
    FALSE_TEXT,
    INTEGER_TEXT,
    MAX_NUMBER_SCALE,
    NUMBER_TEXT,
    TRUE_TEXT,
    all_true,
    number_text_problem,
    show,
)
from engine.batch.fixed_point import INPUT_BOUND, FieldInfo, to_scaled
from engine.batch.frame import field_kind
from engine.batch.numbers import NumberConversion
from engine.core.limits import LIMITS, number_problem
from engine.documents.applicant import check_value
from engine.documents.models import FieldDef


def magnitude_problem(value: Any) -> str | None:
    """number_problem (engine.core.limits) for a cell about to be checked: decided from the digits and the
    exponent before any arithmetic, so 1e999999999 is refused at once. Non-finite floats and non-numbers
    are left to check_value's own messages."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        value = Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        return number_problem(Decimal(value))
    return None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:20] + "…" + text[-10:]


class ColumnConverter(NumberConversion):
    """One column: a fast vectorised path for well-formed cells, check_value for every other cell."""

    def __init__(self, path: str, definition: FieldDef, column: pl.Series, text: bool):
        self.path = path
        self.definition = definition
        self.column = column
        self.text = text or column.dtype == pl.String
        self.from_text = text  # the whole source is text (CSV): surrounding spaces are layout, not data
        self.kind = field_kind(definition.type)

    def run(self) -> tuple[pl.Series, list[tuple[int, str, str]], FieldInfo, pl.Series | None]:
        column = self.column
        if column.dtype == pl.Null:
            return self.empty(), [], self.info(0), None
        method = getattr(self, "as_" + self.kind)
        return method(column)

    def info(self, scale: int, wide: bool = False) -> FieldInfo:
        if self.kind != "number":
            return FieldInfo(self.kind)
        return FieldInfo("number", scale, INPUT_BOUND * 10**scale, wide)

    def empty(self) -> pl.Series:
        dtypes: dict[str, Any] = {"number": pl.Int64, "boolean": pl.Boolean, "string": pl.String, "date": pl.Date,
                                  "list": pl.List(pl.String)}
        dtype = dtypes[self.kind]
        return pl.Series(self.path, [None] * len(self.column), dtype=dtype)

    def natural(self, value: Any) -> Any:
        """The value as the row path would receive it from a JSON or YAML document."""
        if isinstance(value, str) and self.text:
            stripped = value.strip()
            if self.kind == "number":
                if not NUMBER_TEXT.match(stripped):
                    return value
                number = Decimal(stripped)
                short = len(stripped) <= LIMITS.number_digits + 1  # int() of thousands of digits is slow or refused
                return int(stripped) if short and INTEGER_TEXT.match(stripped) else number
            if self.kind == "boolean":
                lowered = stripped.lower()
                return True if lowered in TRUE_TEXT else False if lowered in FALSE_TEXT else value
            if self.kind == "list":
                if stripped.startswith("["):
                    try:
                        return json.loads(stripped)
                    except json.JSONDecodeError:
                        return value
                return [item.strip() for item in stripped.split(";") if item.strip()]
            if self.kind == "date":
                return stripped
            return value
        if isinstance(value, float):
            return Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else value
        if isinstance(value, list):
            return value
        return value

    def check(self, indices: list[int], raw: list[Any]) -> tuple[dict[int, Any], list[tuple[int, str, str]]]:
        good: dict[int, Any] = {}
        problems: list[tuple[int, str, str]] = []
        for i in indices:
            if isinstance(raw[i], str) and self.kind in ("number", "date") and (problem := number_text_problem(raw[i])):
                problems.append((i, show(raw[i]), problem))
                continue
            # A float is checked as itself, as a JSON applicant's float is (messages show it the same way).
            value = raw[i] if isinstance(raw[i], float) else self.natural(raw[i])
            # Floats are bounded (check_value handles them as a JSON applicant's); text and decimals are not.
            if self.kind == "number" and not isinstance(value, float) and (problem := magnitude_problem(value)):
                problems.append((i, show(raw[i]), f"{_short(show(raw[i]))} {problem}"))
                continue
            checked, error = check_value(self.definition, value)
            if error is None and self.kind == "number" and self.definition.type != "integer":
                try:
                    to_scaled(checked)
                    if to_scaled(checked)[1] > MAX_NUMBER_SCALE:
                        error = f"more than {MAX_NUMBER_SCALE} decimals are not supported, got {checked}"
                except Exception:
                    error = f"not a finite number: {checked}"
            if error is None and self.kind == "number" and (problem := magnitude_problem(checked)):
                error = f"{_short(show(raw[i]))} {problem}"  # the declared limit, as for text and decimals
            if error is not None:
                problems.append((i, show(raw[i]), error))
            else:
                good[i] = checked
        return good, problems

    def generic(self, column: pl.Series, good_mask: pl.Series, converted: pl.Series, make: Callable[[Any], Any]):
        indices = (~good_mask.fill_null(True)).arg_true().to_list()
        problems: list[tuple[int, str, str]] = []
        if indices:
            raw = column.to_list()
            good, problems = self.check(indices, raw)
            if isinstance(converted.dtype, pl.List):  # polars cannot scatter into a list column
                values = converted.to_list()
                for i, v in good.items():
                    values[i] = make(v)
                for p in problems:
                    values[p[0]] = None
                converted = pl.Series(converted.name, values, dtype=converted.dtype)
            else:
                if good:
                    converted = converted.scatter(list(good.keys()), pl.Series([make(v) for v in good.values()], dtype=converted.dtype))
                if problems:
                    converted = converted.scatter([p[0] for p in problems], pl.Series([None] * len(problems), dtype=converted.dtype))
        return converted, problems, self.info(0), None

    def as_boolean(self, column: pl.Series):
        if column.dtype == pl.Boolean:
            return column, [], self.info(0), None
        if column.dtype == pl.String:
            lowered = column.str.strip_chars().str.to_lowercase()
            converted = pl.select(pl.when(pl.lit(lowered).is_in(list(TRUE_TEXT))).then(True)
                                  .when(pl.lit(lowered).is_in(list(FALSE_TEXT))).then(False).otherwise(None)).to_series()
            return self.generic(column, converted.is_not_null() | column.is_null(), converted, lambda v: v)
        converted = pl.Series([None] * len(column), dtype=pl.Boolean)
        return self.generic(column, column.is_null(), converted, lambda v: v)

    def as_string(self, column: pl.Series):
        if column.dtype in (pl.Categorical, pl.Enum) or isinstance(column.dtype, (pl.Categorical, pl.Enum)):
            column = column.cast(pl.String)
        if column.dtype != pl.String:
            converted = pl.Series([None] * len(column), dtype=pl.String)
            return self.generic(column, column.is_null(), converted, lambda v: v)
        if self.from_text:
            column = column.str.strip_chars()
        ok = column.is_null()
        if self.definition.type == "enum":
            ok = ok | column.is_in(list(self.definition.values or []))
        else:
            ok = all_true(len(column))
        return self.generic(column, ok, column.clone(), lambda v: v)

    def as_date(self, column: pl.Series):
        if column.dtype == pl.Date:
            return column, [], self.info(0), None
        if column.dtype == pl.String:
            converted = column.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
            return self.generic(column, converted.is_not_null() | column.is_null(), converted, lambda v: v)
        if isinstance(column.dtype, pl.Datetime):
            return self.datetime_date(column)
        if isinstance(column.dtype, (pl.Categorical, pl.Enum)):
            return self.as_date(column.cast(pl.String))
        converted = pl.Series([None] * len(column), dtype=pl.Date)
        return self.generic(column, column.is_null(), converted, lambda v: v)

    def datetime_date(self, column: pl.Series):
        """A timestamp column for a date field (a warehouse DATE exported as TIMESTAMP): a timestamp at
        midnight (in its own time zone, if it has one) is that day; one with a time of day rejects its row,
        since which day it stands for is not known."""
        dates = column.dt.date()
        midnight = column.dt.time() == time(0)
        bad = (~midnight).fill_null(False).arg_true().to_list()
        problems = []
        if bad:
            raw = column.to_list()
            problems = [(i, show(raw[i]), f"expected a date, got the timestamp {raw[i].isoformat(sep=' ')} with a time of day; "
                         "export the column as a date (or timestamps at midnight)") for i in bad]
            dates = dates.scatter(bad, pl.Series([None] * len(bad), dtype=pl.Date))
        return dates.alias(self.path), problems, self.info(0), None

    def as_list(self, column: pl.Series):
        if isinstance(column.dtype, pl.List) and column.dtype.inner == pl.String:
            return column, [], self.info(0), None
        if column.dtype == pl.String:
            stripped = column.str.strip_chars()
            empty = stripped == "[]"
            simple = ~stripped.str.starts_with("[") | empty
            converted = pl.select(
                pl.when(pl.lit(empty)).then(pl.lit([], dtype=pl.List(pl.String)))
                .when(pl.lit(simple)).then(pl.lit(stripped).str.split(";").list.eval(pl.element().str.strip_chars())
                                           .list.eval(pl.element().filter(pl.element() != "")))
            ).to_series().cast(pl.List(pl.String))
            return self.generic(column, simple.fill_null(True), converted, lambda v: list(v))
        converted = pl.Series([None] * len(column), dtype=pl.List(pl.String))
        return self.generic(column, column.is_null(), converted, lambda v: list(v))
