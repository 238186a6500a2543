"""The expression language at its edges: the declared limits (located errors, never a crash), null as
unknown, one decimal context, flat generated code, and money rounded once."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.core.decimals import RESULT_BOUND, bounded, engine_decimals
from engine.core.money import round_half_up
from engine.expressions import ExpressionProblem, compile_expression, parse_expression
from engine.expressions.compiler import HOIST_EVERY, fuse_values
from engine.expressions.runtime import floor
from tests.conftest import EVALUATION_DATE, run


def problem(text: str, scope) -> ExpressionProblem:
    with pytest.raises(ExpressionProblem) as caught:
        parse_expression(text, scope)
    return caught.value


@pytest.mark.parametrize("text, fragment, col", [
    ("tax.paid_12m < 9e999999999", "number 9e999999999 is too large (the limit is below 10^18)", 15),
    ("applicant.age / 1e-999999999 > 1", "is too small", 16),
    ("tax.paid_12m < 1e400", "is too large", 15),
    ("floor(9e999999999) > 1", "is too large", 6),
    ("9e999999999 * 2 > 1", "is too large", 0),
    ("tax.paid_12m > 0.1234567890123456789012345678901", "more than 30 significant digits", 15),
    ("tax.paid_12m < 1000000 * 1000000 * 1000000", "the constant * gives a number that is too large", 15),
    ("max(applicant.age) > 1", "wrong number of arguments: max(a, b, ...)", 0),
    ("min(applicant.age) > 1", "wrong number of arguments: min(a, b, ...)", 0),
    ("true) or (false", "unmatched ')'", 4),
])
def test_values_that_would_crash_or_hang_are_refused_where_they_are_written(scope, text, fragment, col):
    found = problem(text, scope)
    assert fragment in found.message
    assert (found.line, found.col) == (1, col)


def test_the_size_limits_are_located_errors(scope):
    assert "nested more than 40 levels deep" in problem("abs(" * 100 + "applicant.age" + ")" * 100 + " > 1", scope).message
    assert "nested more than 40 levels deep" in problem(" + ".join(["1"] * 250) + " > applicant.age", scope).message
    assert "the limit is 4000" in problem("applicant.age > 1" + " and applicant.age > 1" * 200, scope).message
    # grouping parentheses and chains are one level each: legal, and they evaluate
    assert run("(" * 150 + "applicant.age" + ")" * 150 + " >= 18", scope, {"applicant.age": 40}) is True
    assert run(" <= ".join(["applicant.age"] * 200), scope, {"applicant.age": 40}) is True


def test_a_syntax_error_at_the_end_is_on_the_last_line_not_the_next(scope):
    found = problem("applicant.age > 1 and\n  tax.paid_12m >", scope)
    assert found.line == 2


def test_deep_expressions_generate_flat_code(scope):
    """At the depth limit the generated function still compiles: every HOIST_EVERY levels a part is a temporary."""
    text = "abs(" * 37 + "applicant.age" + ")" * 37 + " > 1"
    compiled = compile_expression(text, parse_expression(text, scope))
    assert compiled({"applicant.age": -3}) is True and compiled({}) is None
    assert compiled.source.count("\n    _t") >= 37 // HOIST_EVERY
    values = fuse_values([compiled, compiled])
    assert values({"applicant.age": 5}) == (True, True)


@pytest.mark.parametrize("text, age, expected", [
    ("applicant.age >= 18 and null", 40, None),
    ("applicant.age >= 18 and null", 16, False),
    ("applicant.age >= 18 or null", 40, True),
    ("applicant.age >= 18 or null", 16, None),
    ("not null", 40, None),
    ("(null if applicant.age > 18 else true)", 40, None),
    ("(null if applicant.age > 18 else true)", 16, True),
    ("null + 1 > applicant.age", 40, None),
    ("-null > applicant.age", 40, None),
    ("min(applicant.age, null) > 1", 40, None),
    ("coalesce(null, applicant.age) == 40", 40, True),
    ("false and null", 40, False),
    ("true or null", 40, True),
])
def test_null_is_unknown_by_kleene_logic(scope, text, age, expected):
    assert run(text, scope, {"applicant.age": age}) is expected


def test_thirty_digit_values_are_exact_in_the_engine_context(scope):
    text = "tax.paid_12m * 1.00000000000000000000000001 > tax.paid_12m"
    with engine_decimals():
        assert run(text, scope, {"tax.paid_12m": Decimal("86500.00")}) is True
    value = run("tax.paid_12m * 3", scope, {"tax.paid_12m": Decimal("123456789012345.123456789012345")})
    assert value == Decimal("370370367037035.370370367037035")


def test_results_beyond_any_amount_are_unknown_and_rounding_never_overflows(scope):
    assert bounded(RESULT_BOUND) is None and bounded(RESULT_BOUND - 1) == RESULT_BOUND - 1
    assert bounded(Decimal("1e40")) is None and bounded(Decimal("-9.9e39")) == Decimal("-9.9e39")
    huge = " * ".join(["tax.paid_12m"] * 4)
    assert run(huge, scope, {"tax.paid_12m": Decimal("999999999999.99")}) is None
    assert run(f"round({huge}, 6) > 1", scope, {"tax.paid_12m": Decimal("999999999999.99")}) is True
    with engine_decimals():
        assert round_half_up(Decimal("1e70"), 6) == Decimal("1e70")
        assert floor(Decimal("1.5e70")) == Decimal("1.5e70") and floor(Decimal("-2.5")) == -3


def test_round_six_digits_of_a_large_value(scope):
    assert run("round(tax.paid_12m * 10000000000000, 6)", scope, {"tax.paid_12m": Decimal("86500.25")}) == \
        Decimal("865002500000000000.000000")


def test_date_functions_still_read_the_evaluation_date(scope):
    assert run("years_since(enterprise.registered_on)", scope, {"enterprise.registered_on": EVALUATION_DATE.replace(year=2019)}) == 7
