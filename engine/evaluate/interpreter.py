"""Evaluating a compiled product on one applicant record: the interpreter of the product IR.

It walks `CompiledProduct.steps` with one handler per step kind (`HANDLERS`); every semantic rule
(guards, combinations, hit policies, stage order, decision precedence) comes from the IR. With
trace, each IR entry is evaluated and recorded one by one; without, each rules step runs as one
fused function (engine.evaluate.fused). The hot path only calls compiled functions and appends to
lists. `Evaluation` is a slim record; engine.results.build turns it into the Decision model.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from engine.compile.ir import (
    AMBIGUOUS,
    DECISION_PRECEDENCE,
    NO_MATCH,
    Checkpoint,
    CompiledLimit,
    CompiledPricing,
    CompiledProduct,
    CompiledTable,
    FindingTuple,
    OfferStep,
    RulesStep,
    ScorecardStep,
    TableStep,
    decide,
)
from engine.core.decimals import engine_decimals
from engine.core.money import round_down_to_step, round_half_up
from engine.evaluate.fused import rule_checker

Record = dict[str, Any]


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
    stopped: bool = False  # a checkpoint found the applicant declined: the later steps did not run


def evaluate(product: CompiledProduct, record: Record, on: date, *, trace: bool = False) -> Evaluation:
    v = dict(record)
    v["$date"] = on
    run = Evaluation(product, v, on, "", [], None, None, None, [] if trace else None)
    with engine_decimals():
        _driver(product, trace)(run)
    if not run.stopped:
        run.decision = decide(run.findings)
    if run.decision == DECISION_PRECEDENCE[0]:  # a declined applicant is offered nothing
        run.limit = run.rate = run.terms = None
    return run


def _driver(product: CompiledProduct, trace: bool) -> Callable[[Evaluation], None]:
    """The steps as one generated function calling each step's handler in order, once per product: a loop
    over the steps costs as much as the steps of a small product. Untraced rules steps run fused."""
    key = "driver, traced" if trace else "driver"
    driver = product.backends.get(key)
    if driver is None:
        namespace: dict[str, Any] = {"_decide": decide, "_DECLINE": DECISION_PRECEDENCE[0]}
        lines = ["def _drive(run):", "    findings = run.findings"]
        for i, step in enumerate(product.steps):
            if isinstance(step, RulesStep) and not trace:
                namespace[f"_c{i}"] = rule_checker(product, step)
                lines.append(f"    findings.extend(_c{i}(run.record))")
            elif isinstance(step, Checkpoint):  # _checkpoint, inlined
                lines += ["    run.decision = _decide(findings)", "    if run.decision == _DECLINE:",
                          "        run.stopped = True", "        return"]
            else:
                handler = _table_handler(step) if isinstance(step, TableStep) else HANDLERS[type(step)]
                namespace[f"_h{i}"], namespace[f"_s{i}"] = handler, step
                lines.append(f"    _h{i}(run, _s{i})")
        exec(compile("\n".join(lines) + "\n", "<steps>", "exec"), namespace)  # noqa: S102 - our own handler names only
        driver = product.backends[key] = namespace["_drive"]
    return driver


def _outcome(value: Any, yes: str = "pass", no: str = "fail") -> str:
    return yes if value is True else no if value is False else "unknown"


def _checkpoint(run: Evaluation, step: Checkpoint) -> None:
    run.decision = decide(run.findings)
    run.stopped = run.decision == DECISION_PRECEDENCE[0]


def _scorecard(run: Evaluation, step: ScorecardStep) -> None:
    card, v = step.card, run.record
    unscored = card.run(v)
    if unscored:  # a variable without a bin for its value: the score (and the grade) is unknown
        labels = "、".join(variable.label for variable in unscored)
        fields = tuple(dict.fromkeys(f for variable in unscored for f in variable.value.fields))
        run.findings.append((step.unknown.bound(fields, labels=labels), None))
    if run.trace is not None:
        run.trace.append(("scorecard", card.id, "unknown" if unscored else "computed", card.fields, v.get(card.score_key)))


def _table_handler(step: TableStep) -> Callable[[Evaluation, Any], None]:
    """A table step with its functions bound once: the hit policy's state, the values it writes, its checks."""
    table = step.table
    assert table.state is not None
    state_of, key, writes, ambiguous = table.state.function, f"$table.{table.id}", table.writes, table.ambiguous
    # A table's checks read only its state: which states fail each one is worked out once, from the check itself.
    states = [row.index for row in table.rows] + [NO_MATCH, AMBIGUOUS, None]
    checks = [(check, frozenset(s for s in states if check.decides.function({key: s}) is False))
              for check in (table.ambiguous, table.no_match) if check is not None]

    def run_table(run: Evaluation, step: TableStep) -> None:
        v = run.record
        state = v[key] = state_of(v)
        outputs = writes.get(state)
        if outputs is not None:
            v.update(outputs)
        for check, failing in checks:
            if state in failing:
                if check is ambiguous:
                    first, second = table.ambiguous_rows(v)
                    check = check.bound(first=first, second=second)
                run.findings.append((check, False))
        if run.trace is not None:
            _trace_table(table, state, v, run.trace)
    return run_table


def _trace_table(table: CompiledTable, state: int | None, v: Record, steps: list[tuple]) -> None:
    for row, hit in table.examined(v):
        steps.append(("table_row", f"{table.id}[{row.index}]", _outcome(hit, "match", "no_match"), row.condition.fields, None))
    outcome = (f"row {state}" if state is not None and state >= 0 else "unknown" if state is None
               else "no_match: default" if table.default is not None else "no_match")
    steps.append(("table", table.id, outcome, table.inputs, {k: v.get(k) for k in table.output_keys}))


def _table(run: Evaluation, step: TableStep) -> None:
    _table_handler(step)(run, step)


def _rules(run: Evaluation, step: RulesStep) -> None:
    v, findings, steps = run.record, run.findings, run.trace
    if steps is None:
        findings.extend(rule_checker(run.product, step)(v))
        return
    for group in step.groups:
        if group.applies is not None:
            steps.append(("combination", group.id, _outcome(group.condition.function(v), "applies", "not_applicable"),  # type: ignore[union-attr]
                          group.condition.fields, None))  # type: ignore[union-attr]
            if group.applies.function(v) is not True:
                continue
        for rule in group.rules:
            result = rule.decides.function(v)
            if rule.guard is not None and rule.guard.function(v) is False:
                steps.append(("rule", rule.id, "not_applicable", rule.inputs, None))
                continue
            if result is not True:
                findings.append((rule, result))
            steps.append(("rule", rule.id, _outcome(result), rule.inputs, None))


def _offer(run: Evaluation, step: OfferStep) -> None:
    v, findings, steps = run.record, run.findings, run.trace
    if step.limit.needs_rate:  # an affordability cap tests the installment at the offered rate
        pricing_findings: list[FindingTuple] = []
        run.rate = _evaluate_rate(step.pricing, v, pricing_findings, steps)
        run.limit = _evaluate_limit(step.limit, v, findings, steps, run.rate.final if run.rate is not None else None)
        findings.extend(pricing_findings)  # reported in the same order as for any product: limit, then pricing
    else:
        run.limit = _evaluate_limit(step.limit, v, findings, steps)
        run.rate = _evaluate_rate(step.pricing, v, findings, steps)
    run.terms = _evaluate_terms(step, v, findings, steps)


HANDLERS: dict[type, Callable[[Evaluation, Any], None]] = {
    ScorecardStep: _scorecard, TableStep: _table, RulesStep: _rules, Checkpoint: _checkpoint, OfferStep: _offer,
}


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
    checks = limit.checks
    assert checks is not None
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
                findings.append((cap.unknown, None))  # type: ignore[arg-type]
            continue
        if best is None or value < best:
            best, binding = value, cap.id
    if not complete:
        return None  # the smallest of the remaining caps could overstate the limit: offer none
    if best is None:
        findings.append((checks.unknown, None))
        return None
    amount = round_down_to_step(best if best > 0 else 0, limit.step)
    minimum = limit.min_amount.function(v) if limit.min_amount is not None else None
    if minimum is not None and amount < minimum:
        findings.append((checks.below_minimum.bound(amount=amount, minimum=minimum), False))
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
            adjustments.append((adj.id, adj.label, bp))
        elif applies is not False:
            complete = False
            findings.append((adj.unknown, None))  # type: ignore[arg-type]
    if not complete or base is None or spread is None:
        findings.append((pricing.unknown, None))  # type: ignore[arg-type]
        return None
    # Fractional basis points are added exactly and rounded once, at the end (300.5 + 0.5 is 301, not 302);
    # each component is shown rounded.
    final = _bp(base + spread + sum(bp for _, _, bp in adjustments))
    base, spread = _bp(base), _bp(spread)
    adjustments = [(ident, label, _bp(bp)) for ident, label, bp in adjustments]
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


def _evaluate_terms(product: OfferStep, v: Record, findings: list[FindingTuple], steps: list[tuple] | None) -> TermsOutcome:
    terms = product.terms
    months = list(terms.months)
    max_months = None
    if terms.max_months is not None:
        value = terms.max_months.function(v)
        if value is None:
            findings.append((terms.unknown, None))  # type: ignore[arg-type]
        else:
            max_months = int(value)
            months = [m for m in months if m <= value]
            if not months:
                findings.append((terms.none_eligible.bound(  # type: ignore[union-attr]
                    max_months=max_months), False))
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


