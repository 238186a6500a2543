"""Scorecards on the columnar backend: the twin of engine.compile.scorecards.CompiledScorecard.run.

Per variable, the points of the bin its value falls in, tried in the row path's order: the missing
bin for a missing value, then the listed values, then the intervals [from, below) in order, then the
other bin; no bin means the variable is unscored, the score and grade are null, and the plan reports
SCORE_UNKNOWN_<ID> (refer). Bins are tested as comparisons of the value's expression, so a ratio
variable (debt / revenue) is compared exactly by cross-multiplication, and a zero divisor is missing.
The score is exact fixed point; the grade is the first band whose min_score it reaches.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from engine.batch.columnar import ColumnarCompiler, FieldInfo, Unsupported, to_scaled
from engine.compile.scorecards import CompiledScorecard, CompiledVariable
from engine.expressions import nodes as n
from engine.expressions.types import BOOLEAN, type_of_value

_I64_LIMIT = 2**62


def _compare(compiler: ColumnarCompiler, op: str, node: n.Node, value: Any) -> pl.Expr:
    return compiler.boolean(n.Compare(BOOLEAN, True, op, node, n.Const(type_of_value(value), False, value)))


def _missing(compiler: ColumnarCompiler, node: n.Node) -> pl.Expr:
    if isinstance(node, n.Arith) and node.op == "/":
        # A quotient has no column of its own; x == x is null exactly when x is (an operand missing, or a zero divisor).
        return compiler.boolean(n.Compare(BOOLEAN, True, "==", node, node)).is_null()
    col = compiler.compile(node)
    if col.kind == "null":
        return pl.lit(True)
    return col.expr.is_null()


def _points(compiler: ColumnarCompiler, variable: CompiledVariable, scale: int) -> pl.Expr:
    def lit(points: Any) -> pl.Expr:
        if points is None:
            return pl.lit(None, dtype=pl.Int64)
        value, s = to_scaled(points)
        return pl.lit(value * 10 ** (scale - s), dtype=pl.Int64)

    node = variable.value.node
    chain: Any = pl.when(_missing(compiler, node)).then(lit(variable.missing[0] if variable.missing else None))
    for key, (points, _) in variable.lookup.items():
        chain = chain.when(_compare(compiler, "==", node, key)).then(lit(points))
    for low, below, points, _ in variable.ranges:
        parts = ([_compare(compiler, ">=", node, low)] if low is not None else []) + \
                ([_compare(compiler, "<", node, below)] if below is not None else [])
        test = parts[0] if len(parts) == 1 else parts[0] & parts[1]
        chain = chain.when(test).then(lit(points))
    return chain.otherwise(lit(variable.other[0] if variable.other else None))


def scorecard_stages(compiler: ColumnarCompiler, card: CompiledScorecard) -> list[list[pl.Expr]]:
    """The stages writing scores.<id>.score and .grade (null when unscored), registered as batch fields."""
    numbers = [card.base_points] + [p for v in card.variables for p in _all_points(v)] + \
              [m for _, m in card.bands if m is not None]
    scale = max(to_scaled(x)[1] for x in numbers)
    bound = abs(to_scaled(card.base_points)[0]) * 10 ** (scale - to_scaled(card.base_points)[1])
    for v in card.variables:
        bound += max(abs(to_scaled(p)[0]) * 10 ** (scale - to_scaled(p)[1]) for p in _all_points(v))
    if bound >= _I64_LIMIT:
        raise Unsupported(f"scorecard {card.id} has points beyond 64-bit fixed point")
    points = [_points(compiler, v, scale) for v in card.variables]
    base = to_scaled(card.base_points)
    total = pl.lit(base[0] * 10 ** (scale - base[1]), dtype=pl.Int64) + pl.sum_horizontal(points)
    score = pl.when(pl.any_horizontal([p.is_null() for p in points])).then(None).otherwise(total).cast(pl.Int64)
    compiler.context.fields[card.score_key] = FieldInfo("number", scale, bound)
    col = pl.col(card.score_key)
    grade: Any = pl.when(col.is_null()).then(pl.lit(None, dtype=pl.String))
    for name, minimum in card.bands:
        if minimum is None:
            grade = grade.otherwise(pl.lit(name))
            break
        value, s = to_scaled(minimum)
        grade = grade.when(col >= value * 10 ** (scale - s)).then(pl.lit(name))
    compiler.context.fields[card.grade_key] = FieldInfo("string")
    return [[score.alias(card.score_key)], [grade.alias(card.grade_key)]]


def _all_points(variable: CompiledVariable) -> list[Any]:
    found = [p for _, _, p, _ in variable.ranges] + [p for p, _ in variable.lookup.values()]
    found += [bin_[0] for bin_ in (variable.missing, variable.other) if bin_ is not None]
    return found
