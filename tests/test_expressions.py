"""The expression language: every node kind, missing data as a third outcome, and rejection of
anything outside the whitelist, with positions."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from engine.expressions import ExpressionProblem, parse_expression
from tests.conftest import run

D = Decimal


# ---------------------------------------------------------------- node kinds


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 + 2 * 3", 7),
        ("0.1 + 0.2", D("0.3")),  # exact decimals, never float noise
        ("10 / 4", D("2.5")),
        ("-(3 - 5)", 2),
        ("+4", 4),
        ("true", True),
        ("false or True", True),
    ],
)
def test_constants_and_arithmetic(scope, text, expected):
    result = run(text, scope)
    assert result == expected and type(result) is type(expected)


def test_field_reads_and_missing_fields_are_unknown(scope):
    assert run("tax.paid_12m", scope, {"tax.paid_12m": D("86500.50")}) == D("86500.50")
    assert run("tax.paid_12m", scope, {}) is None
    assert run("tax.paid_12m * 2", scope, {}) is None


def test_chained_comparison(scope):
    assert run("18 <= applicant.age <= 65", scope, {"applicant.age": 30}) is True
    assert run("18 <= applicant.age <= 65", scope, {"applicant.age": 66}) is False
    assert run("18 <= applicant.age <= 65", scope, {"applicant.age": 17}) is False
    assert run("18 <= applicant.age <= 65", scope, {}) is None


@pytest.mark.parametrize("op, a, b, expected", [
    ("==", 1, 1, True), ("!=", 1, 1, False), ("<", 1, 2, True), ("<=", 2, 2, True), (">", 1, 2, False), (">=", 2, 3, False),
])
def test_comparison_operators(scope, op, a, b, expected):
    assert run(f"applicant.age {op} {b}", scope, {"applicant.age": a}) is expected


def test_membership_in_constant_lists_params_and_list_fields(scope):
    assert run("tax.grade in ['A', 'B']", scope, {"tax.grade": "B"}) is True
    assert run("tax.grade not in params.grades", scope, {"tax.grade": "C"}) is True
    assert run("tax.grade in params.grades", scope, {}) is None
    assert run("'equity_frozen' in risk_warning.flags", scope, {"risk_warning.flags": ("equity_frozen",)}) is True
    assert run("'equity_frozen' not in risk_warning.flags", scope, {"risk_warning.flags": ()}) is True


def test_kleene_logic_lets_a_decided_side_win(scope):
    # false and unknown = false; true or unknown = true; otherwise unknown
    assert run("applicant.age > 100 and tax.paid_12m > 0", scope, {"applicant.age": 30}) is False
    assert run("applicant.age < 100 or tax.paid_12m > 0", scope, {"applicant.age": 30}) is True
    assert run("applicant.age < 100 and tax.paid_12m > 0", scope, {"applicant.age": 30}) is None
    assert run("applicant.age > 100 or tax.paid_12m > 0", scope, {"applicant.age": 30}) is None
    assert run("not tax.paid_12m > 0", scope, {}) is None
    assert run("not tax.paid_12m > 0", scope, {"tax.paid_12m": 0}) is True


def test_conditional_expression(scope):
    text = "params.min_paid if tax.grade == 'A' else 20000"
    assert run(text, scope, {"tax.grade": "A"}) == 10000
    assert run(text, scope, {"tax.grade": "B"}) == 20000
    assert run(text, scope, {}) is None


def test_param_map_lookup_by_field_and_missing_key(scope):
    assert run("tax.paid_12m * params.mult[tax.grade]", scope, {"tax.paid_12m": D("1000.5"), "tax.grade": "A"}) == D("10005.0")
    assert run("params.mult[tax.grade]", scope, {"tax.grade": "C"}) is None  # no row for C: unknown
    assert run("params.mult['B']", scope) == 6
    assert run("params.mult.B", scope) == 6


def test_division_by_zero_is_unknown(scope):
    assert run("tax.paid_12m / tax.taxable_sales_12m", scope, {"tax.paid_12m": 5, "tax.taxable_sales_12m": 0}) is None
    assert run("tax.paid_12m / tax.taxable_sales_12m", scope, {"tax.paid_12m": 5, "tax.taxable_sales_12m": 20}) == D("0.25")


@pytest.mark.parametrize("text, record, expected", [
    ("min(3, applicant.age, 10)", {"applicant.age": 5}, 3),
    ("max(3, applicant.age)", {"applicant.age": 5}, 5),
    ("abs(-2.5)", {}, D("2.5")),
    ("round(2.345, 2)", {}, D("2.35")),  # half up, not banker's rounding
    ("round(2.5)", {}, D("3")),
    ("floor(2.7)", {}, 2),
    ("ceil(2.1)", {}, 3),
    ("round_down(123456.78, 10000)", {}, D("120000")),
    ("round_down(5, 0)", {}, None),
    ("clamp(applicant.age, 18, 60)", {"applicant.age": 70}, 60),
    ("has(tax.grade)", {"tax.grade": "A"}, True),
    ("has(tax.grade)", {}, False),
    ("has(tax)", {"tax": True}, True),
    ("has(judicial)", {}, False),
    ("coalesce(loan.channel, 'counter')", {}, "counter"),
    ("coalesce(loan.channel, 'counter')", {"loan.channel": "gov_app"}, "gov_app"),
    ("years_since(enterprise.registered_on)", {"enterprise.registered_on": date(2024, 11, 26)}, 1),
    ("years_since(enterprise.registered_on)", {"enterprise.registered_on": date(2024, 11, 25)}, 2),
    ("months_since(enterprise.registered_on)", {"enterprise.registered_on": date(2026, 5, 26)}, 5),
    ("contains_any(credit_bureau.special_status, ['bad_debt', 'write_off'])", {"credit_bureau.special_status": ("write_off",)}, True),
    ("contains_any(credit_bureau.special_status, ['bad_debt'])", {"credit_bureau.special_status": ()}, False),
    ("len(risk_warning.flags)", {"risk_warning.flags": ("a", "b")}, 2),
    ("min(applicant.age, 3)", {}, None),
])
def test_function_library(scope, text, record, expected):
    assert run(text, scope, record) == expected


def test_yaml_spellings_of_constants(scope):
    assert run("has(tax.grade) == false", scope) is True
    assert run("coalesce(loan.amount, null, 5)", scope) == 5


def test_multi_line_expressions(scope):
    assert run("applicant.age >= 18 and\n  applicant.age <= 65", scope, {"applicant.age": 40}) is True


# ---------------------------------------------------------------- rejection of unsafe input


@pytest.mark.parametrize("text, message", [
    ("__import__('os')", "names starting with '_' are not allowed"),
    ("().__class__", "names starting with '_' are not allowed"),
    ("().__class__.__bases__[0].__subclasses__()", "not allowed"),
    ("tax.grade.lower()", "method calls are not allowed"),
    ("lambda: 1", "lambda functions are not allowed"),
    ("[x for x in [1, 2]]", "comprehensions are not allowed"),
    ("{x for x in [1]}", "comprehensions are not allowed"),
    ("2 ** 1000000", "operator ** is not allowed"),
    ("9 ** 9 ** 9", "operator ** is not allowed"),
    ("1" * 40, "is too large"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("eval('1')", "unknown function 'eval'"),
    ("(x := 1)", "assignment (:=) is not allowed"),
    ("{'a': 1}", "map literals are not allowed"),
    ("f'{tax.grade}'", "f-strings are not allowed"),
    ("tax.grade[0:1]", "only params maps can be indexed"),
    ("7 // 2", "operator // is not allowed"),
    ("7 % 2", "operator % is not allowed"),
    ("1 << 2", "operator"),
    ("applicant.age is None", "'is' is not allowed"),
    ("min(*[1, 2])", "* unpacking is not allowed"),
    ("max(a=1)", "takes no keyword arguments"),
    ("(" * 200 + "1" + ")" * 200, ""),
    ("x" * 5000, "the limit is 4000"),
])
def test_unsafe_or_foreign_input_is_rejected(scope, text, message):
    with pytest.raises(ExpressionProblem) as caught:
        parse_expression(text, scope)
    assert message in caught.value.message


# ---------------------------------------------------------------- static checks with positions


@pytest.mark.parametrize("text, message, hint, col", [
    ("tax.paid12m > 0", "unknown field 'tax.paid12m'", "did you mean 'tax.paid_12m'", 0),
    ("applicant.age > 0 and taxx.grade == 'A'", "unknown name 'taxx'", "did you mean 'tax'", 22),
    ("tax.grade == 'E'", "'E' is not a possible value (one of A, B, C, D, M)", None, 13),
    ("tax.grade == 3", "cannot compare one of A, B, C, D, M with number", None, 13),
    ("tax.grade > 'A'", "'>' needs numbers or dates", None, 0),
    ("applicant.age + 'x' > 1", "'+' needs numbers, got string", None, 16),
    ("min(applicant.age, 'x')", "min(): argument 2 must be a number", None, 19),
    ("mn(1, 2)", "unknown function 'mn'", "did you mean 'min'", 0),
    ("params.min_pai > 0", "unknown param 'min_pai'", "did you mean 'min_paid'", 0),
    ("params.mult['C']", "the map has no key 'C'", None, 12),
    ("applicant.age == null", "comparing with null is not allowed", "use has(field)", 0),
    ("applicant.age = 1", "syntax error", "use == to compare", None),
    ("has(1)", "has() needs a data field", None, 4),
    ("round(applicant.age, applicant.age)", "whole constant", None, 21),
    ("tax", "'tax' is a data source", None, 0),
    ("tables.nope.x", "unknown table 'nope'", None, 0),
    ("'税' == tax.grad", "unknown field 'tax.grad'", None, 7),  # columns count characters, not bytes
])
def test_static_errors_name_position_and_suggestion(scope, text, message, hint, col):
    with pytest.raises(ExpressionProblem) as caught:
        parse_expression(text, scope)
    problem = caught.value
    assert message in problem.message
    if hint:
        assert hint in (problem.hint or "")
    if col is not None:
        assert (problem.line, problem.col) == (1, col)


def test_result_type_is_checked(scope):
    with pytest.raises(ExpressionProblem, match="must give a boolean, but gives number"):
        parse_expression("applicant.age + 1", scope, "boolean")


def test_undeclared_data_source_is_an_error(dictionary):
    from engine.expressions import Scope

    narrow = Scope(dictionary, {}, frozenset({"applicant"}))
    with pytest.raises(ExpressionProblem, match="data source 'judicial' is not in this product's data_sources"):
        parse_expression("judicial.dishonest_debtor", narrow)


def test_error_position_on_second_line(scope):
    with pytest.raises(ExpressionProblem) as caught:
        parse_expression("applicant.age >= 18 and\n  tax.grde == 'A'", scope)
    assert (caught.value.line, caught.value.col) == (2, 2)


# ---------------------------------------------------------------- properties

FIELDS = ["judicial.dishonest_debtor", "judicial.criminal_record", "risk_warning.bank_blacklist"]
truth = st.sampled_from([True, False, None])


def _trees(depth: int):
    leaf = st.sampled_from(FIELDS).map(lambda f: (f,))
    if depth == 0:
        return leaf
    sub = _trees(depth - 1)
    return st.one_of(leaf, st.tuples(st.just("not"), sub), st.tuples(st.sampled_from(["and", "or"]), sub, sub))


def _text(tree) -> str:
    if len(tree) == 1:
        return tree[0]
    if tree[0] == "not":
        return f"(not {_text(tree[1])})"
    return f"({_text(tree[1])} {tree[0]} {_text(tree[2])})"


def _kleene(tree, values):
    if len(tree) == 1:
        return values.get(tree[0])
    if tree[0] == "not":
        v = _kleene(tree[1], values)
        return None if v is None else not v
    a, b = _kleene(tree[1], values), _kleene(tree[2], values)
    if tree[0] == "and":
        return False if False in (a, b) else None if None in (a, b) else True
    return True if True in (a, b) else None if None in (a, b) else False


@settings(max_examples=300, deadline=None)
@given(tree=_trees(4), values=st.fixed_dictionaries({f: truth for f in FIELDS}))
def test_compiled_logic_is_kleene_three_valued_logic(scope, tree, values):
    record = {k: v for k, v in values.items() if v is not None}
    assert run(_text(tree), scope, record) == _kleene(tree, values)


@settings(max_examples=200, deadline=None)
@given(
    a=st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    b=st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
)
def test_arithmetic_is_exact_decimal(scope, a, b):
    record = {"tax.paid_12m": a, "tax.paid_24m": b}
    assert run("tax.paid_12m + tax.paid_24m", scope, record) == a + b
    assert run("tax.paid_12m * 0.2 - tax.paid_24m", scope, record) == a * D("0.2") - b
    assert run("min(tax.paid_12m, tax.paid_24m)", scope, record) == min(a, b)


def test_every_function_is_documented():
    from engine.expressions.functions import FUNCTIONS
    from tests.conftest import ROOT

    guide = (ROOT / "docs" / "expressions.md").read_text(encoding="utf-8")
    for spec in FUNCTIONS.values():
        assert f"| `{spec.signature}` | {spec.doc} |" in guide
