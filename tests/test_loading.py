"""Loader errors: every problem names file, line, column and the path inside the document."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.authoring.validate import validate_catalog
from engine.catalog import Catalog
from engine.core.errors import DocumentError, ExpressionError, UnknownProductError
from engine.documents.applicant import load_applicant
from engine.documents.source import parse_text
from tests.conftest import EVALUATION_DATE
from tests.fixtures import MINI_PRODUCT, write_product


def rendered(problems) -> list[str]:
    return [p.render() for p in problems]


def test_positions_of_values_and_keys():
    doc = parse_text("a:\n  b: [1, 2.50]\n  c: x\n", "t.yaml")
    assert doc.data == {"a": {"b": [1, Decimal("2.50")], "c": "x"}}
    assert (doc.values[("a", "b", 1)].line, doc.values[("a", "b", 1)].column) == (2, 10)
    assert (doc.keys[("a", "c")].line, doc.keys[("a", "c")].column) == (3, 3)


def test_duplicate_keys_are_errors():
    with pytest.raises(DocumentError) as caught:
        parse_text("a: 1\nb: 2\na: 3\n", "t.yaml")
    assert rendered(caught.value.problems) == ["t.yaml:3:1: $.a: duplicate key 'a' (each key may appear once)"]


@pytest.mark.parametrize("text, as_json, expected", [
    ("a: [1, 2\nb: 3\n", False, "t.yaml:2:2: $: malformed YAML: did not find expected ',' or ']'"),
    ("a: b: c\n", False, "t.yaml:1:5: $: malformed YAML: mapping values are not allowed"),
    ('{"a": 1,}', True, "t.yaml:1:9: $: malformed JSON: Expecting property name enclosed in double quotes"),
    ("", False, "t.yaml:1:1: $: the document is empty"),
])
def test_malformed_documents(text, as_json, expected):
    with pytest.raises(DocumentError) as caught:
        parse_text(text, "t.yaml", as_json=as_json)
    assert caught.value.render().startswith(expected)


def broken(pack, old: str, new: str) -> list[str]:
    assert old in MINI_PRODUCT
    write_product(pack, MINI_PRODUCT.replace(old, new, 1))
    checked, problems = validate_catalog(Catalog(pack))
    return [p.replace(str(pack) + "/", "") for p in rendered(problems)]


def test_unknown_key_with_did_you_mean(pack):
    problems = broken(pack, "borrower: individual", "borower: individual")
    assert sorted(problems) == [
        "products/mini.yaml:1:1: $: missing required key 'borrower'",
        "products/mini.yaml:5:1: $.borower: unknown key 'borower' (did you mean 'borrower'?)",
    ]


def test_unknown_key_inside_a_rule(pack):
    problems = broken(pack, "    action: refer\n    on_missing: decline", "    action: refer\n    on_mising: decline")
    assert problems == ["products/mini.yaml:25:5: $.eligibility[2].on_mising: unknown key 'on_mising' (did you mean 'on_missing'?)"]


def test_wrong_value_for_a_literal_field(pack):
    problems = broken(pack, "    action: decline\n  - id: INQUIRIES", "    action: deny\n  - id: INQUIRIES")
    assert problems == ["products/mini.yaml:16:13: $.eligibility[0].action: Input should be 'decline' or 'refer', got 'deny'"]


def test_expression_error_points_into_the_expression(pack):
    problems = broken(pack, "rule: tax.paid_12m >= params.min_paid", "rule: tax.paid_12m >= params.min_payd")
    assert problems == [
        "products/mini.yaml:14:27: $.eligibility[0].rule: unknown param 'min_payd' (did you mean 'min_paid'?)"]


def test_expression_error_in_a_message_placeholder(pack):
    problems = broken(pack, "message: 纳税{tax.paid_12m}元", "message: 纳税{tax.paid_21m}元")
    assert problems == ["products/mini.yaml:15:17: $.eligibility[0].message: in message placeholder: unknown field "
                        "'tax.paid_21m' (did you mean 'tax.paid_24m' or 'tax.paid_12m'?)"]


def test_all_problems_are_reported_not_only_the_first(pack):
    text = MINI_PRODUCT.replace("tax.paid_12m >= params.min_paid", "tax.paid12m >= 1").replace(
        "credit_bureau.loan_inquiries_3m <= 6", "credit_bureau.loan_inquiries_3m <= 'six'").replace("rulesets: [judicial]", "rulesets: [judical]")
    write_product(pack, text)
    problems = rendered(validate_catalog(Catalog(pack))[1])
    assert len(problems) == 3
    assert "unknown field 'tax.paid12m'" in problems[0]
    assert "cannot compare number with string" in problems[1]
    assert "unknown ruleset 'judical' (did you mean 'judicial'?)" in problems[2]


def test_unknown_ruleset_param_override(pack):
    problems = broken(pack, "rulesets: [judicial]", "rulesets: [{ruleset: judicial, params: {max_pending_amount: 1}}]")
    assert len(problems) == 1
    assert "ruleset 'judicial' has no param 'max_pending_amount' (did you mean 'max_pending_defendant_amount'?)" in problems[0]


def test_undeclared_data_source(pack):
    problems = broken(pack, "data_sources: [applicant, tax, credit_bureau, judicial, loan]", "data_sources: [applicant, tax, credit_bureau, loan]")
    # the judicial ruleset reads judicial.*: its 4 rules and 2 messages are reported in the ruleset file
    assert len(problems) == 6 and all("data source 'judicial' is not in this product's data_sources" in p for p in problems)
    assert problems[0] == ("rulesets/judicial.yaml:10:15: $.rules[0].rule: data source 'judicial' is not in this product's "
                           "data_sources [ruleset 'judicial' used by product 'mini'] (add judicial to data_sources)")


def test_table_cell_errors(pack):
    problems = broken(pack, '      - [A, "<= 12", 50]', '      - [A, "<= twelve", 50]')
    assert len(problems) == 1 and "$.tables[0].rows[0][1]: cell '<= twelve': unknown name 'twelve'" in problems[0]
    problems = broken(pack, '      - [B, "-", 120]', '      - [B, 120]')
    assert len(problems) == 1 and "row 2 has 2 cells; expected 3 (2 inputs then 1 outputs; an input expression with a comma must be quoted" in problems[0]


def test_duplicate_rule_ids(pack):
    problems = broken(pack, "  - id: INQUIRIES", "  - id: PAID")
    assert len(problems) == 1 and "$.eligibility[1].id: duplicate rule id 'PAID'" in problems[0]


def test_chinese_name_and_ascii_code(pack):
    problems = broken(pack, "code: mini\nname: 测试贷", "code: Mini贷\nname: test loan")
    assert any("$.code: String should match pattern" in p for p in problems)
    assert any("$.name: the product name must be Chinese" in p for p in problems)


def test_a_broken_product_does_not_block_a_sound_one(pack):
    write_product(pack)
    write_product(pack, "code: [", "broken.yaml")
    catalog = Catalog(pack)
    assert catalog.compiled("mini").code == "mini"
    with pytest.raises(DocumentError, match="broken.yaml"):
        catalog.products


def test_unknown_product_suggests(catalog):
    with pytest.raises(UnknownProductError, match="did you mean 'shuiqitong-xw'"):
        catalog.select("shuiqitong-xv", EVALUATION_DATE)


def test_compile_error_raises_expression_error(pack):
    write_product(pack, MINI_PRODUCT.replace("params.min_paid\n", "params.nope\n", 1))
    with pytest.raises(ExpressionError, match="unknown param 'nope'"):
        Catalog(pack).compiled("mini")


# ---------------------------------------------------------------- applicant files


def test_applicant_errors_are_all_located(tmp_path, dictionary):
    path = tmp_path / "a.yaml"
    path.write_text("applicant:\n  age: abc\n  role: boss\ntaxx: {}\ntax:\n  paid_12m: 1.234\n  months_filed_continuous: -3\n", encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        load_applicant(path, dictionary)
    assert [p.render().replace(str(tmp_path) + "/", "") for p in caught.value.problems] == [
        "a.yaml:2:8: $.applicant.age: expected a number (岁), got text 'abc'",
        "a.yaml:3:9: $.applicant.role: expected one of legal_representative, actual_controller, shareholder, other, got 'boss'",
        "a.yaml:4:1: $.taxx: unknown data source 'taxx' (did you mean 'tax'?)",
        "a.yaml:6:13: $.tax.paid_12m: money has at most 2 decimals (cents), got 1.234",
        "a.yaml:7:28: $.tax.months_filed_continuous: must be at least 0 (月), got -3",
    ]


def test_json_applicant_and_dates(tmp_path, dictionary):
    path = tmp_path / "a.json"
    path.write_text('{"id": 7, "enterprise": {"registered_on": "2019-03-15"}, "tax": {"paid_12m": 86500.50}}', encoding="utf-8")
    record = load_applicant(path, dictionary)
    assert record["$id"] == "7" and record["tax.paid_12m"] == Decimal("86500.50") and record["tax"] is True
    assert str(record["enterprise.registered_on"]) == "2019-03-15"
    path.write_text('{"enterprise": {"registered_on": "15/03/2019"}}', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"a.json:1:34: \$.enterprise.registered_on: expected an ISO date"):
        load_applicant(path, dictionary)
