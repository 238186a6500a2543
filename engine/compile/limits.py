"""Limit models: each kind of cap compiled to a candidate cap plus the story of how it was computed.

Kinds that are one formula (formula, tax_based, scorecard) compile to a single typed expression, so
they join the product's fused cap function: the hot path never calls per-cap Python. The others
(collateral, affordability, pre_approved) are small procedures: they need three-valued decisions an
expression cannot express (a consent refused vs. not yet given; an uplift whose condition is
unknown) or the offered rate. Every model also explains itself, but only when a Decision is built.

Missing data keeps its meaning everywhere: a figure that cannot be computed makes the cap unknown
(refer, unless the cap says `on_missing: skip`), and an adjustment whose condition is unknown is
applied only when it lowers the limit, never when it raises it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from engine.core.repayment import METHOD_NAMES as METHODS
from engine.finance.affordability import Unbounded, allowance, installment, max_principal
from engine.compile.ir import CompiledCap
from engine.core.errors import did_you_mean
from engine.evaluate.interpreter import Reason
from engine.expressions import CompiledExpression, compile_expression
from engine.expressions import nodes as n
from engine.expressions.types import NUMBER
from engine.documents.caps import (
    AffordabilityCapDoc,
    CollateralCapDoc,
    NumberMap,
    PreApprovedCapDoc,
    ScorecardCapDoc,
    TaxBasedCapDoc,
    text,
)
from engine.compile.limit_details import (
    AffordabilityDetail,
    CollateralDetail,
    DeductionResult,
    FactorResult,
    FormulaDetail,
    PreApprovedDetail,
    ScorecardCapDetail,
    TaxBasedDetail,
    UpliftResult,
)
from engine.core.money import bp_to_percent, bp_to_rate, format_money_grouped
from engine.finance.schedules import MAX_TERM_MONTHS, RepaymentMethod, add_months
from engine.core.values import json_value

Record = dict[str, Any]
FindingTuple = tuple[Any, Any]


class CapOutcome(NamedTuple):
    """What a procedural cap computed: its value, its own findings, and whether data was missing."""

    value: Any
    findings: list[FindingTuple]
    missing: bool  # value is None for lack of data: the cap's on_missing decides (refer or skip)


def yuan(value: Any) -> str:
    return "缺失" if value is None else f"{format_money_grouped(value)}元"


def percent(value: Any) -> str:
    if value is None:
        return "缺失"
    return f"{(Decimal(value) * 100).normalize():f}%"


def number(value: Any) -> str:
    return "缺失" if value is None else f"{Decimal(value).normalize():f}"


def _inputs(fields: tuple[str, ...], v: Record) -> dict[str, Any]:
    return {f: json_value(v.get(f)) for f in fields}


def _fields(*expressions: CompiledExpression | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for e in expressions if e is not None for f in e.fields))


def _adjust(applies: Any, amount: Any, lowers: bool) -> str:
    """How a conditional adjustment (uplift, factor) is treated: applied only when its condition holds,
    or when the condition is unknown and the adjustment lowers the limit (the stricter reading)."""
    if applies is False:
        return "not_applicable"
    if applies is True:
        return "applied"
    return "applied_unknown" if lowers else "not_applied_unknown"


# ---------------------------------------------------------------- formula


@dataclass(frozen=True)
class FormulaModel:
    value: CompiledExpression
    label: str

    @property
    def fields(self) -> tuple[str, ...]:
        return self.value.fields

    def diagnose(self, v: Record) -> list[FindingTuple]:
        return []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> FormulaDetail:
        inputs = _inputs(self.value.fields, v)
        lines = [f"{self.label} = {self.value.text.strip()} = {yuan(value)}"]
        if inputs:
            lines.append("输入: " + ", ".join(f"{k}={'缺失' if val is None else val}" for k, val in inputs.items()))
        return FormulaDetail(expression=self.value.text.strip(), inputs=inputs, explanation=lines)


# ---------------------------------------------------------------- tax-based


@dataclass(frozen=True)
class TaxBasedModel:
    cap_id: str
    label: str
    basis: CompiledExpression
    grade: CompiledExpression
    multipliers: dict[str, Any]
    no_multiplier: Reason

    @property
    def fields(self) -> tuple[str, ...]:
        return _fields(self.basis, self.grade)

    def diagnose(self, v: Record) -> list[FindingTuple]:
        """Why the value is unknown: a grade without a multiplier is the product's decision, not missing data."""
        grade = self.grade.function(v)
        if grade is not None and str(grade) not in self.multipliers:
            return [(self.no_multiplier, False)]
        return []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> TaxBasedDetail:
        basis, grade = self.basis.function(v), self.grade.function(v)
        multiplier = self.multipliers.get(str(grade)) if grade is not None else None
        lines = [f"计算基数 {self.basis.text.strip()} = {yuan(basis)}",
                 f"等级 {self.grade.text.strip()} = {grade if grade is not None else '缺失'}"]
        if grade is not None and multiplier is None:
            lines.append(f"等级{grade}没有额度倍数(有倍数的等级:{'、'.join(self.multipliers)})")
        else:
            lines.append(f"倍数 {number(multiplier)};{self.label} = {yuan(basis)} × {number(multiplier)} = {yuan(value)}")
        return TaxBasedDetail(basis_expression=self.basis.text.strip(), basis=basis, grade=grade, multiplier=multiplier,
                              multipliers=self.multipliers, explanation=lines)


# ---------------------------------------------------------------- scorecard


@dataclass(frozen=True)
class ScorecardCapModel:
    label: str
    card: str
    base: CompiledExpression
    multipliers: dict[str, Any]

    @property
    def fields(self) -> tuple[str, ...]:
        return _fields(self.base) + (f"scores.{self.card}.score", f"scores.{self.card}.grade")

    def diagnose(self, v: Record) -> list[FindingTuple]:
        return []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> ScorecardCapDetail:
        base = self.base.function(v)
        score, grade = v.get(f"scores.{self.card}.score"), v.get(f"scores.{self.card}.grade")
        multiplier = self.multipliers.get(grade) if grade is not None else None
        lines = [f"评分卡{self.card}: 得分 {'缺失' if score is None else number(score)},等级 {grade or '缺失'}",
                 f"基数 {self.base.text.strip()} = {yuan(base)};等级倍数 {number(multiplier)}",
                 f"{self.label} = {yuan(base)} × {number(multiplier)} = {yuan(value)}"]
        return ScorecardCapDetail(card=self.card, score=score, grade=grade, base=base, multiplier=multiplier,
                                  multipliers=self.multipliers, explanation=lines)


# ---------------------------------------------------------------- collateral


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
    refused: Reason | None
    not_given: Reason | None

    @property
    def fields(self) -> tuple[str, ...]:
        return _fields(self.valuation, self.ltv, self.max_ltv, self.consent_required, self.consent_given,
                       *(e for u in self.uplifts for e in (u.when, u.uplift)), *(d.amount for d in self.deductions))

    def consent(self, v: Record) -> str:
        if self.consent_required is None or self.consent_given is None:
            return "not_declared"
        if self.consent_required.function(v) is False:
            return "not_required"
        given = self.consent_given.function(v)  # required, or cannot tell whether it is: ask for it
        return "given" if given is True else "refused" if given is False else "missing"

    def _ltv(self, v: Record) -> tuple[Any, list[tuple[Uplift, Any, str]]]:
        """The effective LTV (None when unknown) and how each uplift was treated."""
        ltv = self.ltv.function(v)
        treated = []
        unknown = ltv is None
        total = Decimal(0)
        for uplift in self.uplifts:
            applies, amount = uplift.when.function(v), uplift.uplift.function(v)
            if applies is not False and amount is None:
                unknown = True  # how much it would change the ratio is itself unknown
                treated.append((uplift, amount, "not_applied_unknown"))
                continue
            outcome = _adjust(applies, amount, lowers=amount is not None and amount < 0)
            if outcome in ("applied", "applied_unknown"):
                total += amount
            treated.append((uplift, amount, outcome))
        if unknown:
            return None, treated
        effective = ltv + total
        if self.max_ltv is not None:
            ceiling = self.max_ltv.function(v)
            if ceiling is None:
                return None, treated
            effective = min(effective, ceiling)
        return max(effective, Decimal(0)), treated

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        consent = self.consent(v)
        if consent == "refused":
            return CapOutcome(None, [(self.refused, False)], False)
        findings = [(self.not_given, None)] if consent == "missing" else []
        valuation = self.valuation.function(v)
        effective, _ = self._ltv(v)
        if valuation is None or effective is None:
            return CapOutcome(None, findings, True)
        value = valuation * effective
        for deduction in self.deductions:
            amount = deduction.amount.function(v)
            if amount is None:
                return CapOutcome(None, findings, True)
            value -= amount
        return CapOutcome(max(value, Decimal(0)), findings, False)

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> CollateralDetail:
        valuation, ltv = self.valuation.function(v), self.ltv.function(v)
        effective, treated = self._ltv(v)
        ceiling = self.max_ltv.function(v) if self.max_ltv is not None else None
        consent = self.consent(v)
        lines = [f"评估价值 {self.valuation.text.strip()} = {yuan(valuation)}",
                 f"抵押率 {self.ltv.text.strip()} = {percent(ltv)}"
                 + (f"(依据 {', '.join(f'{k}={v.get(k)}' for k in self.ltv_inputs)})" if self.ltv_inputs else "")]
        uplifts = []
        words = {"applied": "适用", "not_applicable": "不适用", "not_applied_unknown": "数据缺失,不上浮",
                 "applied_unknown": "数据缺失,从严下调"}
        for uplift, amount, outcome in treated:
            uplifts.append(UpliftResult(id=uplift.id, label=uplift.label, uplift=amount, outcome=outcome,  # type: ignore[arg-type]
                                        inputs=_inputs(uplift.when.fields, v)))
            points = "缺失" if amount is None else f"{'+' if amount >= 0 else ''}{(amount * 100).normalize():f}个百分点"
            lines.append(f"{uplift.label}: {words[outcome]}({points})")
        if ceiling is not None:
            lines.append(f"抵押率上限 {percent(ceiling)}")
        gross = valuation * effective if valuation is not None and effective is not None else None
        lines.append(f"执行抵押率 {percent(effective)};可贷价值 {yuan(valuation)} × {percent(effective)} = {yuan(gross)}")
        deductions = []
        for deduction in self.deductions:
            amount = deduction.amount.function(v)
            deductions.append(DeductionResult(id=deduction.id, label=deduction.label, amount=amount))
            lines.append(f"扣减 {deduction.label} {yuan(amount)}")
        consent_words = {"not_declared": None, "not_required": "抵押物无共有人,无需共有人同意",
                         "given": "共有人已同意抵押", "refused": "共有人不同意抵押:该抵押物不能用于授信",
                         "missing": "尚未取得共有人同意:额度以取得同意为前提,转人工补签"}
        if consent_words[consent]:
            lines.append(consent_words[consent])  # type: ignore[arg-type]
        lines.append(f"{self.label} = {yuan(value)}" + ("(不低于零)" if value == 0 and gross is not None else ""))
        return CollateralDetail(valuation=valuation, ltv=ltv, ltv_inputs=_inputs(self.ltv_inputs, v), uplifts=uplifts,
                                max_ltv=ceiling, effective_ltv=effective, gross=gross, deductions=deductions,
                                consent=consent, explanation=lines)  # type: ignore[arg-type]


# ---------------------------------------------------------------- affordability


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
    invalid: Reason  # term or method out of range
    unbounded: Reason  # zero rate, interest-only: the cash flow does not bound the principal

    @property
    def fields(self) -> tuple[str, ...]:
        return _fields(self.cash_flow, self.ratio, self.existing, self.term, self.method, self.stress)

    def _inputs(self, v: Record, rate_bp: int | None) -> tuple[Any, ...] | None:
        cash_flow, ratio = self.cash_flow.function(v), self.ratio.function(v)
        existing = self.existing.function(v) if self.existing is not None else Decimal(0)
        term, method = self.term.function(v), self.method.function(v)
        stress = self.stress.function(v) if self.stress is not None else 0
        if None in (cash_flow, ratio, existing, term, method, stress, rate_bp):
            return None
        return cash_flow, ratio, existing, term, method, int(stress)

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        inputs = self._inputs(v, rate_bp)
        if inputs is None:
            return CapOutcome(None, [], True)
        cash_flow, ratio, existing, term, method, stress = inputs
        rate = bp_to_rate(rate_bp + stress)  # type: ignore[operator]
        if method not in METHODS or term != int(term) or not 1 <= term <= MAX_TERM_MONTHS or not 0 <= rate < 1:
            return CapOutcome(None, [(self.invalid, False)], False)
        try:
            principal = max_principal(allowance(cash_flow, ratio, existing), rate, int(term), method, self.step)
        except Unbounded:
            return CapOutcome(None, [(self.unbounded, False)], False)
        return CapOutcome(principal, [], False)

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> AffordabilityDetail:
        cash_flow, ratio = self.cash_flow.function(v), self.ratio.function(v)
        existing = self.existing.function(v) if self.existing is not None else Decimal(0)
        term, method = self.term.function(v), self.method.function(v)
        stress = int(self.stress.function(v) or 0) if self.stress is not None else 0
        tested = rate_bp + stress if rate_bp is not None else None
        allowed = allowance(cash_flow, ratio, existing) if None not in (cash_flow, ratio, existing) else None
        fitted = following = None
        if value is not None and tested is not None:
            fitted = installment(value, bp_to_rate(tested), int(term), method)
            following = installment(value + self.step, bp_to_rate(tested), int(term), method)
        label = RepaymentMethod(method).label_zh if method in METHODS else (method or "缺失")
        lines = [f"月净现金流 {self.cash_flow.text.strip()} = {yuan(cash_flow)};可用于还款比例 {percent(ratio)}"]
        if self.existing is not None:
            lines.append(f"扣减既有月还款 {yuan(existing)}")
        lines.append(f"月还款上限 = {yuan(cash_flow)} × {percent(ratio)}" + (f" − {yuan(existing)}" if self.existing is not None else "")
                     + f" = {yuan(allowed)}")
        lines.append(f"测算利率 {bp_to_percent(tested) if tested is not None else '缺失'}"
                     + (f"(执行利率加压{stress}bp)" if stress else "") + f",期限{term if term is not None else '缺失'}个月,{label}")
        if value is not None and allowed is not None and allowed < 0:
            lines.append("月还款上限为负:现金流不足以承担新增还款,最大本金为0")
        elif value is not None:
            lines.append(f"最大本金(按{format_money_grouped(self.step)}元取整) {yuan(value)}:月供 {yuan(fitted)} ≤ {yuan(allowed)};"
                         f"再多{format_money_grouped(self.step)}元月供为 {yuan(following)},超出上限")
        return AffordabilityDetail(monthly_cash_flow=cash_flow, ratio=ratio, existing_installments=existing if self.existing is not None else None,
                                   max_installment=allowed, rate_bp=tested, stress_bp=stress, term_months=term, method=method,
                                   step=self.step, principal=value, installment=fitted, next_step_installment=following,
                                   explanation=lines)


# ---------------------------------------------------------------- pre-approved line


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    when: CompiledExpression
    factor: CompiledExpression


@dataclass(frozen=True)
class PreApprovedModel:
    label: str
    line: CompiledExpression
    granted_on: CompiledExpression | None
    valid_months: CompiledExpression | None
    factors: tuple[Factor, ...]
    outstanding: CompiledExpression | None
    expired: Reason

    @property
    def fields(self) -> tuple[str, ...]:
        return _fields(self.line, self.granted_on, self.valid_months, self.outstanding,
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

    def _adjusted(self, v: Record) -> tuple[Any, list[tuple[Factor, Any, str]]]:
        line = self.line.function(v)
        treated = []
        unknown = line is None
        for factor in self.factors:
            applies, scale = factor.when.function(v), factor.factor.function(v)
            if applies is not False and scale is None:
                unknown = True
                treated.append((factor, scale, "not_applied_unknown"))
                continue
            outcome = _adjust(applies, scale, lowers=scale is not None and scale < 1)
            if outcome in ("applied", "applied_unknown") and line is not None:
                line = line * scale
            treated.append((factor, scale, outcome))
        return (None if unknown else line), treated

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        status, _, _ = self.validity(v)
        if status == "expired":
            return CapOutcome(None, [(self.expired, False)], False)
        line, _ = self._adjusted(v)
        outstanding = self.outstanding.function(v) if self.outstanding is not None else Decimal(0)
        if status == "unknown" or line is None or outstanding is None:
            return CapOutcome(None, [], True)
        return CapOutcome(max(line - outstanding, Decimal(0)), [], False)

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> PreApprovedDetail:
        status, granted, until = self.validity(v)
        line = self.line.function(v)
        adjusted, treated = self._adjusted(v)
        outstanding = self.outstanding.function(v) if self.outstanding is not None else None
        lines = [f"预授信额度 {self.line.text.strip()} = {yuan(line)}"]
        lines.append({"not_tracked": "未设有效期",
                      "unknown": "核定日期或有效期缺失,无法确认是否在有效期内",
                      "valid": f"{granted}核定,有效期至{until}",
                      "expired": f"{granted}核定,已于{until}到期"}[status])
        words = {"applied": "适用", "not_applicable": "不适用", "not_applied_unknown": "数据缺失,不调增",
                 "applied_unknown": "数据缺失,从严调减"}
        factors = []
        for factor, scale, outcome in treated:
            factors.append(FactorResult(id=factor.id, label=factor.label, factor=scale, outcome=outcome,  # type: ignore[arg-type]
                                        inputs=_inputs(factor.when.fields, v)))
            lines.append(f"{factor.label}: {words[outcome]}(×{number(scale)})")
        if self.factors:
            lines.append(f"调整后额度 {yuan(adjusted)}")
        if self.outstanding is not None:
            lines.append(f"扣减已用信余额 {yuan(outstanding)}")
        lines.append(f"{self.label} = {yuan(value)}")
        return PreApprovedDetail(line=line, granted_on=granted, valid_until=until, status=status, factors=factors,  # type: ignore[arg-type]
                                 adjusted_line=adjusted, outstanding=outstanding, explanation=lines)


# ---------------------------------------------------------------- compiling a cap of any kind


def compile_cap(c: Any, index: int, doc: Any, step: Decimal) -> CompiledCap | None:
    """Compile limit.caps[index] with the product compiler `c`; None (problems recorded) when broken."""
    path = ("limit", "caps", index)
    before = len(c.problems.problems)
    if isinstance(doc, TaxBasedCapDoc):
        cap = _tax_based(c, path, doc)
    elif isinstance(doc, CollateralCapDoc):
        cap = _collateral(c, path, doc)
    elif isinstance(doc, AffordabilityCapDoc):
        cap = _affordability(c, path, doc, step)
    elif isinstance(doc, ScorecardCapDoc):
        cap = _scorecard(c, path, doc)
    elif isinstance(doc, PreApprovedCapDoc):
        cap = _pre_approved(c, path, doc)
    else:
        value = c.e(path + ("value",), doc.value, "number")
        cap = CompiledCap(doc.id, doc.label, value, doc.on_missing, "formula", FormulaModel(value, doc.label)) if value else None
    return cap if len(c.problems.problems) == before else None


def _reason(code: str, action: str, template: str, c: Any, path: tuple, inputs: tuple[str, ...]) -> Reason:
    return Reason(code, "limit", action, c.x.message(c.source, path, template, c.scope), inputs)


def _number_map(c: Any, path: tuple, value: NumberMap, keys: frozenset[str] | None, every_key: bool) -> dict[str, Any] | None:
    """A literal map or a map param, as {key: number}; keys checked against the values they are looked up by."""
    if isinstance(value, str):
        compiled = c.e(path, value, None)
        if compiled is None:
            return None
        node = compiled.node
        if not (isinstance(node, n.Const) and isinstance(node.value, dict)):
            c.problems.add(c.source.problem(path, f"{value!r} is not a map: write {{A: 10, B: 6}} or name a map param, "
                                            "e.g. params.tax_multiplier"))
            return None
        mapping = {str(k): v for k, v in node.value.items()}
    else:
        mapping = {str(k): v for k, v in value.items()}
    ok = True
    for key, number_value in mapping.items():
        if isinstance(number_value, bool) or not isinstance(number_value, (int, Decimal)):
            c.problems.add(c.source.problem(path, f"multiplier for {key!r} must be a number, got {number_value!r}"))
            ok = False
        if keys is not None and key not in keys:
            c.problems.add(c.source.problem(path if isinstance(value, str) else path + (key,),
                                            f"{key!r} is not a possible value (one of {', '.join(sorted(keys))})",
                                            did_you_mean(key, keys), key=not isinstance(value, str)))
            ok = False
    if every_key and keys is not None and ok:
        absent = sorted(keys - set(mapping))
        if absent:
            c.problems.add(c.source.problem(path, f"no multiplier for {', '.join(absent)}: list every grade"))
            ok = False
    return mapping if ok else None


def _tax_based(c: Any, path: tuple, doc: TaxBasedCapDoc) -> CompiledCap | None:
    basis = c.e(path + ("basis",), doc.basis, "number")
    grade = c.e(path + ("grade",), doc.grade, None)
    if basis is None or grade is None:
        return None
    if grade.node.type.kind not in ("string", "number"):
        c.problems.add(c.source.problem(path + ("grade",), f"a grade must be text or a number, got {grade.node.type}"))
        return None
    multipliers = _number_map(c, path + ("multipliers",), doc.multipliers, grade.node.type.values, every_key=False)
    if multipliers is None:
        return None
    node = n.Arith(NUMBER, True, "*", basis.node, n.Lookup(NUMBER, True, multipliers, grade.node))
    value = compile_expression(f"{text(doc.basis)} * multipliers[{text(doc.grade)}]", node)
    unlisted = _reason(f"{doc.id.upper()}_NO_MULTIPLIER", doc.unlisted_grade,
                       f"等级{{{text(doc.grade)}}}没有额度倍数(有倍数的等级:{'、'.join(multipliers)}),不能按“{doc.label}”授信",
                       c, path + ("grade",), grade.fields)
    model = TaxBasedModel(doc.id, doc.label, basis, grade, multipliers, unlisted)
    return CompiledCap(doc.id, doc.label, value, doc.on_missing, doc.kind, model)


def _scorecard(c: Any, path: tuple, doc: ScorecardCapDoc) -> CompiledCap | None:
    if doc.card not in c.scope.scores:
        c.problems.add(c.source.problem(path + ("card",), f"unknown scorecard {doc.card!r}",
                                        did_you_mean(doc.card, c.scope.scores) or "declare it under scorecards:"))
        return None
    base = c.e(path + ("base",), doc.base, "number")
    grade_type = c.scope.scores[doc.card]["grade"]
    multipliers = _number_map(c, path + ("multipliers",), doc.multipliers, grade_type.values, every_key=True)
    if base is None or multipliers is None:
        return None
    grade = n.FieldRef(grade_type, True, f"scores.{doc.card}.grade")
    node = n.Arith(NUMBER, True, "*", base.node, n.Lookup(NUMBER, True, multipliers, grade))
    value = compile_expression(f"{text(doc.base)} * multipliers[scores.{doc.card}.grade]", node)
    return CompiledCap(doc.id, doc.label, value, doc.on_missing, doc.kind, ScorecardCapModel(doc.label, doc.card, base, multipliers))


def _collateral(c: Any, path: tuple, doc: CollateralCapDoc) -> CompiledCap | None:
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
    _unique_ids(c, path, "uplifts", doc.uplifts)
    _unique_ids(c, path, "deductions", doc.deductions)
    required = given = refused = not_given = None
    if doc.consent is not None:
        cp = path + ("consent",)
        required = c.e(cp + ("required",), doc.consent.required, "boolean")
        given = c.e(cp + ("given",), doc.consent.given, "boolean")
        code = doc.consent.code or f"{doc.id.upper()}_CONSENT"
        inputs = _fields(required, given)
        refused = _reason(code, "decline", doc.consent.message or "抵押物为共有财产,共有人不同意抵押,不能以该抵押物授信",
                          c, cp + ("message",), inputs)
        not_given = _reason(code, "refer", doc.consent.message or "抵押物为共有财产,尚未取得共有人同意抵押的确认,需补签后人工审核",
                            c, cp + ("message",), inputs)
    if valuation is None or ltv is None:
        return None
    ltv_inputs = tuple(dict.fromkeys(f for path_ in ltv.fields for f in c.table_inputs.get(path_, (path_,))))
    model = CollateralModel(doc.label, valuation, ltv, ltv_inputs, max_ltv, tuple(uplifts), tuple(deductions),
                            required, given, refused, not_given)
    return CompiledCap(doc.id, doc.label, None, doc.on_missing, doc.kind, model)


def _affordability(c: Any, path: tuple, doc: AffordabilityCapDoc, step: Decimal) -> CompiledCap | None:
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
    invalid = _reason(f"{doc.id.upper()}_INVALID", "refer",
                      f"现金流测算的期限{{{text(doc.term_months)}}}或还款方式{{{text(doc.method)}}}无效,需人工测算",
                      c, path + ("term_months",), _fields(term, method))
    unbounded = _reason(f"{doc.id.upper()}_ZERO_RATE", "refer", "零利率的按月付息贷款月供为零,现金流不能约束额度,需人工测算",
                        c, path, ())
    model = AffordabilityModel(doc.label, cash_flow, ratio, existing, term, method, stress,  # type: ignore[arg-type]
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


def _pre_approved(c: Any, path: tuple, doc: PreApprovedCapDoc) -> CompiledCap | None:
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
    _unique_ids(c, path, "factors", doc.factors)
    if line is None:
        return None
    template = (f"预授信额度于{{{text(doc.granted_on)}}}核定,有效期{{{text(doc.valid_months)}}}个月,已过期,需客户经理重新调查核定"
                if doc.granted_on is not None else "预授信额度已过期")
    expired = _reason(f"{doc.id.upper()}_EXPIRED", doc.expired_action, template, c, path + ("granted_on",), _fields(granted, months))
    model = PreApprovedModel(doc.label, line, granted, months, tuple(factors), outstanding, expired)
    return CompiledCap(doc.id, doc.label, None, doc.on_missing, doc.kind, model)


def _unique_ids(c: Any, path: tuple, key: str, items: list[Any]) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            c.problems.add(c.source.problem(path + (key, i, "id"), f"duplicate {key[:-1]} id {item.id!r}"))
        seen.add(item.id)
