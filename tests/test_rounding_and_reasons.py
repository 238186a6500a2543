"""Money rounded once (APR, fractional basis points) on every backend, and the reason a rule gives when its
data is missing."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from engine.api import evaluate_frame
from engine.catalog import Catalog
from engine.evaluate.interpreter import evaluate
from engine.finance.apr import annual_percentage_rate, apr_basis_points
from engine.finance.schedules import build_schedule
from engine.results.build import to_decision
from tests.conftest import EVALUATION_DATE
from tests.fixtures import MINI_PRODUCT, good_applicant, write_product


def test_apr_is_rounded_once_to_whole_basis_points():
    """100,000 at 4.90 %, 12 months interest-only, an upfront fee of 14.64: 12 x monthly IRR is 491.4993 bp."""
    schedule = build_schedule(Decimal(100000), Decimal("0.049"), 12, "interest_only", date(2026, 1, 1))
    payments = [p.payment for p in schedule.periods]
    received = Decimal(100000) - Decimal("14.64")
    assert annual_percentage_rate(received, payments) == Decimal("0.049150")  # the 0.0001 % figure rounds up ...
    assert apr_basis_points(received, payments) == 491  # ... but the basis points come from the unrounded rate


@pytest.mark.parametrize("base, spread, final", [("300.5", "0.5", 301), ("300.4", "0.4", 301), ("300.2", "0.2", 300)])
def test_fractional_basis_points_are_added_then_rounded_once(pack, base, spread, final):
    text = MINI_PRODUCT.replace("  lpr: 300\n", f"  lpr: {base}\n").replace("      - [A, \"<= 12\", 50]", f"      - [A, \"<= 12\", {spread}]")
    text = text.replace("  floor_bp: 340", "  floor_bp: 300")
    write_product(pack, text)
    product = Catalog(pack).compiled("mini")
    row = to_decision(evaluate(product, good_applicant(), EVALUATION_DATE))
    assert row.rate.final_bp == final
    frame = pl.DataFrame({k: [str(v)] for k, v in good_applicant().items()})
    columnar = evaluate_frame(Catalog(pack), "mini", frame, EVALUATION_DATE)
    assert columnar["rate_bp"].to_list() == [final]


def test_an_unknown_rule_names_the_missing_data_instead_of_its_fail_message(pack):
    write_product(pack)
    product = Catalog(pack).compiled("mini")
    record = good_applicant()
    del record["credit_bureau.loan_inquiries_3m"]
    d = to_decision(evaluate(product, record, EVALUATION_DATE))
    finding = next(f for f in d.findings if f.code == "INQUIRIES")
    assert (finding.outcome, finding.message) == ("unknown", "缺少数据: 近3个月贷款审批、信用卡审批查询次数")
    assert finding.missing == ["credit_bureau.loan_inquiries_3m"]
    record["credit_bureau.loan_inquiries_3m"] = 9
    failed = next(f for f in to_decision(evaluate(product, record, EVALUATION_DATE)).findings if f.code == "INQUIRIES")
    assert failed.message == "查询9次"


def test_a_rule_may_say_what_missing_data_means(pack):
    write_product(pack, MINI_PRODUCT.replace("    message: 查询{credit_bureau.loan_inquiries_3m}次\n",
                                             "    message: 查询{credit_bureau.loan_inquiries_3m}次\n"
                                             "    message_missing: 征信查询记录缺失(申请人{applicant.age}岁),需补充\n"))
    product = Catalog(pack).compiled("mini")
    record = good_applicant()
    del record["credit_bureau.loan_inquiries_3m"]
    finding = next(f for f in to_decision(evaluate(product, record, EVALUATION_DATE)).findings if f.code == "INQUIRIES")
    assert finding.message == "征信查询记录缺失(申请人40岁),需补充"
