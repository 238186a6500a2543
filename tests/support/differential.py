"""One expression evaluated on every backend over the same records: the row path traced (one compiled
function per expression) and fused (`fuse_values`), and the columnar path (polars), compared value by value.

Used by the fuzz tests (tests/test_fuzz_expressions.py) and by benchmarks/fuzz.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from engine.batch.columnar import ColumnarCompiler, ColumnContext, FieldInfo, Unsupported, from_scaled, to_scaled
from engine.core.decimals import engine_decimals
from engine.expressions import ExpressionProblem, Scope, compile_expression, parse_expression
from engine.expressions.compiler import fuse_values
from tests.support.expression_grammar import BOOLEAN_FIELDS, DATE_FIELD, GRADE_FIELD, NUMBER_FIELDS, ON


@dataclass
class Tally:
    expressions: int = 0
    inputs: int = 0  # expression x record evaluations compared
    rejected: int = 0  # expressions `pf validate` would refuse (a located error): not evaluated
    columnar_unsupported: int = 0  # expressions the columnar path hands to the row path
    crashes: int = 0
    disagreements: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(what)


def records_frame(records: list[dict[str, Any]]) -> tuple[pl.DataFrame, dict[str, FieldInfo]]:
    """The records as a batch frame: numbers as scaled integers (cents for money), as the batch reader makes them."""
    columns: list[pl.Series] = []
    fields: dict[str, FieldInfo] = {}
    for path, decimals in NUMBER_FIELDS.items():
        scaled = [None if r[path] is None else to_scaled(r[path]) for r in records]
        ints = [None if x is None else x[0] * 10 ** (decimals - x[1]) for x in scaled]
        bound = max((abs(v) for v in ints if v is not None), default=0)
        columns.append(pl.Series(path, ints, dtype=pl.Int64))
        fields[path] = FieldInfo("number", decimals, max(bound, 1))
    for path in BOOLEAN_FIELDS:
        columns.append(pl.Series(path, [r[path] for r in records], dtype=pl.Boolean))
        fields[path] = FieldInfo("boolean")
    columns.append(pl.Series(GRADE_FIELD, [r[GRADE_FIELD] for r in records], dtype=pl.String))
    fields[GRADE_FIELD] = FieldInfo("string")
    columns.append(pl.Series(DATE_FIELD, [r[DATE_FIELD] for r in records], dtype=pl.Date))
    fields[DATE_FIELD] = FieldInfo("date")
    return pl.DataFrame(columns), fields


def columnar_values(node: Any, frame: pl.DataFrame, fields: dict[str, FieldInfo]) -> list[Any]:
    """The expression over the frame on the columnar path (raises Unsupported where it hands over)."""
    stages: list[pl.Expr] = []

    def hoist(expr: pl.Expr) -> pl.Expr:
        name = f"$t{len(stages)}"
        stages.append(expr.alias(name))
        return pl.col(name)

    col = ColumnarCompiler(ColumnContext(ON, dict(fields), {}), hoist).compile(node)
    if col.kind == "null":
        return [None] * frame.height
    if col.kind == "list":
        raise Unsupported("a list value")
    lazy = frame.lazy()
    for stage in stages:
        lazy = lazy.with_columns(stage)
    values = lazy.with_columns(col.expr.alias("$v")).collect()["$v"].to_list()
    if col.kind == "number":
        return [None if v is None else from_scaled(int(v), col.scale) for v in values]
    return values


def same(row: Any, columnar: Any) -> bool:
    if row is None or columnar is None:
        return row is None and columnar is None
    if isinstance(row, bool) or isinstance(columnar, bool):
        return row is columnar
    if isinstance(row, (int, Decimal)):
        return Decimal(row) == Decimal(columnar)
    return bool(row == columnar)


def compare(text: str, scope: Scope, records: list[dict[str, Any]], tally: Tally,
            frame: tuple[pl.DataFrame, dict[str, FieldInfo]] | None = None) -> None:
    """Evaluate `text` over the records on every backend and add what happened to the tally."""
    tally.expressions += 1
    try:
        node = parse_expression(text, scope)
    except ExpressionProblem:
        tally.rejected += 1
        return
    except Exception as exc:  # noqa: BLE001 - a crash of the parser is what the fuzzing looks for
        tally.crashes += 1
        tally.note(f"parse crash {type(exc).__name__}: {exc} in {text!r}")
        return
    try:
        compiled = compile_expression(text, node)
        fused = fuse_values([compiled])
        with engine_decimals():
            traced_values = [compiled(r) for r in records]
            fused_values = [fused(r)[0] for r in records]
    except Exception as exc:  # noqa: BLE001
        tally.crashes += 1
        tally.note(f"row crash {type(exc).__name__}: {exc} in {text!r}")
        return
    columnar: list[Any] | None
    try:
        columnar = columnar_values(node, *(frame or records_frame(records)))
    except Unsupported:
        tally.columnar_unsupported += 1
        columnar = None
    except Exception as exc:  # noqa: BLE001
        tally.crashes += 1
        tally.note(f"columnar crash {type(exc).__name__}: {exc} in {text!r}")
        return
    tally.inputs += len(records)
    for i, (traced, fused_value) in enumerate(zip(traced_values, fused_values)):
        other = columnar[i] if columnar is not None else traced
        if not same(traced, fused_value) or not same(traced, other):
            tally.disagreements += 1
            tally.note(f"{text!r} on record {records[i]!r}: traced {traced!r}, fused {fused_value!r}, columnar {other!r}")
