"""Decision-table cells: each input cell is a unary test, written the way a product manager would.

  -  or empty        any value
  A                  equals the string A          (a bare string is always a literal)
  12 / true          equals the number / boolean
  [A, B]             one of the values
  >= 12, < 0.5, != C a comparison with the input
  in [..], not in [..]
  [12, 24), (0..5]   an interval: square bracket closed, round bracket open
A cell becomes expression text over the column's input expression, so it is type-checked like any
other expression. A table compiles to its rows, its outputs, the expression of its hit policy
(engine.compile.semantics.table_state) and the checks of ambiguity and no-match.
"""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from engine.compile import reasons
from engine.compile.ir import AMBIGUOUS, NO_MATCH, CompiledRow, CompiledTable
from engine.compile.semantics import state_is, table_state
from engine.core.errors import DocPath
from engine.expressions import CompiledExpression, ExpressionProblem, compile_expression, parse_expression
from engine.expressions.parser import expression_text
from engine.expressions.types import type_of_value, unify

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


def expand_inputs(fields: tuple[str, ...], table_inputs: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Data fields behind an expression's reads: a table output stands for the fields the table reads."""
    expanded: list[str] = []
    for f in fields:
        expanded.extend(table_inputs.get(f, ()) if f.startswith("tables.") else (f,))
    return tuple(dict.fromkeys(expanded))


def compile_table(c: Any, index: int) -> CompiledTable | None:
    """Compile tables[index] with the product compiler `c`: rows, outputs, the hit policy's state and its checks."""
    table = c.doc.tables[index]
    path: DocPath = ("tables", index)
    if table.id in c.scope.tables:
        c.problems.add(replace(c.source.problem(path + ("id",), f"duplicate table id {table.id!r}"), code="PF502"))
        return None
    before = len(c.problems.problems)
    inputs = [c.e(path + ("inputs", j), text, None) for j, text in enumerate(table.inputs)]
    if None in inputs:
        return None
    width = len(table.inputs)
    rows = []
    for r, row in enumerate(table.rows):
        condition = _row_condition(c, path + ("rows", r), table.inputs, row[:width])
        outputs = {f"tables.{table.id}.{name}": value for name, value in zip(table.outputs, row[width:])}
        for col, value in enumerate(row[width:]):
            if value is None or isinstance(value, list):
                c.problems.add(c.source.problem(path + ("rows", r, width + col), "an output cell must be a single value"))
        if condition is not None:
            rows.append(CompiledRow(r, condition, outputs))
    output_types = {}
    for col, name in enumerate(table.outputs):
        values: list[Any] = [row[width + col] for row in table.rows if row[width + col] is not None]
        if table.no_match.output is not None:
            values.append(table.no_match.output[name])
        unified = unify([type_of_value(v) for v in values if not isinstance(v, list)])
        if unified is None:
            c.problems.add(c.source.problem(path + ("outputs", col), f"output {name!r} mixes values of different types"))
            continue
        output_types[name] = unified
    keys = tuple(f"tables.{table.id}.{name}" for name in table.outputs)
    read = expand_inputs(tuple(f for i in inputs if i for f in i.fields), c.table_inputs)
    for key in keys:
        c.table_inputs[key] = read
    # Registered even when a row is broken, so later uses are checked instead of cascading errors.
    c.scope.tables[table.id] = output_types
    if len(c.problems.problems) > before:
        return None
    no_match = table.no_match
    default = {f"tables.{table.id}.{k}": v for k, v in no_match.output.items()} if no_match.output else None
    message = c.x.message(c.source, path + ("no_match", "message"), no_match.message, c.scope) if no_match.message else None
    hits = [(row.index, row.condition.node) for row in rows]
    state = compile_expression(f"hit policy {table.hit_policy} of table {table.id}", table_state(table.hit_policy, hits))
    state_key = f"$table.{table.id}"
    ambiguous = None
    if table.hit_policy == "unique":
        ambiguous = replace(reasons.table_ambiguous(table.id, read, path, c.source.file),
                            condition=compile_expression(f"{state_key} != ambiguous", state_is(state_key, (AMBIGUOUS,), True)))
    missed = None
    if default is None and no_match.action is not None and message is not None:
        missed = replace(reasons.table_no_match(table.id, no_match.action, message, read, path + ("no_match",), c.source.file),
                         condition=compile_expression(f"{state_key} matched", state_is(state_key, (NO_MATCH, AMBIGUOUS), True)))
    return CompiledTable(table.id, table.hit_policy, tuple(rows), keys, default, no_match.action, message, read,
                         tuple(i.node for i in inputs if i is not None), state, ambiguous, missed)

def _row_condition(c: Any, path: DocPath, inputs: list[Any], cells: list[Any]) -> CompiledExpression | None:
    parts = []
    for col, (input_text, cell) in enumerate(zip(inputs, cells)):
        try:
            text = cell_condition(expression_text(input_text), cell)
        except CellProblem as exc:
            c.problems.add(c.source.problem(path + (col,), str(exc)))
            return None
        if text is None:
            continue
        try:
            parse_expression(text, c.scope, "boolean")
        except ExpressionProblem as exc:
            c.problems.add(c.source.problem(path + (col,), f"cell {cell!r}: {exc.message}", exc.hint))
            return None
        parts.append(f"({text})")
    combined = " and ".join(parts) or "true"
    return compile_expression(combined, parse_expression(combined, c.scope, "boolean"))
