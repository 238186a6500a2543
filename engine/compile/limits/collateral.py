"""collateral: valuation x (loan-to-value + policy uplifts, capped) - existing mortgages, with co-owner consent.

A procedure, not one expression: a consent refused is not the same as a consent not yet given, and
an uplift whose condition is unknown is applied only when it lowers the ratio.
"""
from __future__ import annotations

from dataclasses import dataclass
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
    percent,
    reason,
    unique_ids,
    yuan,
)
from engine.compile.limits.registry import CapKind, register
from engine.documents.caps import CollateralCapDoc
from engine.expressions import CompiledExpression

Outcome = Literal["applied", "not_applicable", "not_applied_unknown", "applied_unknown"]


class UpliftResult(Model):
    id: str
    label: str
    uplift: Decimal | None
    outcome: Outcome = Field(
        description="not_applied_unknown: data missing, a raise is never granted on missing data; "
                    "applied_unknown: data missing, a cut is applied (the stricter reading)")
    inputs: dict[str, Any] = Field(default_factory=dict)


class DeductionResult(Model):
    id: str
    label: str
    amount: Money | None


class CollateralDetail(Model):
    kind: Literal["collateral"] = "collateral"
    valuation: Money | None
    ltv: Decimal | None = Field(description="the ratio looked up (by property type, region ...)")
    ltv_inputs: dict[str, Any] = Field(default_factory=dict, description="the data that chose the ratio")
    uplifts: list[UpliftResult]
    max_ltv: Decimal | None
    effective_ltv: Decimal | None
    gross: Money | None = Field(description="valuation x effective LTV")
    deductions: list[DeductionResult]
    consent: Literal["not_required", "given", "refused", "missing", "not_declared"]
    explanation: list[str]


@dataclass(frozen=True)
class Uplift:
    id: str
    label: str
    when: CompiledExpression
    uplift: CompiledExpression


@dataclass(frozen=True)
class Deduction:
    id: str
    label: str
    amount: CompiledExpression


@dataclass(frozen=True)
class CollateralWork:
    consent: str  # not_declared | not_required | given | refused | missing
    valuation: Any
    ltv: Any
    uplifts: list[tuple[Uplift, Any, str]]  # (uplift, amount, outcome)
    ceiling: Any
    effective: Any  # the effective LTV, None when unknown
    gross: Any  # valuation x effective
    deductions: list[tuple[Deduction, Any]]
    value: Any  # gross - deductions, not below zero; None when a figure is missing


@dataclass(frozen=True)
class CollateralModel:
    label: str
    valuation: CompiledExpression
    ltv: CompiledExpression
    ltv_inputs: tuple[str, ...]  # the data fields that chose the ratio (a table's inputs)
    max_ltv: CompiledExpression | None
    uplifts: tuple[Uplift, ...]
    deductions: tuple[Deduction, ...]
    consent_required: CompiledExpression | None
    consent_given: CompiledExpression | None
    refused: Check | None
    not_given: Check | None

    @property
    def fields(self) -> tuple[str, ...]:
        return fields_of(self.valuation, self.ltv, self.max_ltv, self.consent_required, self.consent_given,
                         *(e for u in self.uplifts for e in (u.when, u.uplift)), *(d.amount for d in self.deductions))

    def consent(self, v: Record) -> str:
        if self.consent_required is None or self.consent_given is None:
            return "not_declared"
        if self.consent_required.function(v) is False:
            return "not_required"
        given = self.consent_given.function(v)  # required, or cannot tell whether it is: ask for it
        return "given" if given is True else "refused" if given is False else "missing"

    def work(self, v: Record) -> CollateralWork:
        valuation, ltv = self.valuation.function(v), self.ltv.function(v)
        ceiling = self.max_ltv.function(v) if self.max_ltv is not None else None
        treated = []
        unknown = ltv is None
        total = Decimal(0)
        for uplift in self.uplifts:
            applies, amount = uplift.when.function(v), uplift.uplift.function(v)
            if applies is not False and amount is None:
                unknown = True  # how much it would change the ratio is itself unknown
                treated.append((uplift, amount, "not_applied_unknown"))
                continue
            outcome = adjust(applies, amount, lowers=amount is not None and amount < 0)
            if outcome in APPLIED:
                total += amount
            treated.append((uplift, amount, outcome))
        effective = None
        if not unknown and (self.max_ltv is None or ceiling is not None):
            effective = ltv + total
            if self.max_ltv is not None:
                effective = min(effective, ceiling)
            effective = max(effective, Decimal(0))
        gross = valuation * effective if valuation is not None and effective is not None else None
        deductions = [(d, d.amount.function(v)) for d in self.deductions]
        value = gross
        for _, amount in deductions:
            value = None if value is None or amount is None else value - amount
        return CollateralWork(self.consent(v), valuation, ltv, treated, ceiling, effective, gross, deductions,
                              None if value is None else max(value, Decimal(0)))

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        w = self.work(v)
        if w.consent == "refused":
            return CapOutcome(None, [(self.refused, False)], False)
        findings = [(self.not_given, None)] if w.consent == "missing" else []
        return CapOutcome(w.value, findings, w.value is None)

    def diagnose(self, v: Record) -> list[FindingTuple]:
        return []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> CollateralDetail:
        w = self.work(v)
        lines = [f"评估价值 {self.valuation.text.strip()} = {yuan(w.valuation)}",
                 f"抵押率 {self.ltv.text.strip()} = {percent(w.ltv)}"
                 + (f"(依据 {', '.join(f'{k}={v.get(k)}' for k in self.ltv_inputs)})" if self.ltv_inputs else "")]
        uplifts = []
        words = {"applied": "适用", "not_applicable": "不适用", "not_applied_unknown": "数据缺失,不上浮",
                 "applied_unknown": "数据缺失,从严下调"}
        for uplift, amount, outcome in w.uplifts:
            uplifts.append(UpliftResult(id=uplift.id, label=uplift.label, uplift=amount, outcome=outcome,
                                        inputs=inputs_of(uplift.when.fields, v)))
            points = "缺失" if amount is None else f"{'+' if amount >= 0 else ''}{(amount * 100).normalize():f}个百分点"
            lines.append(f"{uplift.label}: {words[outcome]}({points})")
        if w.ceiling is not None:
            lines.append(f"抵押率上限 {percent(w.ceiling)}")
        lines.append(f"执行抵押率 {percent(w.effective)};可贷价值 {yuan(w.valuation)} × {percent(w.effective)} = {yuan(w.gross)}")
        deductions = []
        for deduction, amount in w.deductions:
            deductions.append(DeductionResult(id=deduction.id, label=deduction.label, amount=amount))
            lines.append(f"扣减 {deduction.label} {yuan(amount)}")
        consent_words = {"not_declared": None, "not_required": "抵押物无共有人,无需共有人同意",
                         "given": "共有人已同意抵押", "refused": "共有人不同意抵押:该抵押物不能用于授信",
                         "missing": "尚未取得共有人同意:额度以取得同意为前提,转人工补签"}
        if consent_words[w.consent]:
            lines.append(consent_words[w.consent])  # type: ignore[arg-type]
        lines.append(f"{self.label} = {yuan(value)}" + ("(不低于零)" if value == 0 and w.gross is not None else ""))
        return CollateralDetail(valuation=w.valuation, ltv=w.ltv, ltv_inputs=inputs_of(self.ltv_inputs, v), uplifts=uplifts,
                                max_ltv=w.ceiling, effective_ltv=w.effective, gross=w.gross, deductions=deductions,
                                consent=w.consent, explanation=lines)


def compile_collateral(c: Any, path: tuple, doc: CollateralCapDoc, step: Decimal) -> CompiledCap | None:
    valuation = c.e(path + ("valuation",), doc.valuation, "number")
    ltv = c.e(path + ("ltv",), doc.ltv, "number")
    max_ltv = c.e(path + ("max_ltv",), doc.max_ltv, "number") if doc.max_ltv is not None else None
    uplifts, deductions = [], []
    for i, u in enumerate(doc.uplifts):
        when = c.e(path + ("uplifts", i, "when"), u.when, "boolean")
        amount = c.e(path + ("uplifts", i, "uplift"), u.uplift, "number")
        if when and amount:
            uplifts.append(Uplift(u.id, u.label, when, amount))
    for i, d in enumerate(doc.deductions):
        amount = c.e(path + ("deductions", i, "amount"), d.amount, "number")
        if amount:
            deductions.append(Deduction(d.id, d.label, amount))
    unique_ids(c, path, "uplifts", doc.uplifts)
    unique_ids(c, path, "deductions", doc.deductions)
    required = given = refused = not_given = None
    if doc.consent is not None:
        cp = path + ("consent",)
        required = c.e(cp + ("required",), doc.consent.required, "boolean")
        given = c.e(cp + ("given",), doc.consent.given, "boolean")
        code = doc.consent.code or f"{doc.id.upper()}_CONSENT"
        inputs = fields_of(required, given)
        refused = reason(code, "decline", doc.consent.message or "抵押物为共有财产,共有人不同意抵押,不能以该抵押物授信",
                         c, cp + ("message",), inputs)
        not_given = reason(code, "refer", doc.consent.message or "抵押物为共有财产,尚未取得共有人同意抵押的确认,需补签后人工审核",
                           c, cp + ("message",), inputs)
    if valuation is None or ltv is None:
        return None
    ltv_inputs = tuple(dict.fromkeys(f for path_ in ltv.fields for f in c.table_inputs.get(path_, (path_,))))
    model = CollateralModel(doc.label, valuation, ltv, ltv_inputs, max_ltv, tuple(uplifts), tuple(deductions),
                            required, given, refused, not_given)
    return CompiledCap(doc.id, doc.label, None, doc.on_missing, doc.kind, model)


KIND = register(CapKind("collateral", compile_collateral, CollateralModel, CollateralDetail, fused=False, own_findings=True))
