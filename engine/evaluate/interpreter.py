"""Evaluating a compiled product on one applicant record.

The hot path only calls compiled functions and appends to lists: no parsing, no validation, no
model construction. `Evaluation` is a slim record; `to_decision()` builds the pydantic result
when (and only when) someone wants to show it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from engine.compile.ir import CompiledLimit, CompiledPricing, CompiledProduct, CompiledTable, Message
from engine.core.money import bp_to_percent, round_down_to_step, round_half_up
from engine.results.decision import (
    CapResult,
    Decision,
    Finding,
    LimitResult,
    ProductRef,
    RateAdjustment,
    RateResult,
    TermsResult,
    TraceStep,
)
from engine.core.values import format_value, json_value

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reason:
    """A built-in check's reason (limit, pricing, terms, tables); shaped like CompiledRule for reporting."""

    id: str
    origin: str
    action: str
    message: Message
    inputs: tuple[str, ...] = ()
    combination: str | None = None

    @property
    def on_missing(self) -> str:
        return self.action


def _reason(code: str, origin: str, action: str, text: str, inputs: tuple[str, ...] = ()) -> Reason:
    return Reason(code, origin, action, Message(text, ()), inputs)


# A finding is (rule-or-reason, outcome) with outcome False (failed) or None (unknown).
FindingTuple = tuple[Any, Any]


@dataclass(slots=True)
class LimitOutcome:
    amount: Decimal
    uncapped: Decimal
    binding: str
    values: tuple[Any, ...]
    minimum: Any


@dataclass(slots=True)
class RateOutcome:
    base: int
    spread: int
    adjustments: list[tuple[str, str, int]]
    floor: int | None
    cap: int | None
    bound_by: str | None
    final: int


@dataclass(slots=True)
class TermsOutcome:
    months: list[int]
    max_months: int | None
    methods: list[str]


@dataclass(slots=True)
class Evaluation:
    product: CompiledProduct
    record: Record
    on: date
    decision: str
    findings: list[FindingTuple]
    limit: LimitOutcome | None
    rate: RateOutcome | None
    terms: TermsOutcome | None
    trace: list[tuple] | None

    def to_decision(self) -> Decision:
        return _build_decision(self)


def evaluate(product: CompiledProduct, record: Record, on: date, *, trace: bool = False) -> Evaluation:
    v = dict(record)
    v["$date"] = on
    steps: list[tuple] | None = [] if trace else None
    findings: list[FindingTuple] = []
    for card in product.scorecards:  # first: tables, rules, limit and pricing may read scores.<id>.grade
        _evaluate_scorecard(card, v, findings, steps)
    for table in product.early_tables:
        _evaluate_table(table, v, findings, steps)
    if steps is None:
        findings.extend(product.check_rules(v))
    else:
        _evaluate_rules(product.eligibility, v, findings, steps)
        for combination in product.combinations:
            if combination.condition is not None:
                applies = combination.condition.function(v)
                steps.append(("combination", combination.id, _outcome(applies, "applies", "not_applicable"),
                              combination.condition.fields, None))
                # A combination whose condition cannot be decided is applied: the stricter reading.
                if applies is False:
                    continue
            _evaluate_rules(combination.rules, v, findings, steps)
    decision = _decide(findings)
    limit = rate = terms = None
    if decision != "decline" and product.late_tables:
        for table in product.late_tables:
            _evaluate_table(table, v, findings, steps)
        decision = _decide(findings)
    if decision != "decline":
        if product.limit.needs_rate:  # an affordability cap tests the installment at the offered rate
            pricing_findings: list[FindingTuple] = []
            rate = _evaluate_rate(product.pricing, v, pricing_findings, steps)
            limit = _evaluate_limit(product.limit, v, findings, steps, rate.final if rate is not None else None)
            findings.extend(pricing_findings)  # reported in the same order as for any product: limit, then pricing
        else:
            limit = _evaluate_limit(product.limit, v, findings, steps)
            rate = _evaluate_rate(product.pricing, v, findings, steps)
        terms = _evaluate_terms(product, v, findings, steps)
        decision = _decide(findings)
        if decision == "decline":
            limit = rate = terms = None
    return Evaluation(product, v, on, decision, findings, limit, rate, terms, steps)


def _outcome(value: Any, yes: str = "pass", no: str = "fail") -> str:
    return yes if value is True else no if value is False else "unknown"


def _evaluate_rules(rules: tuple, v: Record, findings: list[FindingTuple], steps: list[tuple]) -> None:
    """The traced path: one rule at a time, recording each. engine.evaluate.fused is the same, inlined."""
    for rule in rules:
        guard = rule.guard
        if guard is not None:
            applies = guard.function(v)
            if applies is False:
                steps.append(("rule", rule.id, "not_applicable", rule.inputs, None))
                continue
            result = rule.check.function(v)
            if applies is None and result is not True:
                result = None  # an undecidable guard: the rule holds either way only when its check passes
        else:
            result = rule.check.function(v)
        if result is not True:
            findings.append((rule, result))
        steps.append(("rule", rule.id, _outcome(result), rule.inputs, None))


def _decide(findings: list[FindingTuple]) -> str:
    decision = "approve"
    for rule, result in findings:
        action = rule.action if result is False else rule.on_missing
        if action == "decline":
            return "decline"
        decision = "refer"
    return decision


def _evaluate_table(table: CompiledTable, v: Record, findings: list[FindingTuple], steps: list[tuple] | None) -> None:
    matched = None
    unknown = False
    for row in table.rows:
        hit = row.condition.function(v)
        if steps is not None:
            steps.append(("table_row", f"{table.id}[{row.index}]", _outcome(hit, "match", "no_match"), row.condition.fields, None))
        if hit is None:
            unknown = True
            if table.hit_policy == "first":
                break  # an undecidable row hides every row after it
        elif hit:
            if matched is not None:  # 'unique' and a second row matches: the table is ambiguous
                findings.append((_reason(f"AMBIGUOUS_{table.id.upper()}", "table", "refer",
                                         f"决策表{table.id}有多行同时命中(第{matched.index}行与第{row.index}行)", table.inputs), False))
                matched, unknown = None, False
                break
            matched = row
            if table.hit_policy == "first":
                break
    if matched is not None and not unknown:
        v.update(matched.outputs)
        outcome = f"row {matched.index}"
    elif unknown:
        outcome = "unknown"
    elif table.default is not None:
        v.update(table.default)
        outcome = "no_match: default"
    else:
        outcome = "no_match"
        if table.no_match_action is not None and table.no_match_message is not None:
            findings.append((Reason(table.reason_code, "table", table.no_match_action, table.no_match_message, table.inputs), False))
    if steps is not None:
        steps.append(("table", table.id, outcome, table.inputs, {k: v.get(k) for k in table.output_keys}))


def _evaluate_scorecard(card: Any, v: Record, findings: list[FindingTuple], steps: list[tuple] | None) -> None:
    unscored = card.run(v)
    if unscored:  # a variable without a bin for its value: the score (and the grade) is unknown
        labels = "、".join(variable.label for variable in unscored)
        fields = tuple(dict.fromkeys(f for variable in unscored for f in variable.value.fields))
        findings.append((_reason(f"SCORE_UNKNOWN_{card.id.upper()}", "scorecard", "refer",
                                 f"评分卡“{card.name}”无法评分:{labels}缺少数据或取值不在任何分箱", fields), None))
    if steps is not None:
        steps.append(("scorecard", card.id, "unknown" if unscored else "computed", card.fields, v.get(card.score_key)))


def _computed_caps(limit: CompiledLimit, v: Record, values: tuple[Any, ...], findings: list[FindingTuple],
                   rate_bp: int | None) -> tuple[tuple[Any, ...], set[int]]:
    """Caps computed by their model (engine.compile.limits) merged in place; the positions whose missing
    value the model explained with its own finding (a refused consent, an expired line)."""
    merged = list(values)
    explained: set[int] = set()
    for index, cap in limit.computed:
        outcome = cap.model.compute(v, rate_bp)
        merged.insert(index, outcome.value)
        if outcome.findings:
            # A reason is reported once: a product may check the same thing as a rule too (SPOUSE_CONSENT).
            reported = {rule.id for rule, _ in findings}
            findings.extend(f for f in outcome.findings if f[0].id not in reported)
        if outcome.value is None and not outcome.missing:
            explained.add(index)
    return tuple(merged), explained


def _evaluate_limit(limit: CompiledLimit, v: Record, findings: list[FindingTuple], steps: list[tuple] | None,
                    rate_bp: int | None = None) -> LimitOutcome | None:
    best = None
    binding = ""
    values = limit.cap_values(v)
    explained: set[int] | tuple = ()
    if limit.computed:
        values, explained = _computed_caps(limit, v, values, findings, rate_bp)
    complete = True
    for index, (cap, value) in enumerate(zip(limit.caps, values)):
        if steps is not None:
            steps.append(("cap", cap.id, "unknown" if value is None else "computed", cap.fields, value))
        if value is None:
            own = () if index in explained else cap.model.diagnose(v) if cap.value is not None and cap.model is not None else ()
            if index in explained or own:
                findings.extend(own)
                complete = False
            elif cap.on_missing == "refer":
                complete = False
                findings.append((_reason(f"LIMIT_CAP_UNKNOWN_{cap.id.upper()}", "limit", "refer",
                                         f"额度上限“{cap.label}”缺少数据,无法计算", cap.fields), None))
            continue
        if best is None or value < best:
            best, binding = value, cap.id
    if not complete:
        return None  # the smallest of the remaining caps could overstate the limit: offer none
    if best is None:
        findings.append((_reason("LIMIT_UNKNOWN", "limit", "refer", "没有可计算的额度上限"), None))
        return None
    amount = round_down_to_step(best if best > 0 else 0, limit.step)
    minimum = limit.min_amount.function(v) if limit.min_amount is not None else None
    if minimum is not None and amount < minimum:
        findings.append((_reason("LIMIT_BELOW_MINIMUM", "limit", limit.below_min_action,
                                 f"测算额度{format_value(amount)}元低于产品最低额度{format_value(minimum)}元"), False))
    if steps is not None:
        steps.append(("limit", binding, "computed", (), amount))
    return LimitOutcome(amount, best, binding, values, minimum)


def _bp(value: Any) -> int:
    """Basis points are whole numbers: an int passes through, a decimal is rounded half up."""
    if type(value) is int:
        return value
    return int(round_half_up(value))


def _evaluate_rate(pricing: CompiledPricing, v: Record, findings: list[FindingTuple], steps: list[tuple] | None) -> RateOutcome | None:
    base = pricing.base_bp.function(v)
    spread = pricing.spread_bp.function(v)
    adjustments: list[tuple[str, str, int]] = []
    complete = base is not None and spread is not None
    for adj in pricing.adjustments:
        applies = adj.condition.function(v) if adj.condition is not None else True
        bp = adj.bp.function(v) if applies is True else None
        if steps is not None:
            fields = (adj.condition.fields if adj.condition else ()) + adj.bp.fields
            steps.append(("adjustment", adj.id, _outcome(applies, "applied", "not_applicable"), fields, bp))
        if applies is True and bp is not None:
            adjustments.append((adj.id, adj.label, _bp(bp)))
        elif applies is not False:
            complete = False
            findings.append((_reason("RATE_ADJUSTMENT_UNKNOWN", "pricing", "refer",
                                     f"利率调整项“{adj.label}”缺少数据,无法确定"), None))
    if not complete or base is None or spread is None:
        findings.append((_reason("RATE_UNKNOWN", "pricing", "refer", "利率缺少数据,无法定价",
                                 pricing.base_bp.fields + pricing.spread_bp.fields), None))
        return None
    base, spread = _bp(base), _bp(spread)
    final = base + spread
    for adjustment in adjustments:
        final += adjustment[2]
    floor = pricing.floor_bp.function(v) if pricing.floor_bp is not None else None
    cap = pricing.cap_bp.function(v) if pricing.cap_bp is not None else None
    bound_by = None
    if floor is not None:
        floor = _bp(floor)
        if final < floor:
            final, bound_by = floor, "floor"
    if cap is not None:
        cap = _bp(cap)
        if final > cap:
            final, bound_by = cap, "cap"
    if steps is not None:
        steps.append(("pricing", "rate", "computed", pricing.base_bp.fields + pricing.spread_bp.fields, final))
    return RateOutcome(base, spread, adjustments, floor, cap, bound_by, final)


def _evaluate_terms(product: CompiledProduct, v: Record, findings: list[FindingTuple], steps: list[tuple] | None) -> TermsOutcome:
    terms = product.terms
    months = list(terms.months)
    max_months = None
    if terms.max_months is not None:
        value = terms.max_months.function(v)
        if value is None:
            findings.append((_reason("TERM_UNKNOWN", "terms", "refer", "缺少数据,无法确定最长期限", terms.max_months.fields), None))
        else:
            max_months = int(value)
            months = [m for m in months if m <= value]
            if not months:
                findings.append((_reason("NO_ELIGIBLE_TERM", "terms", "decline",
                                         f"可贷期限上限{max_months}个月,短于产品最短期限{terms.months[0]}个月",
                                         terms.max_months.fields), False))
        if steps is not None:
            steps.append(("terms", "max_months", "unknown" if value is None else "computed", terms.max_months.fields, value))
    methods = []
    for option in product.methods:
        allowed = option.condition.function(v) if option.condition is not None else True
        if steps is not None:
            steps.append(("method", option.method, _outcome(allowed, "allowed", "not_allowed"),
                          option.condition.fields if option.condition else (), None))
        if allowed is True:
            methods.append(option.method)
    return TermsOutcome(months, max_months, methods)


# ---------------------------------------------------------------- building the result model


def render_message(message: Message, v: Record) -> str:
    text = message.template
    for placeholder, expression in message.placeholders:
        text = text.replace(placeholder, format_value(expression.function(v)))
    return text


def _finding(rule: Any, result: Any, v: Record) -> Finding:
    inputs = {path: json_value(v.get(path)) for path in rule.inputs}
    return Finding(
        code=rule.id,
        outcome="fail" if result is False else "unknown",
        action=rule.action if result is False else rule.on_missing,
        message=render_message(rule.message, v),
        source=rule.origin,
        combination=rule.combination,
        inputs=inputs,
        missing=[path for path in rule.inputs if v.get(path) is None],
    )


def _build_decision(e: Evaluation) -> Decision:
    doc = e.product.doc
    v = e.record
    limit = None
    if e.limit is not None:
        lo = e.limit
        caps = []
        rate_bp = e.rate.final if e.rate is not None else None
        for cap, value in zip(e.product.limit.caps, lo.values):
            skipped = value is None and cap.on_missing == "skip"
            caps.append(CapResult(id=cap.id, label=cap.label, value=value,
                                  outcome="skipped" if skipped else "unknown" if value is None else "computed",
                                  binding=cap.id == lo.binding, kind=cap.kind,
                                  detail=cap.model.explain(v, value, rate_bp) if cap.model is not None else None))
        limit = LimitResult(amount=lo.amount, binding_cap=lo.binding, uncapped=lo.uncapped, step=e.product.limit.step,
                            min_amount=lo.minimum, caps=caps)
    rate = None
    if e.rate is not None:
        r = e.rate
        rate = RateResult(base_label=e.product.pricing.base_label, base_bp=r.base, spread_bp=r.spread,
                          adjustments=[RateAdjustment(id=i, label=label, bp=bp) for i, label, bp in r.adjustments],
                          floor_bp=r.floor, cap_bp=r.cap, bound_by=r.bound_by, final_bp=r.final,
                          final_percent=bp_to_percent(r.final))
    terms = None
    if e.terms is not None:
        terms = TermsResult(months=e.terms.months, max_months=e.terms.max_months, revolving=e.product.terms.revolving,
                            line_validity_months=e.product.terms.line_validity_months, repayment_methods=e.terms.methods)
    trace = None
    if e.trace is not None:
        trace = [TraceStep(order=i + 1, kind=kind, id=ident, outcome=outcome,
                           inputs={p: json_value(v.get(p)) for p in fields}, value=json_value(value))
                 for i, (kind, ident, outcome, fields, value) in enumerate(e.trace)]
    applicant_id = v.get("$id")
    return Decision(
        product=ProductRef(code=doc.code, name=doc.name, version=doc.version, pack=e.product.pack,
                           content_hash=e.product.content_hash),
        evaluated_on=e.on,
        applicant_id=applicant_id,
        decision=e.decision,  # type: ignore[arg-type]
        findings=[_finding(rule, result, v) for rule, result in e.findings],
        limit=limit,
        rate=rate,
        terms=terms,
        scorecards=[card.explain(v) for card in e.product.scorecards],
        trace=trace,
    )
