"""An evaluation turned into the Decision model (the JSON contract), with findings, caps and trace."""
from __future__ import annotations

from engine.compile.ir import Check, Outcome
from engine.core.money import bp_to_percent
from engine.core.values import json_value
from engine.evaluate.interpreter import Evaluation, Record
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


def _finding(rule: Check, result: Outcome, v: Record) -> Finding:
    inputs = {path: json_value(v.get(path)) for path in rule.inputs}
    return Finding(
        code=rule.id,
        outcome="fail" if result is False else "unknown",
        action=rule.action if result is False else rule.on_missing,
        message=rule.message_for(result).render(v),
        source=rule.origin,
        combination=rule.combination,
        inputs=inputs,
        missing=[path for path in rule.inputs if v.get(path) is None],
    )


def to_decision(e: Evaluation) -> Decision:
    """The Decision model of an evaluation: built only when someone wants to show it."""
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
        decision=e.decision,
        findings=[_finding(rule, result, v) for rule, result in e.findings],
        limit=limit,
        rate=rate,
        terms=terms,
        scorecards=[card.explain(v) for card in e.product.scorecards],
        trace=trace,
    )
