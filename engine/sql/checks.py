"""Rule checks of the product IR as SQL: each rule's three-valued outcome, its effective action, the decision.

The outcome is the IR's effective condition (`Check.decides`: the Kleene implication `not G or R`), so
TRUE passes, FALSE fails and NULL is unknown; the NULL branch is written out first because CASE WHEN
NULL would otherwise fall through to ELSE. The decision follows engine.compile.ir.decide: any finding
whose effective action is the first of DECISION_PRECEDENCE wins, else any finding gives the second.
Unfinished: only rule steps (no tables, scorecards, checkpoints or offers yet), not wired into a command.
"""
from __future__ import annotations

import sqlglot.expressions as sg

from engine.compile.ir import DECISION_PRECEDENCE, DEFAULT_DECISION, Check, CompiledProduct, RuleGroup, RulesStep
from engine.sql.expressions import SqlExpressions, SqlUnsupported


def rule_checks(product: CompiledProduct) -> list[tuple[RuleGroup, Check]]:
    """The rules of the product's rule steps with their group, in reporting order."""
    return [(group, rule) for step in product.steps if isinstance(step, RulesStep) for group in step.groups
            for rule in group.rules]


def outcome(group: RuleGroup, check: Check, translate: SqlExpressions) -> sg.Expression:
    """TRUE, FALSE or NULL; a rule of a combination that does not apply passes (is never checked)."""
    try:
        result = translate(check.decides.node)
        if group.applies is None:
            return result
        return sg.Case().when(translate(group.applies.node), result).else_(sg.true())
    except SqlUnsupported as problem:
        where = f"{check.file}:{check.line}:{check.column}" if check.line else check.file
        raise SqlUnsupported(f"{problem.construct} (rule {check.id} at {where})") from problem


def effective_action(check: Check, result: sg.Expression) -> sg.Expression:
    """The finding's action, or NULL when the rule passed."""
    # Rendered trees are not re-parenthesised: `a >= 18 IS NULL` would bind IS NULL to 18.
    return (sg.Case().when(sg.Is(this=sg.Paren(this=result.copy()), expression=sg.Null()), sg.Literal.string(check.on_missing))
            .when(sg.Not(this=sg.Paren(this=result.copy())), sg.Literal.string(check.action)).else_(sg.Null()))


def decision(actions: list[sg.Expression]) -> sg.Expression:
    if not actions:
        return sg.Literal.string(DEFAULT_DECISION)
    first, second = DECISION_PRECEDENCE
    declines = sg.or_(*(sg.EQ(this=a.copy(), expression=sg.Literal.string(first)) for a in actions))
    findings = sg.or_(*(sg.Not(this=sg.Is(this=a.copy(), expression=sg.Null())) for a in actions))
    # A comparison with a NULL action is NULL, which CASE treats as not taken: exactly "not this action".
    return (sg.Case().when(declines, sg.Literal.string(first)).when(findings, sg.Literal.string(second))
            .else_(sg.Literal.string(DEFAULT_DECISION)))


def reason_codes(checks: list[Check], outcomes: list[sg.Expression], unknown: bool) -> sg.Expression:
    """The codes of the failed (or, with unknown, the undecided) rules, in reporting order, as an array.
    Built as a tree (an array filtered by a lambda) that each dialect renders its own way."""
    codes = []
    for check, result in zip(checks, outcomes):
        test = sg.Paren(this=result.copy())
        hit = sg.Is(this=test, expression=sg.Null()) if unknown else sg.EQ(this=test, expression=sg.false())
        codes.append(sg.Case().when(hit, sg.Literal.string(check.id)).else_(sg.Null()))
    item = sg.to_identifier("code")
    keep = sg.Not(this=sg.Is(this=sg.column(item), expression=sg.Null()))
    return sg.ArrayFilter(this=sg.Array(expressions=codes), expression=sg.Lambda(this=keep, expressions=[item]))
