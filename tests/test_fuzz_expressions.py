"""Fuzzing that stays: random well-typed expressions over random applicant records, on every backend.

Asserts no crash (an expression is either refused with a located ExpressionProblem or evaluates), and that
the row path traced, the row path fused and the columnar path give the same value for every record.
benchmarks/fuzz.py runs the same grammar over a million inputs.
"""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from engine.expressions import Scope, compile_expression, parse_expression
from engine.expressions.kleene import k_and, k_if, k_not, k_or
from tests.support.differential import Tally, compare, records_frame
from tests.support.expression_grammar import PARAMS, Grammar, HypothesisChooser, random_grammar

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _scope(dictionary: Any) -> Scope:
    return Scope(dictionary, dict(PARAMS))


@_SETTINGS
@given(st.data())
def test_generated_expressions_agree_on_every_backend(dictionary, data) -> None:
    grammar = Grammar(HypothesisChooser(data), max_depth=data.draw(st.integers(1, 6)))
    text = grammar.boolean() if data.draw(st.booleans()) else grammar.number()
    records = [grammar.record() for _ in range(data.draw(st.integers(1, 8)))]
    tally = Tally()
    compare(text, _scope(dictionary), records, tally)
    assert tally.crashes == 0 and tally.disagreements == 0, tally.examples


def test_a_fixed_sample_of_deep_expressions_agrees(dictionary) -> None:
    """Deeper than hypothesis goes quickly: nesting where the row code hoists and the columnar path shares."""
    grammar = random_grammar(7, max_depth=9)
    records = [grammar.record() for _ in range(60)]
    frame = records_frame(records)
    tally = Tally()
    for i in range(60):
        compare(grammar.boolean() if i % 2 else grammar.number(), _scope(dictionary), records, tally, frame)
    assert tally.crashes == 0 and tally.disagreements == 0, tally.examples
    assert tally.inputs >= 50 * 60  # nearly everything generated is a valid expression and was compared


_TRUTH = st.sampled_from(["true", "false", "null"])
_VALUE = {"true": True, "false": False, "null": None}


def _truth_expression(depth: int) -> st.SearchStrategy[tuple[str, Any]]:
    """A constant boolean expression and its value by the definitions in engine.expressions.kleene."""
    leaf = _TRUTH.map(lambda t: (t, _VALUE[t]))
    if depth == 0:
        return leaf
    inner = _truth_expression(depth - 1)
    return st.one_of(
        leaf,
        inner.map(lambda e: (f"not ({e[0]})", k_not(e[1]))),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3)).map(
            lambda t: (f" {t[0]} ".join(f"({e[0]})" for e in t[1]),
                       (k_and if t[0] == "and" else k_or)([e[1] for e in t[1]]))),
        st.tuples(inner, inner, inner).map(lambda t: (f"({t[0][0]}) if ({t[1][0]}) else ({t[2][0]})",
                                                      k_if(t[1][1], t[0][1], t[2][1]))),
    )


@settings(max_examples=200, deadline=None)
@given(_truth_expression(3), st.sampled_from([None, 17, 40]))
def test_null_follows_kleene_logic_when_folded_and_when_evaluated(dictionary, expression, age) -> None:
    """`null` is unknown: the folded constant and the evaluated expression (beside a field, so nothing folds
    it away) both follow Kleene's tables (`X and null` is unknown unless X is false, `not null` is unknown)."""
    text, expected = expression
    scope = _scope(dictionary)
    folded = compile_expression(text, parse_expression(text, scope))({})
    assert folded is expected
    beside = f"(applicant.age >= 18) and ({text})"
    value = compile_expression(beside, parse_expression(beside, scope))({"applicant.age": age})
    assert value is k_and([None if age is None else age >= 18, expected])
