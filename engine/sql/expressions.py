"""Typed expression nodes -> sqlglot expression trees, with the engine's semantics written out.

Why written out: engines disagree (1/0 is inf in DuckDB and an error elsewhere; ROUND on a double is
half-even in PostgreSQL; CASE WHEN NULL takes ELSE). So numbers are DECIMAL with an explicit scale,
division is NULLIF-guarded (unknown, like the row path), rounding is half up by FLOOR(ABS(x)*10^d + 0.5),
and years_since / months_since are computed from year, month and day parts. SQL's AND / OR / NOT are
already Kleene, which is the engine's three-valued logic. A node the backend cannot express raises
SqlUnsupported naming the construct, never a silently different query.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Callable

import sqlglot.expressions as sg

from engine.expressions import nodes as n

SCALE = 10  # decimals kept for every number; money and rates need at most 4. The row path keeps more
# digits in a non-terminating quotient (100 / 3), so such intermediates can differ past the 10th decimal.
NUMERIC = sg.DataType.build(f"DECIMAL(38, {SCALE})")


class SqlUnsupported(ValueError):
    """An expression construct the SQL backend cannot express yet (`construct` names it)."""

    def __init__(self, construct: str, text: str = ""):
        self.construct = construct
        super().__init__(f"the SQL backend cannot express {construct}" + (f" in '{text}'" if text else ""))


def column_name(path: str) -> str:
    """Applicant columns keep pf batch's dotted names, quoted in SQL."""
    return path


def _number(value: Decimal | int | float) -> sg.Expression:
    return sg.Cast(this=sg.Literal.number(str(Decimal(str(value)))), to=NUMERIC.copy())


def _const(value: object) -> sg.Expression:
    if value is None:
        return sg.Null()
    if isinstance(value, bool):
        return sg.Boolean(this=value)
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    if isinstance(value, date):
        return sg.Cast(this=sg.Literal.string(value.isoformat()), to=sg.DataType.build("DATE"))
    if isinstance(value, str):
        return sg.Literal.string(value)
    if isinstance(value, (tuple, frozenset)) and value:
        return sg.Array(expressions=[_const(v) for v in sorted(value, key=str)])
    raise SqlUnsupported(f"a constant of type {type(value).__name__}")


def _strict(args: list[sg.Expression], value: sg.Expression) -> sg.Expression:
    """NULL when any argument is NULL, else value: the row path's strict functions."""
    unknown = sg.or_(*(sg.Is(this=sg.Paren(this=a.copy()), expression=sg.Null()) for a in args))
    return sg.Case().when(unknown, sg.Null()).else_(value)


COMPARE: dict[str, type[sg.Expression]] = {"==": sg.EQ, "!=": sg.NEQ, "<": sg.LT, "<=": sg.LTE, ">": sg.GT, ">=": sg.GTE}
ARITH: dict[str, type[sg.Expression]] = {"+": sg.Add, "-": sg.Sub, "*": sg.Mul}


class SqlExpressions:
    """Translates one node tree; `today` is the evaluation date as a SQL expression."""

    def __init__(self, today: sg.Expression, column: Callable[[str], sg.Expression] | None = None,
                 sources: dict[str, list[str]] | None = None):
        self.today = today
        self.sources = sources or {}  # source -> its columns, for has(source)
        self.column = column or (lambda path: sg.column(column_name(path), quoted=True))

    def __call__(self, node: n.Node) -> sg.Expression:
        if isinstance(node, n.Const):
            return _const(node.value)
        if isinstance(node, n.FieldRef):
            if node.path.split(".", 1)[0] in ("scores", "tables"):
                # Scorecard and decision-table outputs are steps of their own, not yet compiled to SQL.
                kind = "a scorecard output" if node.path.startswith("scores.") else "a decision-table output"
                raise SqlUnsupported(f"{kind} ({node.path})")
            return self.column(node.path)
        if isinstance(node, n.Compare):
            return COMPARE[node.op](this=self(node.left), expression=self(node.right))
        if isinstance(node, n.Logic):
            combine = sg.and_ if node.op == "and" else sg.or_
            return sg.Paren(this=combine(*(self(o) for o in node.operands)))
        if isinstance(node, n.Not):
            return sg.Not(this=sg.Paren(this=self(node.operand)))
        if isinstance(node, n.Negate):
            return sg.Neg(this=sg.Paren(this=self(node.operand)))
        if isinstance(node, n.Arith):
            return self._arith(node)
        if isinstance(node, n.IfElse):
            # An unknown condition gives unknown, as in the row path, not the ELSE branch.
            condition = self(node.condition)
            return (sg.Case().when(sg.Is(this=sg.Paren(this=condition.copy()), expression=sg.Null()), sg.Null())
                    .when(condition, self(node.then)).else_(self(node.otherwise)))
        if isinstance(node, n.Call):
            return self._call(node)
        if isinstance(node, n.Member):
            return self._member(node)
        if isinstance(node, n.Lookup):
            return self._lookup(node)
        raise SqlUnsupported(type(node).__name__)

    def _arith(self, node: n.Arith) -> sg.Expression:
        left, right = sg.Paren(this=self(node.left)), sg.Paren(this=self(node.right))
        if node.op == "/":
            # Division by zero is unknown, never inf or an error.
            quotient = sg.Div(this=sg.Cast(this=left, to=NUMERIC.copy()),
                              expression=sg.Nullif(this=right, expression=_number(0)))
            return sg.Cast(this=quotient, to=NUMERIC.copy())
        return ARITH[node.op](this=left, expression=right)

    def _call(self, node: n.Call) -> sg.Expression:
        args = [self(a) for a in node.args]
        name = node.function
        if name == "abs":
            return sg.Abs(this=args[0])
        if name == "round":
            digits = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], n.Const) else 0
            if len(node.args) > 1 and not isinstance(node.args[1], n.Const):
                raise SqlUnsupported("round() with computed digits")
            factor = _number(Decimal(10) ** int(digits))
            scaled = sg.Floor(this=sg.Add(this=sg.Paren(this=sg.Mul(this=sg.Abs(this=args[0]), expression=factor)),
                                          expression=_number(Decimal("0.5"))))
            # Trees are not re-parenthesised when rendered, so every compound operand is a Paren.
            return sg.Cast(this=sg.Div(this=sg.Paren(this=sg.Mul(this=sg.Sign(this=args[0]), expression=scaled)),
                                       expression=factor.copy()), to=NUMERIC.copy())
        if name in ("years_since", "months_since"):
            return self._since(name, args[0])
        if name in ("floor", "ceil"):
            return sg.Cast(this=(sg.Floor if name == "floor" else sg.Ceil)(this=args[0]), to=NUMERIC.copy())
        if name in ("min", "max"):
            # Strict like the row path: any unknown argument makes the result unknown (LEAST and
            # GREATEST skip NULLs in some engines).
            pick = sg.Least if name == "min" else sg.Greatest
            return _strict(args, pick(this=args[0], expressions=args[1:]))
        if name == "clamp":
            return _strict(args, sg.Least(this=sg.Greatest(this=args[0], expressions=[args[1]]), expressions=[args[2]]))
        if name == "round_down":
            # Towards zero to a multiple of step, unknown when step <= 0, written out (no portable TRUNC).
            quotient = sg.Paren(this=sg.Div(this=sg.Cast(this=sg.Paren(this=args[0]), to=NUMERIC.copy()),
                                            expression=sg.Paren(this=args[1])))
            whole = sg.Mul(this=sg.Sign(this=quotient), expression=sg.Floor(this=sg.Abs(this=quotient.copy())))
            down = sg.Cast(this=sg.Mul(this=sg.Paren(this=whole), expression=sg.Paren(this=args[1].copy())), to=NUMERIC.copy())
            return _strict(args, sg.Case().when(sg.LTE(this=args[1].copy(), expression=_number(0)), sg.Null()).else_(down))
        if name == "has" and isinstance(node.args[0], n.FieldRef) and "." in node.args[0].path:
            return sg.Not(this=sg.Is(this=args[0], expression=sg.Null()))
        if name == "has" and isinstance(node.args[0], n.FieldRef) and node.args[0].path in self.sources:
            # A data source is present when any of its fields is.
            columns = self.sources[node.args[0].path]
            present: sg.Expression = sg.false()
            if columns:
                present = sg.or_(*(sg.Not(this=sg.Is(this=self.column(c), expression=sg.Null())) for c in columns))  # type: ignore[assignment]
            return present
        if name == "contains_any":
            # Strict like the row path (an unknown list is unknown). Spark renders && too, which Spark
            # SQL does not accept: arrays_overlap there is still to do.
            return _strict(args, sg.ArrayOverlaps(this=args[0], expression=args[1]))
        if name == "len":
            return _strict(args, sg.Cast(this=sg.ArraySize(this=args[0]), to=NUMERIC.copy()))
        if name == "coalesce":
            return sg.Coalesce(this=args[0], expressions=args[1:])
        raise SqlUnsupported(f"the function {name}()")

    def _member(self, node: n.Member) -> sg.Expression:
        if not (isinstance(node.haystack, n.Const) and isinstance(node.haystack.value, (frozenset, set, tuple, list))):
            raise SqlUnsupported("membership in a list field")
        values = sorted(node.haystack.value, key=str)
        if not values:
            # x in [] is false for a known x and unknown for an unknown one, as in the row path.
            found: sg.Expression = sg.Case().when(sg.Is(this=sg.Paren(this=self(node.needle)), expression=sg.Null()), sg.Null()).else_(sg.false())
        else:
            found = sg.In(this=self(node.needle), expressions=[_const(v) for v in values])
        return sg.Not(this=sg.Paren(this=found)) if node.negate else found

    def _lookup(self, node: n.Lookup) -> sg.Expression:
        if node.key.type.kind != "string":
            raise SqlUnsupported("a map lookup with a non-text key")
        case = sg.Case(this=self(node.key))
        for key, value in node.mapping.items():
            case = case.when(sg.Literal.string(key), _const(value))
        return case.else_(sg.Null())  # a missing key is unknown

    def _since(self, name: str, day: sg.Expression) -> sg.Expression:
        def part(unit: str, of: sg.Expression) -> sg.Expression:
            return sg.Extract(this=sg.var(unit), expression=of.copy())
        earlier_in_year = sg.or_(sg.LT(this=part("MONTH", self.today), expression=part("MONTH", day)),
                                 sg.and_(sg.EQ(this=part("MONTH", self.today), expression=part("MONTH", day)),
                                         sg.LT(this=part("DAY", self.today), expression=part("DAY", day))))
        earlier_day = sg.LT(this=part("DAY", self.today), expression=part("DAY", day))
        borrow = sg.Case().when(earlier_in_year if name == "years_since" else earlier_day, sg.Literal.number(1)).else_(sg.Literal.number(0))
        years = sg.Paren(this=sg.Sub(this=part("YEAR", self.today), expression=part("YEAR", day)))
        if name == "years_since":
            whole = sg.Sub(this=years, expression=sg.Paren(this=borrow))
        else:
            months = sg.Paren(this=sg.Sub(this=part("MONTH", self.today), expression=part("MONTH", day)))
            whole = sg.Sub(this=sg.Paren(this=sg.Add(this=sg.Mul(this=years, expression=sg.Literal.number(12)), expression=months)),
                           expression=sg.Paren(this=borrow))
        unknown = sg.Is(this=day.copy(), expression=sg.Null())
        return sg.Case().when(unknown, sg.Null()).else_(sg.Cast(this=whole, to=NUMERIC.copy()))
