"""Lists of records: a records field in the dictionary, checked applicant data, and aggregates over it."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.documents.applicant import flatten
from engine.documents.models import DataDictionary
from engine.expressions.compiler import compile_expression
from engine.expressions.parser import parse_expression
from engine.expressions.problems import ExpressionProblem
from engine.expressions.scope import Scope

DICTIONARY = DataDictionary.model_validate({"sources": {"collateral": {"description": "押品", "fields": {
    "items": {"type": "records", "description": "押品清单", "fields": {
        "type": {"type": "enum", "values": ["house", "shop"], "description": "押品类型"},
        "valuation": {"type": "money", "description": "评估价值", "unit": "元"}}}}}}})
SCOPE = Scope(DICTIONARY)


def record(items: list[dict]) -> dict:
    problems: list = []
    result = flatten({"collateral": {"items": items}}, DICTIONARY, lambda *a, **k: problems.append(a))
    assert not problems, problems
    return result


def value(text: str, data: dict):
    return compile_expression(text, parse_expression(text, SCOPE))(data)


TWO = [{"type": "house", "valuation": 1000000}, {"type": "shop", "valuation": Decimal("500000.50")}]


@pytest.mark.parametrize("text, expected", [
    ("any(x.type == 'house' for x in collateral.items)", True),
    ("all(x.valuation > 600000 for x in collateral.items)", False),
    ("count(x for x in collateral.items if x.type == 'shop')", 1),
    ("sum(x.valuation * 0.7 for x in collateral.items if x.type == 'house')", Decimal("700000.0")),
    ("sum(x.valuation for x in collateral.items)", Decimal("1500000.50")),
    ("max(x.valuation for x in collateral.items)", 1000000),
    ("min(x.valuation for x in collateral.items)", Decimal("500000.50")),
])
def test_aggregates(text: str, expected) -> None:
    assert value(text, record(TWO)) == expected
    assert value(text, {}) is None  # an absent list is unknown, never a pass


def test_empty_and_unknown_records() -> None:
    assert value("sum(x.valuation for x in collateral.items)", record([])) == 0
    assert value("any(x.type == 'house' for x in collateral.items)", record([])) is False
    assert value("min(x.valuation for x in collateral.items)", record([])) is None
    partial = record([{"type": "house"}, {"type": "shop", "valuation": 1}])
    assert value("sum(x.valuation for x in collateral.items)", partial) is None
    assert value("any(x.valuation > 0 for x in collateral.items)", partial) is True  # decided by the second


@pytest.mark.parametrize("text, message", [
    ("any(x.kind == 'house' for x in collateral.items)", "a record has no field 'kind'"),
    ("any(x.type == 'flat' for x in collateral.items)", "'flat' is not a possible value"),
    ("sum(x.type for x in collateral.items)", "sum() needs a number"),
    ("any(x.valuation > 1 for x in collateral.items) and x.valuation > 1", "unknown name 'x'"),
    ("count(collateral.items)", "count() takes one generator"),
    ("sum(y.valuation for y in collateral.items for z in collateral.items)", "one 'for'"),
])
def test_located_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_expression(text, SCOPE)


def test_bad_records_are_refused_with_the_record_and_field() -> None:
    problems: list = []
    flatten({"collateral": {"items": [{"type": "house", "valuation": "x"}]}}, DICTIONARY, lambda *a, **k: problems.append(a))
    assert problems == [(("collateral", "items"), "record 1, field valuation: expected a number (元), got text 'x'")]


def test_records_need_fields_of_one_level() -> None:
    with pytest.raises(ValueError, match="needs 'fields'"):
        DataDictionary.model_validate({"sources": {"s": {"description": "d", "fields": {
            "items": {"type": "records", "description": "d"}}}}})


def test_a_deep_condition_inside_an_aggregate_compiles_inline() -> None:
    deep = "x.valuation" + " + 1" * 3
    text = "any(" + "(" * 12 + deep + ")" * 12 + " > 0 and (x.type == 'house' or (x.type == 'shop' and not (x.valuation < 1)))" \
        + " for x in collateral.items)"
    assert value("max(1, 2) < 3 and " + text, record(TWO)) is True
