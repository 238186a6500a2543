"""Compile typed expression nodes into polars expressions: the columnar twin of engine.expressions.compiler.

The row compiler is the specification; this one reproduces it over whole columns:

- unknown is null. polars' `&`, `|` and `~` follow Kleene's three-valued logic exactly as the row
  path does (false and null = false, true or null = true, not null = null); comparisons, arithmetic
  and functions touching null give null.
- numbers are exact fixed-point integers. Every numeric expression has a *static* scale (decimal
  digits after the point): money columns hold cents (scale 2), integers scale 0, a constant 0.2 is
  2 at scale 1; + and - align scales, * adds them. Nothing is ever a float, so a limit is identical
  to the cent and a rate to the basis point. Each numeric expression also carries a static bound of
  its magnitude; if a product's arithmetic could exceed 128-bit integers the compiler refuses it and
  the product is evaluated on the row path instead (rows with inputs above INPUT_BOUND go there too).
- division is compiled where it is exact: directly under a comparison (a / b <= c becomes a
  comparison of cross-products with the sign of the divisor; a zero divisor is null, as in the row
  path). A quotient used as a value elsewhere has no exact fixed-point form, so such an expression
  raises Unsupported and the product falls back to the row path.

- no subtree is copied: polars expressions are trees, so an operand a construct reads twice (the condition
  of `if`, the arguments of round, round_down, min, max, clamp, a divisor) would be copied, and nested
  such constructs would grow 3-4x per level. An operand that itself contains such a construct is
  computed once into a temporary column (`share`, through the `hoist` callback the batch plan gives).

Anything this module cannot compile raises Unsupported with the reason; callers then use the row path.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable

import polars as pl

from engine.batch.fixed_point import (  # noqa: F401 - the fixed-point vocabulary is re-exported for the batch planner
    _I64_LIMIT,
    _WIDE_LIMIT,
    INPUT_BOUND,
    MAX_SCALE,
    Col,
    ColumnContext,
    FieldInfo,
    Unsupported,
    _check_bound,
    _compare,
    _dtype,
    _round_half_up,
    _value_kind,
    align,
    any_null,
    from_scaled,
    literal,
    neg,
    number_const,
    rescale,
    strict,
    to_scaled,
    wide,
)
from engine.batch.sharing import REREADS as _REREADS, is_division as _is_division, rereads
from engine.expressions import nodes as n


class ColumnarCompiler:
    def __init__(self, context: ColumnContext, hoist: Callable[[pl.Expr], pl.Expr] | None = None):
        self.context = context
        self.hoist = hoist  # computes an expression into a temporary column and returns a reference to it
        self._rereads: dict[int, bool] = {}

    def share(self, node: n.Node) -> Col:
        """The node compiled for an operand that is read more than once: a temporary column when it is big."""
        col = self.compile(node)
        if self.hoist is None or col.is_const or col.kind in ("null", "list") or not rereads(node, self._rereads):
            return col
        return Col(col.kind, self.hoist(col.expr), col.scale, col.bound, wide=col.wide)

    def compile(self, node: n.Node) -> Col:
        handler: Callable[[Any], Col] | None = getattr(self, "c_" + type(node).__name__, None)
        if handler is None:
            raise Unsupported(f"{type(node).__name__} expressions")
        return handler(node)

    def boolean(self, node: n.Node) -> pl.Expr:
        col = self.compile(node)
        if col.kind == "null":
            return pl.lit(None, dtype=pl.Boolean)
        if col.kind != "boolean":
            raise Unsupported(f"expected a boolean, got {col.kind}")
        return col.expr

    # ------------------------------------------------------------ leaves

    def c_Const(self, node: n.Const) -> Col:
        value = node.value
        if value is None:
            return Col("null", None, const=None)
        if isinstance(value, bool):
            return Col("boolean", None, const=value)
        if isinstance(value, (int, Decimal)):
            return number_const(value)
        if isinstance(value, str):
            return Col("string", None, const=value)
        if isinstance(value, date):
            return Col("date", None, const=value)
        if isinstance(value, (tuple, frozenset)):
            return Col("list", None, const=value)
        raise Unsupported(f"a constant {type(value).__name__}")

    def c_FieldRef(self, node: n.FieldRef) -> Col:
        info = self.context.fields.get(node.path)
        kind = _kind(node)
        if info is None:  # the column is not in this batch at all: every row misses it
            if kind == "number":
                return Col("number", pl.lit(None, dtype=pl.Int64), 0, 0)
            return Col(kind, pl.lit(None, dtype=_dtype(kind)))
        return Col(info.kind, pl.col(node.path), info.scale, info.bound, wide=info.wide)

    # ------------------------------------------------------------ operators

    def c_Compare(self, node: n.Compare) -> Col:
        if _is_division(node.left) or _is_division(node.right):
            return self.compare_fractions(node)
        left, right = self.compile(node.left), self.compile(node.right)
        if left.kind == "number" or right.kind == "number":
            left, right = align(left, right)
        return Col("boolean", _compare(node.op, left.expr, right.expr))

    def fraction(self, node: n.Node) -> tuple[Col, Col | None]:
        if _is_division(node):
            return self.compile(node.left), self.share(node.right)  # type: ignore[attr-defined]
        return self.compile(node), None

    def compare_fractions(self, node: n.Compare) -> Col:
        """a/b op c/d, exactly: compare a*d with c*b, flipped when b*d < 0; a zero divisor is null."""
        (a, b), (c, d) = self.fraction(node.left), self.fraction(node.right)
        left = self.multiply(a, d) if d is not None else a
        right = self.multiply(c, b) if b is not None else c
        left, right = align(left, right)
        divisors = [x for x in (b, d) if x is not None]
        sign = divisors[0] if len(divisors) == 1 else self.multiply(divisors[0], divisors[1])
        sign_expr = sign.expr
        zero = pl.any_horizontal([x.expr == 0 for x in divisors]) if len(divisors) > 1 else divisors[0].expr == 0
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[node.op]
        result = (pl.when(zero).then(pl.lit(None, dtype=pl.Boolean))
                  .when(sign_expr > 0).then(_compare(node.op, left.expr, right.expr))
                  .otherwise(_compare(flipped, left.expr, right.expr)))
        return Col("boolean", result)

    def c_Logic(self, node: n.Logic) -> Col:
        parts = [self.boolean(o) for o in node.operands]
        result = parts[0]
        for part in parts[1:]:
            result = (result & part) if node.op == "and" else (result | part)
        return Col("boolean", result)

    def c_Not(self, node: n.Not) -> Col:
        return Col("boolean", ~self.boolean(node.operand))

    def c_Arith(self, node: n.Arith) -> Col:
        if node.op == "/":
            raise Unsupported("a quotient used as a value (division is columnar only directly under a comparison)")
        left, right = self.number(node.left), self.number(node.right)
        if node.op == "*":
            return self.multiply(left, right)
        left, right = align(left, right)
        bound = left.bound + right.bound
        _check_bound(bound)
        if left.is_const and right.is_const:
            if left.const is None or right.const is None:
                return Col("number", None, left.scale, 0, None)
            value = left.const + right.const if node.op == "+" else left.const - right.const
            return Col("number", None, left.scale, abs(value), value)
        expr = wide(left) + wide(right) if node.op == "+" else wide(left) - wide(right)
        return Col("number", expr, left.scale, bound, wide=True)

    def multiply(self, left: Col, right: Col) -> Col:
        scale = left.scale + right.scale
        if scale > MAX_SCALE:
            raise Unsupported(f"more than {MAX_SCALE} decimals")
        bound = left.bound * right.bound
        _check_bound(bound)
        if left.is_const and right.is_const:
            value = None if left.const is None or right.const is None else left.const * right.const
            return Col("number", None, scale, bound, value)
        return Col("number", wide(left) * wide(right), scale, bound, wide=True)

    def number(self, node: n.Node) -> Col:
        col = self.compile(node)
        if col.kind == "null":
            raise Unsupported("arithmetic with null")
        if col.kind != "number":
            raise Unsupported(f"expected a number, got {col.kind}")
        return col

    def c_Negate(self, node: n.Negate) -> Col:
        col = self.number(node.operand)
        if col.is_const:
            return Col("number", None, col.scale, col.bound, None if col.const is None else -col.const)
        return Col("number", neg(wide(col)), col.scale, col.bound, wide=True)

    def c_IfElse(self, node: n.IfElse) -> Col:
        condition_col = self.share(node.condition)
        condition = pl.lit(None, dtype=pl.Boolean) if condition_col.kind == "null" else condition_col.expr
        then, otherwise = self.compile(node.then), self.compile(node.otherwise)
        kinds = {then.kind, otherwise.kind} - {"null"}
        if len(kinds) > 1:
            raise Unsupported("branches of different kinds")
        kind = kinds.pop() if kinds else "null"
        if kind == "null":  # both branches unknown: so is the whole
            return Col("null", None, const=None)
        if kind == "number":
            then, otherwise = align(then, otherwise)
        if kind == "list":
            raise Unsupported("a conditional list")
        expr = pl.when(condition).then(then.expr).when(~condition).then(otherwise.expr).otherwise(None)
        scale = max((c.scale for c in (then, otherwise) if c.kind == "number"), default=0)  # a null branch has none
        return Col(kind, expr, scale, max(then.bound, otherwise.bound),
                   wide=then.wide or otherwise.wide)

    def c_Member(self, node: n.Member) -> Col:
        needle = self.share(node.needle)
        haystack = self.compile(node.haystack)
        if haystack.kind != "list":
            raise Unsupported("'in' needs a list")
        if needle.kind == "null":
            return Col("boolean", pl.lit(None, dtype=pl.Boolean))
        if haystack.is_const:
            values = list(haystack.const)
            if needle.kind == "number":
                scaled = [to_scaled(v) for v in values]
                scale = max([needle.scale] + [s for _, s in scaled])
                needle = rescale(needle, scale)
                series = pl.Series([v * 10 ** (scale - s) for v, s in scaled], dtype=pl.Int128)
                test = wide(needle).is_in(series.implode())
            elif not values:
                test = pl.when(needle.expr.is_null()).then(None).otherwise(pl.lit(False))
            else:
                test = needle.expr.is_in(pl.Series(values, dtype=_dtype(needle.kind)).implode())
        else:
            if needle.kind not in ("string",):
                raise Unsupported("membership of a non-text value in a list field")
            test = pl.when(needle.expr.is_null()).then(None).otherwise(haystack.expr.list.contains(needle.expr))
        return Col("boolean", ~test if node.negate else test)

    def c_Lookup(self, node: n.Lookup) -> Col:
        key = self.compile(node.key)
        if key.kind == "string":
            key_expr = key.expr
        elif key.kind == "number" and key.scale == 0 and (isinstance(node.key, n.FieldRef) or key.is_const):
            key_expr = key.expr.cast(pl.String)  # map keys are text; an integer field reads as its digits
        else:
            raise Unsupported("a map looked up by a computed or fractional number")
        values = list(node.mapping.values())
        kinds = {_value_kind(v) for v in values if v is not None}
        if len(kinds) != 1:
            raise Unsupported("a map with values of several kinds")
        kind = kinds.pop()
        old = list(node.mapping.keys())
        if kind == "number":
            scaled = [None if v is None else to_scaled(v) for v in values]
            scale = max(s for x in scaled if x is not None for s in (x[1],))
            new = [None if x is None else x[0] * 10 ** (scale - x[1]) for x in scaled]
            bound = max(abs(v) for v in new if v is not None)
            _check_bound(bound)
            is_wide = bound >= _I64_LIMIT
            dtype = pl.Int128 if is_wide else pl.Int64
            expr = key_expr.replace_strict(old, new, default=None, return_dtype=dtype)
            return Col("number", expr, scale, bound, wide=is_wide)
        if kind in ("string", "boolean"):
            return Col(kind, key_expr.replace_strict(old, values, default=None, return_dtype=_dtype(kind)))
        raise Unsupported(f"a map of {kind} values")

    def c_Aggregate(self, node: n.Aggregate | n.ItemField) -> Col:  # records: not yet polars, the row path
        raise Unsupported("aggregates over a records field")
    c_ItemField = c_Aggregate

    # ------------------------------------------------------------ functions

    def c_Call(self, node: n.Call) -> Col:
        name = node.function
        if name == "has":
            target = node.args[0]
            assert isinstance(target, n.FieldRef)
            if target.path in self.context.sources:
                return Col("boolean", pl.col(self.context.sources[target.path]).is_not_null())
            if "." not in target.path:
                return Col("boolean", pl.lit(False))  # a data source with no column in this batch
            if target.path not in self.context.fields:
                return Col("boolean", pl.lit(False))
            return Col("boolean", pl.col(target.path).is_not_null())
        if name == "coalesce":
            args = [self.compile(a) for a in node.args]
            kinds = {a.kind for a in args} - {"null"}
            if len(kinds) > 1 or "list" in kinds:
                raise Unsupported("coalesce of values of several kinds")
            kind = kinds.pop() if kinds else "null"
            if kind == "number":
                args = align(*args)
            present = [a for a in args if not (a.is_const and a.const is None)]
            if not present:
                return Col("null", None, const=None)
            return Col(kind, pl.coalesce([a.expr for a in present]), present[0].scale if kind == "number" else 0,
                       max(a.bound for a in present), wide=any(a.wide for a in present))
        method = getattr(self, "f_" + name, None)
        if method is None:
            raise Unsupported(f"function {name}()")
        reads = self.share if name in _REREADS else self.compile
        args = [reads(a) for a in node.args]
        if any(a.kind == "null" for a in args):  # every other function is unknown when an argument is
            return Col("null", None, const=None)
        return method(args)

    def _numbers(self, args: list[Col]) -> list[Col]:
        for a in args:
            if a.kind not in ("number", "null"):
                raise Unsupported(f"expected numbers, got {a.kind}")
        return align(*args)

    def _extreme(self, args: list[Col], smallest: bool) -> Col:
        kinds = {a.kind for a in args} - {"null"}
        if kinds == {"date"}:
            combine = pl.min_horizontal if smallest else pl.max_horizontal
            return Col("date", strict(args, combine([a.expr for a in args])))
        args = self._numbers(args)
        if len(args) == 1:
            return args[0]
        combine = pl.min_horizontal if smallest else pl.max_horizontal
        exprs = [wide(a) for a in args]
        return Col("number", strict(args, combine(exprs)), args[0].scale, max(a.bound for a in args), wide=True)

    def f_min(self, args: list[Col]) -> Col:
        return self._extreme(args, True)

    def f_max(self, args: list[Col]) -> Col:
        return self._extreme(args, False)

    def f_abs(self, args: list[Col]) -> Col:
        (x,) = self._numbers(args)
        return Col("number", x.expr.abs(), x.scale, x.bound, wide=x.wide)

    def f_round(self, args: list[Col]) -> Col:
        x = self._numbers(args[:1])[0]
        digits = 0
        if len(args) == 2:
            if not (args[1].is_const and args[1].scale == 0):
                raise Unsupported("round() digits must be a whole constant")
            digits = args[1].const
        if x.scale <= digits:
            return x
        return Col("number", _round_half_up(wide(x), 10 ** (x.scale - digits)), digits, x.bound, wide=True)

    def f_floor(self, args: list[Col]) -> Col:
        (x,) = self._numbers(args)
        if x.scale == 0:
            return x
        return Col("number", wide(x) // pl.lit(10**x.scale, dtype=pl.Int128), 0, x.bound, wide=True)

    def f_ceil(self, args: list[Col]) -> Col:
        (x,) = self._numbers(args)
        if x.scale == 0:
            return x
        return Col("number", neg(neg(wide(x)) // pl.lit(10**x.scale, dtype=pl.Int128)), 0, x.bound, wide=True)

    def f_round_down(self, args: list[Col]) -> Col:
        x, step = self._numbers(args)
        big_x, big_step = wide(x), wide(step)
        truncated = pl.when(big_x >= 0).then(big_x // big_step).otherwise(neg(neg(big_x) // big_step))
        result = pl.when(big_step <= 0).then(None).otherwise(truncated * big_step)
        return Col("number", strict([x, step], result), x.scale, x.bound + step.bound, wide=True)

    def f_clamp(self, args: list[Col]) -> Col:
        x, lo, hi = self._numbers(args)
        inner = pl.max_horizontal(wide(x), wide(lo))
        return Col("number", strict([x, lo, hi], pl.min_horizontal(inner, wide(hi))), x.scale,
                   max(x.bound, lo.bound, hi.bound), wide=True)

    def f_years_since(self, args: list[Col]) -> Col:
        (day,) = args
        if day.kind == "null":
            return Col("number", pl.lit(None, dtype=pl.Int64), 0, 0)
        on = self.context.on
        d = day.expr
        before = (pl.lit(on.month * 100 + on.day) < d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32))
        expr = pl.lit(on.year, dtype=pl.Int64) - d.dt.year().cast(pl.Int64) - before.cast(pl.Int64)
        return Col("number", expr, 0, 10**5)

    def f_months_since(self, args: list[Col]) -> Col:
        (day,) = args
        if day.kind == "null":
            return Col("number", pl.lit(None, dtype=pl.Int64), 0, 0)
        on = self.context.on
        d = day.expr
        expr = ((pl.lit(on.year, dtype=pl.Int64) - d.dt.year().cast(pl.Int64)) * 12 + on.month - d.dt.month().cast(pl.Int64)
                - (pl.lit(on.day) < d.dt.day().cast(pl.Int32)).cast(pl.Int64))
        return Col("number", expr, 0, 10**6)

    def f_contains_any(self, args: list[Col]) -> Col:
        first, second = args
        if first.is_const and second.is_const:
            return Col("boolean", None, const=not frozenset(first.const).isdisjoint(second.const))
        if first.is_const:
            first, second = second, first
        if not second.is_const:
            raise Unsupported("contains_any of two list fields")
        values = [v for v in second.const]
        if not all(isinstance(v, str) for v in values):
            raise Unsupported("contains_any with non-text values")
        if not values:
            return Col("boolean", pl.when(first.expr.is_null()).then(None).otherwise(pl.lit(False)))
        return Col("boolean", first.expr.list.eval(pl.element().is_in(values)).list.any())

    def f_len(self, args: list[Col]) -> Col:
        (items,) = args
        if items.is_const:
            return number_const(len(items.const))
        return Col("number", items.expr.list.len().cast(pl.Int64), 0, 10**9)


def _kind(node: n.Node) -> str:
    return node.type.kind if node.type.kind in ("number", "boolean", "string", "date", "list") else "null"
