"""The vocabulary of a customer list's cells: how text spells numbers and booleans, how a cell is shown
in a reject, and small helpers shared by the column converters."""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import polars as pl

MAX_NUMBER_SCALE = 18
NUMBER_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
TRUE_TEXT = {"true", "t", "yes", "y", "1"}
FALSE_TEXT = {"false", "f", "no", "n", "0"}


def all_true(n: int) -> pl.Series:
    return pl.select(pl.repeat(True, n, dtype=pl.Boolean)).to_series()


def at_scale(value: int, scale: int, target: int) -> int:
    """A scaled integer at another scale, rounded up when it loses digits (a lower bound stays a bound)."""
    if scale <= target:
        return value * 10 ** (target - scale)
    return value // 10 ** (scale - target) + (1 if value % 10 ** (scale - target) else 0)


def show(value: Any) -> str:
    """A cell as a reject shows it."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return json.dumps([str(v) for v in value], ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
