"""Decision-table cells: each input cell is a unary test, written the way a product manager would.

  -  or empty        any value
  A                  equals the string A          (a bare string is always a literal)
  12 / true          equals the number / boolean
  [A, B]             one of the values
  >= 12, < 0.5, != C a comparison with the input
  in [..], not in [..]
  [12, 24), (0..5]   an interval: square bracket closed, round bracket open
A cell becomes expression text over the column's input expression, so it is type-checked like any
other expression.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

_OPERATORS = (">=", "<=", "!=", "==", ">", "<", "in ", "not in ")
_INTERVAL = re.compile(r"^([\[(])\s*([^,\s]+)\s*(?:,|\.\.)\s*([^\]\s)]+)\s*([\])])$")
ANY_CELL = (None, "-", "*", "")


class CellProblem(Exception):
    pass


def cell_condition(input_text: str, cell: Any) -> str | None:
    """Expression text testing the input against the cell, or None for 'any value'."""
    subject = f"({input_text})"
    if isinstance(cell, str):
        cell = cell.strip()
    if cell in ANY_CELL:
        return None
    if isinstance(cell, bool):
        return f"{subject} == {'true' if cell else 'false'}"
    if isinstance(cell, (int, Decimal)):
        return f"{subject} == {cell}"
    if isinstance(cell, list):
        return f"{subject} in [{', '.join(_literal(v) for v in cell)}]"
    if isinstance(cell, str):
        if cell.startswith(_OPERATORS):
            return f"{subject} {cell}"
        interval = _INTERVAL.match(cell)
        if interval:
            open_low, low, high, close_high = interval.groups()
            low_op = "<=" if open_low == "[" else "<"
            high_op = "<=" if close_high == "]" else "<"
            return f"{low} {low_op} {subject} {high_op} {high}"
        return f"{subject} == {cell!r}"
    raise CellProblem(f"a table cell cannot be a {type(cell).__name__}")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    raise CellProblem(f"a list cell can hold strings and numbers, not {type(value).__name__}")
