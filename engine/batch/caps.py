"""Columnar builders of the cap kinds (engine.compile.limits), keyed by the same kind names.

Each builder turns one compiled cap into a number column (exact fixed point, null when unknown) and
what its model reports, exactly as the row path: the findings the model emits while computing (a
refused or missing co-owner consent, an expired line, an invalid or unbounded affordability test),
the rows whose missing value the model explained itself, and, for an expression cap, the condition
under which its own reason replaces "missing data" (a tax grade without a multiplier). The plan
(engine.batch.plan `_limit`) orders and gates them as engine.evaluate.interpreter does.

Affordability has no closed form: the largest principal is found by a walk over exact installments.
It is computed in Python by engine.compile.limits.affordability.largest_principal, once per distinct
input tuple of the batch chunk, inside the plan (the tuples are few: cash flows are rounded figures).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Callable

import polars as pl

from engine.batch.columnar import Col, ColumnarCompiler, Unsupported, align, from_scaled, neg, number_const, to_scaled, wide
from engine.compile.ir import Check, CompiledCap
from engine.compile.limits.affordability import largest_principal
from engine.expressions import nodes as n
from engine.expressions.types import NUMBER

_ZERO = pl.lit(0, dtype=pl.Int128)
_PRINCIPAL_SCALE = 2  # max_principal returns whole cents
_PRINCIPAL_BOUND = 10**30


@dataclass(frozen=True)
class CapFinding:
    """A reason a cap model reports; `status` is 0 (none), 1 (fail) or 2 (unknown) per row."""

    check: Check  # the IR entry (a consent's refusal and its absence share one code: one status, two actions)
    status: pl.Expr

    @property
    def code(self) -> str:
        return self.check.id


@dataclass
class CapColumns:
    value: Col
    findings: list[CapFinding] = field(default_factory=list)  # emitted while computing (row path: before caps are judged)
    explained: pl.Expr | None = None  # the value is missing because of one of those findings
    diagnosis: tuple[CapFinding, pl.Expr] | None = None  # an expression cap's own reason for a missing value, and when


def number(compiler: ColumnarCompiler, expression: Any) -> Col:
    col = compiler.compile(expression.node)
    if col.kind == "null":
        return Col("number", pl.lit(None, dtype=pl.Int64), 0, 0)
    if col.kind != "number":
        raise Unsupported("a limit, rate or term that is not a number")
    return col


def _expression(plan: Any, cap: CompiledCap) -> CapColumns:
    return CapColumns(number(plan.compiler, cap.value))


def _tax_based(plan: Any, cap: CompiledCap) -> CapColumns:
    m = cap.model
    grade = plan.compiler.compile(m.grade.node)
    # The same lookup the value makes, over the keys only: null exactly when the grade has no multiplier.
    listed = plan.compiler.compile(n.Lookup(NUMBER, True, {k: 1 for k in m.multipliers}, m.grade.node))
    unlisted = (grade.expr.is_not_null() & listed.expr.is_null()).fill_null(False)
    finding = CapFinding(m.no_multiplier, pl.lit(1))
    return CapColumns(number(plan.compiler, cap.value), diagnosis=(finding, unlisted))


def _adjusted(applies: pl.Expr, amount: pl.Expr, lowers: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(unknown, applied) of a conditional adjustment, as engine.compile.limits.common.adjust reads it."""
    unknown = applies.fill_null(True) & amount.is_null()
    applied = (applies.fill_null(False) | (applies.is_null() & lowers)).fill_null(False)
    return unknown, applied


def _not_below_zero(col: Col) -> Col:
    x = wide(col)
    return Col("number", pl.when(x < 0).then(_ZERO).otherwise(x), col.scale, col.bound, wide=True)


def _collateral(plan: Any, cap: CompiledCap) -> CapColumns:
    m, c = cap.model, plan.compiler
    valuation, ltv = number(c, m.valuation), number(c, m.ltv)
    conditions = [c.boolean(u.when.node) for u in m.uplifts]
    extra = [number(c, m.max_ltv)] if m.max_ltv is not None else []
    ratios = align(ltv, *[number(c, u.uplift) for u in m.uplifts], *extra)
    ltv, amounts, ceiling = ratios[0], ratios[1:1 + len(m.uplifts)], (ratios[-1] if extra else None)
    total, unknown = wide(ltv), ltv.expr.is_null()
    for applies, amount in zip(conditions, amounts):
        a = wide(amount)
        missing, applied = _adjusted(applies, a, a < 0)
        unknown = unknown | missing
        total = total + pl.when(applied).then(a).otherwise(_ZERO)
    effective = total
    if ceiling is not None:
        top = wide(ceiling)
        effective = pl.when(top.is_null()).then(None).when(effective < top).then(effective).otherwise(top)
    effective = pl.when(unknown).then(None).when(effective < 0).then(_ZERO).otherwise(effective)
    bound = ltv.bound + sum(a.bound for a in amounts) + (ceiling.bound if ceiling is not None else 0)
    gross = c.multiply(valuation, Col("number", effective, ltv.scale, bound, wide=True))
    parts = align(gross, *[number(c, d.amount) for d in m.deductions])
    value = wide(parts[0])
    for deduction in parts[1:]:
        value = value - wide(deduction)
    result = _not_below_zero(Col("number", value, parts[0].scale, sum(p.bound for p in parts), wide=True))
    if m.consent_required is None or m.consent_given is None:
        return CapColumns(result)
    needed = c.boolean(m.consent_required.node).fill_null(True)  # required, or cannot tell whether it is
    given = c.boolean(m.consent_given.node)
    refused = (needed & given.not_()).fill_null(False)
    missing = needed & given.is_null()
    status = pl.when(refused).then(1).when(missing).then(2).otherwise(0)
    value_expr = pl.when(refused).then(None).otherwise(result.expr)
    return CapColumns(Col("number", value_expr, result.scale, result.bound, wide=True),
                      [CapFinding(replace(m.refused, on_missing=m.not_given.action), status)], explained=refused)


def _months_offset(months: Col) -> pl.Expr | str | None:
    """int(months) as a polars offset: the row path truncates a fractional number of months toward zero."""
    if months.is_const:
        return None if months.const is None else f"{int(from_scaled(months.const, months.scale))}mo"
    x = wide(months)
    if months.scale:
        q = pl.lit(10**months.scale, dtype=pl.Int128)
        x = pl.when(x >= 0).then(x // q).otherwise(neg(neg(x) // q))
    return pl.concat_str([x.cast(pl.Int64).cast(pl.String), pl.lit("mo")])


def _pre_approved(plan: Any, cap: CompiledCap) -> CapColumns:
    m, c = cap.model, plan.compiler
    expired = unknown = pl.lit(False)
    if m.granted_on is not None and m.valid_months is not None:
        granted = c.compile(m.granted_on.node)
        offset = _months_offset(number(c, m.valid_months))
        if offset is None or granted.kind == "null":
            unknown = pl.lit(True)
        else:
            if granted.kind != "date":
                raise Unsupported("a pre-approved line granted on something that is not a date")
            # add_months clamps to the month's last day, as polars' calendar offset does
            until = granted.expr.dt.offset_by(offset).dt.offset_by("-1d")
            unknown = until.is_null()
            expired = (pl.lit(c.context.on, dtype=pl.Date) > until).fill_null(False)
    line = number(c, m.line)
    adjusted, missing = line, line.expr.is_null()
    for factor in m.factors:
        applies, scale = c.boolean(factor.when.node), number(c, factor.factor)
        s = wide(scale)
        one = pl.lit(10**scale.scale, dtype=pl.Int128)
        lost, applied = _adjusted(applies, s, s < one)
        missing = missing | lost
        times = Col("number", pl.when(applied).then(s).otherwise(one), scale.scale, max(scale.bound, 10**scale.scale), wide=True)
        adjusted = c.multiply(adjusted, times)
    outstanding = number(c, m.outstanding) if m.outstanding is not None else number_const(0)
    left, right = align(adjusted, outstanding)
    net = _not_below_zero(Col("number", wide(left) - wide(right), left.scale, left.bound + right.bound, wide=True))
    value = pl.when(expired | unknown | missing).then(None).otherwise(net.expr)
    status = pl.when(expired).then(1).otherwise(0)
    return CapColumns(Col("number", value, net.scale, net.bound, wide=True),
                      [CapFinding(m.expired, status)], explained=expired)


def _affordability(plan: Any, cap: CompiledCap) -> CapColumns:
    m, c = cap.model, plan.compiler
    inputs: list[tuple[str, Col | None]] = [
        ("cash_flow", number(c, m.cash_flow)), ("ratio", number(c, m.ratio)),
        ("existing", number(c, m.existing) if m.existing is not None else None),
        ("term", number(c, m.term)), ("method", c.compile(m.method.node)),
        ("stress", number(c, m.stress) if m.stress is not None else None),
    ]
    present = [(name, col) for name, col in inputs if col is not None]
    if inputs[4][1].kind not in ("string", "null"):  # type: ignore[union-attr]
        raise Unsupported("a repayment method that is not text")
    scales = {name: (col.scale if col.kind == "number" else None) for name, col in present}
    columns = [(wide(col) if col.kind == "number" else col.expr.cast(pl.String)).alias(name) for name, col in present]
    columns.append(pl.col("$rate").cast(pl.Int64).alias("rate"))
    name = f"$afford.{cap.id}"
    plan.stages.append([pl.struct(columns).map_batches(_principals(m.step, scales), return_dtype=_RESULT).alias(name)])
    code = pl.col(name).struct.field("code")
    value = Col("number", pl.col(name).struct.field("value"), _PRINCIPAL_SCALE, _PRINCIPAL_BOUND, wide=True)
    findings = [CapFinding(m.invalid, pl.when(code == 1).then(1).otherwise(0)),
                CapFinding(m.unbounded, pl.when(code == 2).then(1).otherwise(0))]
    return CapColumns(value, findings, explained=code.is_in([1, 2]).fill_null(False))


_RESULT = pl.Struct({"value": pl.Int128, "code": pl.UInt8})
_CODES = {"ok": 0, "invalid": 1, "unbounded": 2}


def _principals(step: Decimal, scales: dict[str, int | None]) -> Callable[[pl.Series], pl.Series]:
    def run(inputs: pl.Series) -> pl.Series:
        frame = inputs.struct.unnest()
        keys = frame.columns
        complete = frame.drop_nulls().unique(maintain_order=True)  # a missing input: the cap is missing data
        values, codes = [], []
        for row in complete.iter_rows(named=True):
            x = {k: (from_scaled(v, scales[k]) if scales.get(k) is not None else v) for k, v in row.items()}  # type: ignore[arg-type]
            outcome = largest_principal(x["cash_flow"], x["ratio"], x.get("existing", Decimal(0)), x["term"], x["method"],
                                        x.get("stress", 0), row["rate"], step)
            codes.append(_CODES[outcome.status])
            values.append(None if outcome.principal is None else _cents(outcome.principal))
        table = complete.with_columns(pl.Series("value", values, dtype=pl.Int128), pl.Series("code", codes, dtype=pl.UInt8))
        joined = frame.join(table, on=keys, how="left", maintain_order="left")
        return joined.select(pl.struct("value", "code")).to_series()
    return run


def _cents(value: Decimal) -> int:
    scaled, scale = to_scaled(value)
    if scale > _PRINCIPAL_SCALE:  # pragma: no cover - max_principal returns whole cents
        raise ValueError(f"a principal of {value} is not in whole cents")
    return scaled * 10 ** (_PRINCIPAL_SCALE - scale)


BUILDERS: dict[str, Callable[[Any, CompiledCap], CapColumns]] = {
    "formula": _expression,
    "scorecard": _expression,
    "tax_based": _tax_based,
    "collateral": _collateral,
    "pre_approved": _pre_approved,
    "affordability": _affordability,
}


def build_cap(plan: Any, cap: CompiledCap) -> CapColumns:
    builder = BUILDERS.get(cap.kind)
    if builder is None:
        raise Unsupported(f"cap {cap.id} is a {cap.kind} cap, which the columnar path does not evaluate")
    return builder(plan, cap)


__all__ = ["BUILDERS", "CapColumns", "CapFinding", "build_cap"]
