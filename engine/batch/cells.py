"""The vocabulary of a customer list's cells: how text spells numbers and booleans, how a cell is shown
in a reject, and small helpers shared by the column converters."""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Any

import polars as pl

MAX_NUMBER_SCALE = 18
# ASCII digits only: Python's \d, int() and Decimal() also take fullwidth and other scripts' digits, which a
# text cell must not pass for a number silently (see number_text_problem).
NUMBER_TEXT = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
INTEGER_TEXT = re.compile(r"^[+-]?[0-9]+$")
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


def number_text_problem(text: str) -> str | None:
    """Why a text cell cannot stand for a number or a date: a digit that is not ASCII 0-9 (fullwidth
    '８', Arabic-Indic '٨', ...), named with its code point, the same rule for every input format."""
    for char in text:
        if char.isdigit() and not ("0" <= char <= "9"):
            name = unicodedata.name(char, "a non-ASCII digit")
            return f"{char!r} (U+{ord(char):04X} {name}) is not an ASCII digit: write numbers and dates with 0-9"
    return None
