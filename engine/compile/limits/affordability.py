"""affordability: the largest principal whose installment at the offered rate (plus a stress), term and
repayment method stays within a share of the monthly net cash flow (the cash-flow method)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from engine.compile.ir import CompiledCap
from engine.compile.limits.common import (
    CapOutcome,
    Check,
    FindingTuple,
    Model,
    Money,
    Record,
    fields_of,
    percent,
    reason,
    yuan,
)
from engine.compile.limits.registry import CapKind, register
from engine.core.errors import did_you_mean
from engine.core.money import bp_to_percent, bp_to_rate, format_money_grouped
from engine.core.repayment import METHOD_NAMES as METHODS, RepaymentMethod
from engine.documents.caps import AffordabilityCapDoc, text
from engine.expressions import CompiledExpression, nodes as n
from engine.finance.affordability import Unbounded, allowance, installment, max_principal
from engine.finance.schedules import MAX_TERM_MONTHS


class AffordabilityDetail(Model):
    kind: Literal["affordability"] = "affordability"
    monthly_cash_flow: Money | None
    ratio: Decimal | None
    existing_installments: Money | None
    max_installment: Money | None = Field(description="ratio x cash flow - existing installments, to the cent")
    rate_bp: int | None = Field(description="the rate tested: the offered rate plus the stress")
    stress_bp: int
    term_months: int | None
    method: str | None
    step: Money
    principal: Money | None = Field(description="the largest multiple of step whose installment fits")
    installment: Money | None = Field(description="the installment of that principal")
    next_step_installment: Money | None = Field(description="the installment one step more would need (it does not fit)")
    explanation: list[str]


@dataclass(frozen=True)
class Principal:
    """What the cash flow allows for one set of inputs: a principal, or why there is none."""

    status: str  # ok | invalid (term or method out of range) | unbounded (zero-rate interest-only)
    principal: Any = None


def largest_principal(cash_flow: Any, ratio: Any, existing: Any, term: Any, method: Any, stress: Any, rate_bp: int,
                      step: Decimal) -> Principal:
    """The cap for complete inputs. The columnar backend calls this once per distinct input tuple."""
    rate = bp_to_rate(rate_bp + int(stress))
    if method not in METHODS or term != int(term) or not 1 <= term <= MAX_TERM_MONTHS or not 0 <= rate < 1:
        return Principal("invalid")
    try:
        return Principal("ok", max_principal(allowance(cash_flow, ratio, existing), rate, int(term), method, step))
    except Unbounded:
        return Principal("unbounded")


@dataclass(frozen=True)
class AffordabilityWork:
    cash_flow: Any
    ratio: Any
    existing: Any
    term: Any
    method: Any
    stress: Any  # as read (None when its expression is unknown)
    tested: int | None  # the offered rate plus the stress, as shown
    allowed: Any  # the installment allowance
    outcome: Principal | None  # None: an input is missing
    installment: Any = None  # of the principal
    following: Any = None  # of one step more

    @property
    def stress_shown(self) -> int:
        return int(self.stress or 0)


@dataclass(frozen=True)
class AffordabilityModel:
    label: str
    cash_flow: CompiledExpression
    ratio: CompiledExpression
    existing: CompiledExpression | None
    term: CompiledExpression
    method: CompiledExpression
    stress: CompiledExpression | None
    step: Decimal
    invalid: Check  # term or method out of range
    unbounded: Check  # zero rate, interest-only: the cash flow does not bound the principal

    @property
    def fields(self) -> tuple[str, ...]:
        return fields_of(self.cash_flow, self.ratio, self.existing, self.term, self.method, self.stress)

    def work(self, v: Record, rate_bp: int | None) -> AffordabilityWork:
        cash_flow, ratio = self.cash_flow.function(v), self.ratio.function(v)
        existing = self.existing.function(v) if self.existing is not None else Decimal(0)
        term, method = self.term.function(v), self.method.function(v)
        stress = self.stress.function(v) if self.stress is not None else 0
        tested = rate_bp + int(stress or 0) if rate_bp is not None else None
        allowed = allowance(cash_flow, ratio, existing) if None not in (cash_flow, ratio, existing) else None
        if None in (cash_flow, ratio, existing, term, method, stress, rate_bp):
            return AffordabilityWork(cash_flow, ratio, existing, term, method, stress, tested, allowed, None)
        outcome = largest_principal(cash_flow, ratio, existing, term, method, stress, rate_bp, self.step)  # type: ignore[arg-type]
        fitted = following = None
        if outcome.principal is not None:
            rate = bp_to_rate(tested)  # type: ignore[arg-type]
            fitted = installment(outcome.principal, rate, int(term), method)
            following = installment(outcome.principal + self.step, rate, int(term), method)
        return AffordabilityWork(cash_flow, ratio, existing, term, method, stress, tested, allowed, outcome, fitted, following)

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        w = self.work(v, rate_bp)
        if w.outcome is None:
            return CapOutcome(None, [], True)
        if w.outcome.status == "invalid":
            return CapOutcome(None, [(self.invalid, False)], False)
        if w.outcome.status == "unbounded":
            return CapOutcome(None, [(self.unbounded, False)], False)
        return CapOutcome(w.outcome.principal, [], False)

    def diagnose(self, v: Record) -> list[FindingTuple]:
        return []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> AffordabilityDetail:
        w = self.work(v, rate_bp)
        stress, term, method = w.stress_shown, w.term, w.method
        label = RepaymentMethod(method).label_zh if method in METHODS else (method or "缺失")
        lines = [f"月净现金流 {self.cash_flow.text.strip()} = {yuan(w.cash_flow)};可用于还款比例 {percent(w.ratio)}"]
        if self.existing is not None:
            lines.append(f"扣减既有月还款 {yuan(w.existing)}")
        lines.append(f"月还款上限 = {yuan(w.cash_flow)} × {percent(w.ratio)}" + (f" − {yuan(w.existing)}" if self.existing is not None else "")
                     + f" = {yuan(w.allowed)}")
        lines.append(f"测算利率 {bp_to_percent(w.tested) if w.tested is not None else '缺失'}"
                     + (f"(执行利率加压{stress}bp)" if stress else "") + f",期限{term if term is not None else '缺失'}个月,{label}")
        if value is not None and w.allowed is not None and w.allowed < 0:
            lines.append("月还款上限为负:现金流不足以承担新增还款,最大本金为0")
        elif value is not None:
            lines.append(f"最大本金(按{format_money_grouped(self.step)}元取整) {yuan(value)}:月供 {yuan(w.installment)} ≤ {yuan(w.allowed)};"
                         f"再多{format_money_grouped(self.step)}元月供为 {yuan(w.following)},超出上限")
        return AffordabilityDetail(monthly_cash_flow=w.cash_flow, ratio=w.ratio,
                                   existing_installments=w.existing if self.existing is not None else None,
                                   max_installment=w.allowed, rate_bp=w.tested, stress_bp=stress, term_months=term, method=method,
                                   step=self.step, principal=value, installment=w.installment, next_step_installment=w.following,
                                   explanation=lines)


def compile_affordability(c: Any, path: tuple, doc: AffordabilityCapDoc, step: Decimal) -> CompiledCap | None:
    cash_flow = c.e(path + ("monthly_cash_flow",), doc.monthly_cash_flow, "number")
    ratio = c.e(path + ("ratio",), doc.ratio, "number")
    existing = c.e(path + ("existing_installments",), doc.existing_installments, "number") if doc.existing_installments is not None else None
    term = c.e(path + ("term_months",), doc.term_months, "number")
    method = c.e(path + ("method",), doc.method, "string")
    stress = c.e(path + ("stress_bp",), doc.stress_bp, "number") if doc.stress_bp is not None else None
    if method is not None:
        _check_methods(c, path + ("method",), method)
    if None in (cash_flow, ratio, term, method) or (doc.existing_installments is not None and existing is None) \
            or (doc.stress_bp is not None and stress is None):
        return None
    invalid = reason(f"{doc.id.upper()}_INVALID", "refer",
                     f"现金流测算的期限{{{text(doc.term_months)}}}或还款方式{{{text(doc.method)}}}无效,需人工测算",
                     c, path + ("term_months",), fields_of(term, method))
    unbounded = reason(f"{doc.id.upper()}_ZERO_RATE", "refer", "零利率的按月付息贷款月供为零,现金流不能约束额度,需人工测算",
                       c, path, ())
    model = AffordabilityModel(doc.label, cash_flow, ratio, existing, term, method, stress,
                               doc.step or step, invalid, unbounded)
    return CompiledCap(doc.id, doc.label, None, doc.on_missing, doc.kind, model)


def _check_methods(c: Any, path: tuple, method: CompiledExpression) -> None:
    """A method written as a constant, or an enum field, must name repayment methods the engine knows."""
    possible: set[str] = set()
    for node in _leaves(method.node):
        if isinstance(node, n.Const) and isinstance(node.value, str):
            possible.add(node.value)
        elif node.type.values is not None:
            possible |= set(node.type.values)
    for name in sorted(possible - METHODS):
        c.problems.add(c.source.problem(path, f"{name!r} is not a repayment method (one of {', '.join(sorted(METHODS))})",
                                        did_you_mean(name, METHODS)))


def _leaves(node: n.Node) -> list[n.Node]:
    if isinstance(node, n.Call) and node.function == "coalesce" or isinstance(node, n.IfElse):
        parts = node.args if isinstance(node, n.Call) else (node.then, node.otherwise)
        return [leaf for part in parts for leaf in _leaves(part)]
    return [node]


KIND = register(CapKind("affordability", compile_affordability, AffordabilityModel, AffordabilityDetail, fused=False,
                        own_findings=True, needs_rate=True))
