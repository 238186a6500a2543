"""The YAML test-case runner: expectations compared field by field, errors located, coverage counted."""
from __future__ import annotations

from pathlib import Path

from engine.authoring.testing import coverage, render_coverage, render_results, run_file
from engine.authoring.validate import validate_catalog
from engine.catalog import Catalog
from engine.results.build import to_decision
from tests.fixtures import write_product

APPLICANT = """\
applicant: {customer_type: small_business_owner, age: 40}
tax: {grade: A, paid_12m: 30000.50}
credit_bureau: {loan_inquiries_3m: 2, current_overdue_amount: 0}
loan: {amount: 200000, term_months: 12}
"""

CASES = """\
product: mini
date: 2026-11-25
applicant: ../applicants/good.yaml
cases:
  - name: 通过
    expect: {decision: approve, reasons: [], limit: 200000, binding_cap: requested, rate_bp: 350, rate: "3.50%",
             monthly_payment: {term: 12, method: equal_installment, payment: 16984.33}}
  - name: 期望错误
    with: {tax.paid_12m: 100}
    expect: {decision: approve, limit: 200000}
  - name: 未知字段
    with: {tax.paid12m: 100}
    expect: {decision: approve}
  - name: 去掉全部司法数据
    with: {judicial.dishonest_debtor: null}
    expect: {decision: approve}
  - name: 查询过多
    with: {credit_bureau.loan_inquiries_3m: 9}
    expect: {decision: refer, reasons_include: [INQUIRIES], reasons_exclude: [PAID]}
"""


def run(pack: Path, cases: str = CASES, trace: bool = False):
    """The mini product with its test file; the applicant lives outside products/ (which holds only products)."""
    write_product(pack)
    (pack / "applicants").mkdir(exist_ok=True)
    (pack / "applicants" / "good.yaml").write_text(APPLICANT, encoding="utf-8")
    cases_file = pack / "products" / "mini.tests.yaml"
    cases_file.write_text(cases, encoding="utf-8")
    return run_file(Catalog(pack), cases_file, "products/mini.tests.yaml", trace=trace)


def test_results_compare_every_expected_field(pack):
    results = run(pack)
    assert [r.status for r in results] == ["pass", "fail", "error", "pass", "pass"]
    failed = results[1]
    assert failed.differences == [("decision", "approve", "decline"), ("limit", 200000, None)]
    assert results[2].error == ("products/mini.tests.yaml:12:12: $.cases[2].with.tax.paid12m: unknown field 'tax.paid12m' "
                                "(did you mean 'tax.paid_12m' or 'tax.paid_24m' or 'tax.grade'?)")
    text = render_results(results)
    assert "FAIL  products/mini.tests.yaml:8  期望错误  (mini)" in text
    assert "        decision: expected approve, got decline" in text and "        limit: expected 200000, got null" in text
    assert text.strip().endswith("3 passed, 1 failed, 1 errors")


def test_missing_date_is_an_error_naming_the_case(pack):
    results = run(pack, CASES.replace("date: 2026-11-25\n", ""))
    assert all(r.status == "error" and "no evaluation date" in r.error for r in results)


def test_coverage_counts_outcomes_and_lists_what_is_missing(pack):
    report = coverage(run(pack, trace=True))["mini"]
    assert report.rules["PAID"] == {"pass": 3, "fail": 1}
    assert report.rules["B_GRADE_REVIEW"] == {"not_applicable": 4}
    assert dict(report.rules_missing())["OVERDUE"] == ["fail"]
    assert report.rows == {"spread[0]": 3, "spread[1]": 0, "spread[2]": 0}
    assert report.decisions == {"approve": 2, "decline": 1, "refer": 1}
    text = render_coverage({"mini": report})
    assert "! OVERDUE" in text and "never fail" in text and "! spread[1]" in text and "never matched" in text


def test_pf_test_exits_1_when_a_case_fails(monkeypatch, capsys, pack):
    from tests.test_cli import pf

    run(pack)
    code, out, _ = pf(monkeypatch, capsys, "test", str(pack / "products" / "mini.tests.yaml"), "--pack", str(pack))
    assert code == 1 and "3 passed, 1 failed, 1 errors" in out


def test_cases_written_inside_the_product_file(pack):
    from tests.fixtures import MINI_PRODUCT

    (pack / "applicants").mkdir(exist_ok=True)
    (pack / "applicants" / "good.yaml").write_text(APPLICANT, encoding="utf-8")
    embedded = MINI_PRODUCT + """tests:
  date: 2026-11-25
  applicant: ../applicants/good.yaml
  cases:
    - name: 通过
      expect: {decision: approve, limit: 200000}
    - name: 查询过多
      with: {credit_bureau.loan_inquiries_3m: 9}
      expect: {decision: approve}
"""
    write_product(pack, embedded)
    catalog = Catalog(pack)
    assert validate_catalog(catalog)[1] == []
    results = run_file(catalog, pack / "products" / "mini.yaml", "products/mini.yaml")
    assert [(r.status, r.product) for r in results] == [("pass", "mini"), ("fail", "mini")]
    assert results[1].line == MINI_PRODUCT.count("\n") + 7 and results[1].differences == [("decision", "approve", "refer")]
    # the cases decide nothing: the content hash is the same as without them, and variants do not inherit them
    from engine.evaluate.interpreter import evaluate
    from tests.conftest import EVALUATION_DATE
    from tests.fixtures import good_applicant

    with_tests = to_decision(evaluate(catalog.compiled("mini", EVALUATION_DATE), good_applicant(), EVALUATION_DATE))
    write_product(pack, MINI_PRODUCT)
    without = to_decision(evaluate(Catalog(pack).compiled("mini", EVALUATION_DATE), good_applicant(), EVALUATION_DATE))
    assert with_tests.product.content_hash == without.product.content_hash
    write_product(pack, embedded)
    write_product(pack, 'code: mini-v\nname: 测试贷变体\nextends: mini\nversion: "1.0"\neffective: {from: 2025-06-01}\n', "mini-v.yaml")
    assert Catalog(pack).resolve(Catalog(pack).select("mini-v", EVALUATION_DATE), EVALUATION_DATE).doc.tests is None
