"""pre_approved: a line granted in advance (village / park surveys, public data), with a validity period,
evidence factors that scale it, and the balance already drawn deducted (balance control)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from engine.compile.ir import CompiledCap
from engine.compile.limits.common import (
    APPLIED,
    CapOutcome,
    Check,
    FindingTuple,
    Model,
    Money,
    Record,
    adjust,
    fields_of,
    inputs_of,
    number,
    reason,
    unique_ids,
    yuan,
)
from engine.compile.limits.registry import CapKind, register
from engine.documents.caps import PreApprovedCapDoc, text
from engine.expressions import CompiledExpression
from engine.finance.schedules import add_months


class FactorResult(Model):
    id: str
    label: str
    factor: Decimal | None
    outcome: Literal["applied", "not_applicable", "not_applied_unknown", "applied_unknown"]
    inputs: dict[str, Any] = Field(default_factory=dict)


class PreApprovedDetail(Model):
    kind: Literal["pre_approved"] = "pre_approved"
    line: Money | None
    granted_on: date | None
    valid_until: date | None
    status: Literal["valid", "expired", "unknown", "not_tracked"]
    factors: list[FactorResult]
    adjusted_line: Money | None
    outstanding: Money | None
    explanation: list[str]


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    when: CompiledExpression
    factor: CompiledExpression


@dataclass(frozen=True)
class PreApprovedWork:
    status: str  # valid | expired | unknown | not_tracked
    granted: date | None
    until: date | None
    line: Any
    factors: list[tuple[Factor, Any, str]]  # (factor, scale, outcome)
    adjusted: Any  # the line after the factors, None when unknown
    outstanding: Any  # as read; None when not declared
    value: Any  # adjusted - outstanding, not below zero; None when unknown or expired


@dataclass(frozen=True)
class PreApprovedModel:
    label: str
    line: CompiledExpression
    granted_on: CompiledExpression | None
    valid_months: CompiledExpression | None
    factors: tuple[Factor, ...]
    outstanding: CompiledExpression | None
    expired: Check

    @property
    def fields(self) -> tuple[str, ...]:
        return fields_of(self.line, self.granted_on, self.valid_months, self.outstanding,
                         *(e for f in self.factors for e in (f.when, f.factor)))

    def validity(self, v: Record) -> tuple[str, date | None, date | None]:
        """(status, granted on, valid until): the line is valid through the day before it turns valid_months old."""
        if self.granted_on is None or self.valid_months is None:
            return "not_tracked", None, None
        granted, months = self.granted_on.function(v), self.valid_months.function(v)
        if granted is None or months is None:
            return "unknown", granted, None
        until = add_months(granted, int(months)) - timedelta(days=1)
        return ("valid" if v["$date"] <= until else "expired"), granted, until

    def work(self, v: Record) -> PreApprovedWork:
        status, granted, until = self.validity(v)
        line = adjusted = self.line.function(v)
        treated = []
        unknown = line is None
        for factor in self.factors:
            applies, scale = factor.when.function(v), factor.factor.function(v)
            if applies is not False and scale is None:
                unknown = True
                treated.append((factor, scale, "not_applied_unknown"))
                continue
            outcome = adjust(applies, scale, lowers=scale is not None and scale < 1)
            if outcome in APPLIED and adjusted is not None:
                adjusted = adjusted * scale
            treated.append((factor, scale, outcome))
        if unknown:
            adjusted = None
        outstanding = self.outstanding.function(v) if self.outstanding is not None else None
        deducted = outstanding if self.outstanding is not None else Decimal(0)
        value = None
        if status not in ("expired", "unknown") and adjusted is not None and deducted is not None:
            value = max(adjusted - deducted, Decimal(0))
        return PreApprovedWork(status, granted, until, line, treated, adjusted, outstanding, value)

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        w = self.work(v)
        if w.status == "expired":
            return CapOutcome(None, [(self.expired, False)], False)
        return CapOutcome(w.value, [], w.value is None)

    def diagnose(self, v: Record) -> list[FindingTuple]:
        return []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> PreApprovedDetail:
        w = self.work(v)
        lines = [f"预授信额度 {self.line.text.strip()} = {yuan(w.line)}"]
        lines.append({"not_tracked": "未设有效期",
                      "unknown": "核定日期或有效期缺失,无法确认是否在有效期内",
                      "valid": f"{w.granted}核定,有效期至{w.until}",
                      "expired": f"{w.granted}核定,已于{w.until}到期"}[w.status])
        words = {"applied": "适用", "not_applicable": "不适用", "not_applied_unknown": "数据缺失,不调增",
                 "applied_unknown": "数据缺失,从严调减"}
        factors = []
        for factor, scale, outcome in w.factors:
            factors.append(FactorResult(id=factor.id, label=factor.label, factor=scale, outcome=outcome,
                                        inputs=inputs_of(factor.when.fields, v)))
            lines.append(f"{factor.label}: {words[outcome]}(×{number(scale)})")
        if self.factors:
            lines.append(f"调整后额度 {yuan(w.adjusted)}")
        if self.outstanding is not None:
            lines.append(f"扣减已用信余额 {yuan(w.outstanding)}")
        lines.append(f"{self.label} = {yuan(value)}")
        return PreApprovedDetail(line=w.line, granted_on=w.granted, valid_until=w.until, status=w.status,
                                 factors=factors, adjusted_line=w.adjusted, outstanding=w.outstanding, explanation=lines)


def compile_pre_approved(c: Any, path: tuple, doc: PreApprovedCapDoc, step: Decimal) -> CompiledCap | None:
    line = c.e(path + ("line",), doc.line, "number")
    granted = c.e(path + ("granted_on",), doc.granted_on, "date") if doc.granted_on is not None else None
    months = c.e(path + ("valid_months",), doc.valid_months, "number") if doc.valid_months is not None else None
    outstanding = c.e(path + ("outstanding",), doc.outstanding, "number") if doc.outstanding is not None else None
    factors = []
    for i, f in enumerate(doc.factors):
        when = c.e(path + ("factors", i, "when"), f.when, "boolean")
        scale = c.e(path + ("factors", i, "factor"), f.factor, "number")
        if when and scale:
            factors.append(Factor(f.id, f.label, when, scale))
    unique_ids(c, path, "factors", doc.factors)
    if line is None:
        return None
    template = (f"预授信额度于{{{text(doc.granted_on)}}}核定,有效期{{{text(doc.valid_months)}}}个月,已过期,需客户经理重新调查核定"
                if doc.granted_on is not None else "预授信额度已过期")
    expired = reason(f"{doc.id.upper()}_EXPIRED", doc.expired_action, template, c, path + ("granted_on",), fields_of(granted, months))
    model = PreApprovedModel(doc.label, line, granted, months, tuple(factors), outstanding, expired)
    return CompiledCap(doc.id, doc.label, None, doc.on_missing, doc.kind, model)


KIND = register(CapKind("pre_approved", compile_pre_approved, PreApprovedModel, PreApprovedDetail, fused=False,
                        own_findings=True))
