"""Offers, fees and the APR: what a customer is shown, exact to the cent, and `pf evaluate --offers` and
`pf schedule PRODUCT APPLICANT` as a user runs them."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings, strategies as st

from engine.catalog import Catalog
from engine.core.errors import ExpressionError
from engine.core.money import bp_to_rate
from engine.documents.applicant import load_applicant
from engine.finance.apr import annual_percentage_rate
from engine.finance.schedules import build_schedule
from engine.results.offers import Request, build_offers, make_offer
from tests.conftest import EVALUATION_DATE, ROOT
from tests.test_cli import pf

D = Decimal
EXAMPLES = ROOT / "examples" / "applicants"
DAY = "2026-11-25"

FEE_PRODUCT = """\
code: feed
name: 收费测试贷
version: "1.0"
effective: {from: 2025-01-01, to: 2027-12-31}
borrower: individual
customer_types: [small_business_owner]
data_sources: [applicant, property, loan]
limit:
  caps:
    - {id: asked, label: 申请金额, value: loan.amount}
  round_down_to: 1000
  min_amount: 10000
pricing:
  base_label: 1年期LPR
  base_bp: 300
  spread_bp: 50
  fees: FEES
terms:
  months: [6, 12, 24]
repayment_methods:
  - method: equal_installment
  - method: interest_only
    when: loan.term_months <= 12
"""
FEES = """
    - {id: arrangement, label: 手续费, kind: one_off, rate: 0.01, collected: deducted}
    - {id: notary, label: 公证费, kind: one_off, amount: 500}
    - {id: service, label: 账户管理费, kind: periodic, rate: 0.001}
    - {id: guarantee, label: 担保费, kind: periodic, rate: 0.0005, basis: balance, when: "loan.channel == 'counter'"}
    - {id: appraisal, label: 评估费, kind: one_off, amount: "property.valuation * 0.001", when: has(property)}
"""
ASK = {"applicant.customer_type": "small_business_owner", "loan": True, "loan.amount": D("100000"), "loan.channel": "mobile_banking"}


def fee_product(pack, fees: str = FEES):
    (pack / "products" / "feed.yaml").write_text(FEE_PRODUCT.replace("FEES", fees), encoding="utf-8")
    return Catalog(pack).compiled("feed", EVALUATION_DATE)


def example(catalog, file_name: str) -> dict:
    return load_applicant(EXAMPLES / file_name, catalog.dictionary)


# ---------------------------------------------------------------- fees and the APR


def test_fees_are_charged_exactly_and_raise_the_apr(pack):
    offer = make_offer(fee_product(pack), ASK, EVALUATION_DATE, Request(None, 12, "equal_installment"))
    assert (offer.amount, offer.rate_bp, offer.term_months) == (D("100000"), 350, 12)
    assert [(f.id, f.collected, f.first, f.total, f.condition) for f in offer.fees] == [
        ("arrangement", "deducted", D("1000.00"), D("1000.00"), "applies"),
        ("notary", "upfront", D("500.00"), D("500.00"), "applies"),
        ("service", "with_installment", D("100.00"), D("1200.00"), "applies")]
    schedule = build_schedule(D("100000"), bp_to_rate(350), 12, "equal_installment")
    assert abs(float(schedule.periods[0].payment) - npf.pmt(0.035 / 12, 12, -100000)) < 0.005
    assert offer.first_payment == schedule.periods[0].payment + D("100") == D("8592.16")
    assert offer.total_interest == schedule.total_interest and offer.total_fees == D("2700.00")
    assert (offer.upfront_fees, offer.deducted_fees, offer.net_disbursed) == (D("500.00"), D("1000.00"), D("99000"))
    assert offer.total_payment == schedule.total_payment + D("2700.00")
    assert sum(p.principal for p in offer.schedule) == offer.amount
    assert all(p.total_due == p.payment + p.fee for p in offer.schedule)
    # The APR: IRR of receiving 98,500 and paying each installment plus its fee; numpy-financial as the reference.
    flows = [98500.0] + [-float(p.total_due) for p in offer.schedule]
    reference = npf.irr(flows) * 12
    assert offer.apr_bp > offer.rate_bp and abs(offer.apr_bp - round(reference * 10000)) <= 0
    assert offer.apr_percent == f"{offer.apr_bp // 100}.{offer.apr_bp % 100:02d}%"


def test_fee_on_the_balance_and_a_condition_that_cannot_be_decided(pack):
    product = fee_product(pack)
    counter = make_offer(product, {**ASK, "loan.channel": "counter"}, EVALUATION_DATE, Request(None, 6, "interest_only"))
    guarantee = next(f for f in counter.fees if f.id == "guarantee")
    assert guarantee.first == D("50.00") and guarantee.total == D("300.00")  # interest-only: the balance stays 100,000
    amortised = make_offer(product, {**ASK, "loan.channel": "counter"}, EVALUATION_DATE, Request(None, 6, "equal_installment"))
    fees = [p.fee - D("100.00") for p in amortised.schedule]  # the guarantee fee per period, on the opening balance
    balances = [D("100000")] + [p.balance for p in amortised.schedule[:-1]]
    assert fees == [(b * D("0.0005")).quantize(D("0.01")) for b in balances] and fees[0] > fees[-1]
    unknown = make_offer(product, {**ASK, "loan.channel": None}, EVALUATION_DATE, Request(None, 6, "interest_only"))
    assert next(f for f in unknown.fees if f.id == "guarantee").condition == "unknown_charged"  # never understate the cost


def test_a_fee_that_cannot_be_computed_makes_the_offer_unavailable(pack):
    product = fee_product(pack)
    result = build_offers(product, {**ASK, "property": True}, EVALUATION_DATE, Request(None, 12, "equal_installment"))
    assert result.offers == [] and result.unavailable[0].reason == "费用“评估费”缺少数据,无法计算"
    ok = build_offers(product, {**ASK, "property": True, "property.valuation": D("1500000")}, EVALUATION_DATE,
                      Request(None, 12, "equal_installment"))
    assert next(f for f in ok.offers[0].fees if f.id == "appraisal").total == D("1500.00")


def test_fee_documents_are_checked(pack):
    with pytest.raises(Exception, match="a fee needs exactly one of 'amount'"):
        fee_product(pack, "\n    - {id: x, label: 费, kind: one_off}\n")
    with pytest.raises(Exception, match="'collected' is only for a one-off fee"):
        fee_product(pack, "\n    - {id: x, label: 费, kind: periodic, rate: 0.001, collected: deducted}\n")
    with pytest.raises(ExpressionError, match="unknown field 'loan.amont'"):
        fee_product(pack, "\n    - {id: x, label: 费, kind: one_off, amount: loan.amont}\n")


def test_apr_equals_the_nominal_rate_without_fees_for_every_builtin_offer(catalog):
    seen = 0
    for file_name in ("fangdidai-xw-approve.yaml", "shuiqitong-xw-approve.yaml", "shuiqitong-zz-approve.yaml",
                      "yangguang-e-xw-approve.yaml", "yiqitong-approve.json", "shuiqitong-xw-refer.yaml"):
        code = file_name.rsplit("-", 1)[0]
        record = example(catalog, file_name)
        record.pop("loan.term_months", None)  # every allowed term
        for offer in build_offers(catalog.compiled(code, EVALUATION_DATE), record, EVALUATION_DATE).offers:
            assert offer.fees == [] and offer.apr_bp == offer.rate_bp and offer.apr_percent == offer.rate_percent
            seen += 1
    assert seen >= 20


@settings(max_examples=80, deadline=None)
@given(cents=st.integers(1_000_000, 1_000_000_000), rate_bp=st.integers(100, 2400), term=st.integers(1, 360),
       method=st.sampled_from(["equal_installment", "equal_principal", "interest_only", "on_demand"]))
def test_property_apr_is_nominal_without_fees(cents, rate_bp, term, method):
    """From 10,000 yuan up, the cent rounding of interest moves the IRR by far less than half a basis point."""
    schedule = build_schedule(D(cents).scaleb(-2), bp_to_rate(rate_bp), term, method)
    apr = annual_percentage_rate(schedule.principal, [p.payment for p in schedule.periods])
    assert (apr * 10000).quantize(D(1)) == rate_bp


def test_fast_period_rows_equal_validated_ones():
    from datetime import date

    from engine.results.offer_models import OfferPeriod
    from engine.results.offers import period_row

    fast = period_row(3, date(2027, 2, 28), D("5307.27"), D("1223.94"), D("4083.33"), D("12.00"), D("998776.06"))
    slow = OfferPeriod(period=3, due_date=date(2027, 2, 28), payment=D("5307.27"), principal=D("1223.94"),
                       interest=D("4083.33"), fee=D("12.00"), total_due=D("5319.27"), balance=D("998776.06"))
    assert fast == slow and fast.model_dump_json() == slow.model_dump_json() and fast.model_fields_set == slow.model_fields_set
    assert hash(fast) == hash(slow) and fast.model_copy(update={"fee": D("0")}).fee == 0


# ---------------------------------------------------------------- which offers


def test_offers_for_every_allowed_term_priced_at_that_term(catalog):
    record = example(catalog, "fangdidai-xw-approve.yaml")
    record.pop("loan.term_months")
    result = build_offers(catalog.compiled("fangdidai-xw", EVALUATION_DATE), record, EVALUATION_DATE)
    got = [(o.term_months, o.method, o.rate_bp) for o in result.offers]
    # the spread table prices residential 12 / 24 / 36 months at 40 / 60 / 80 bp; on_demand only up to 12 months
    assert got == [(12, "interest_only", 330), (12, "on_demand", 330), (12, "equal_installment", 330), (12, "equal_principal", 330),
                   (24, "interest_only", 350), (24, "equal_installment", 350), (24, "equal_principal", 350),
                   (36, "interest_only", 370), (36, "equal_installment", 370), (36, "equal_principal", 370)]
    assert result.unavailable == [] and {o.amount for o in result.offers} == {D("1640000")}
    first = result.offers[2]
    assert first.first_payment == D("139121.88") and first.schedule[-1].balance == 0


def test_requested_term_and_method_and_what_is_not_offered(catalog):
    product = catalog.compiled("fangdidai-xw", EVALUATION_DATE)
    record = example(catalog, "fangdidai-xw-approve.yaml")  # asked for 36 months
    result = build_offers(product, record, EVALUATION_DATE)
    assert [(o.term_months, o.method) for o in result.offers] == [(36, "interest_only"), (36, "equal_installment"), (36, "equal_principal")]
    result = build_offers(product, record, EVALUATION_DATE, Request(term=36, method="on_demand"))
    assert result.offers == [] and result.unavailable[0].reason.startswith("repayment method on_demand is not allowed at 36 months")
    result = build_offers(product, record, EVALUATION_DATE, Request(term=48))
    assert result.unavailable[0].reason == "term 48 months is not allowed (allowed: 12, 24, 36 months)"
    result = build_offers(product, record, EVALUATION_DATE, Request(amount=D("2000000"), term=12, method="interest_only"))
    assert result.unavailable[0].reason == "amount 2,000,000.00 exceeds the limit 1,640,000.00"
    result = build_offers(product, record, EVALUATION_DATE, Request(amount=D("40000"), term=12, method="interest_only"))
    assert result.unavailable[0].reason == "amount 40,000.00 is below the product minimum 50,000.00"
    declined = build_offers(product, example(catalog, "fangdidai-xw-decline.yaml"), EVALUATION_DATE)
    assert declined.offers == [] and declined.unavailable[0].reason == "the applicant is declined (SPOUSE_CONSENT)"


def test_an_offer_is_priced_at_its_own_amount(catalog):
    product = catalog.compiled("shuiqitong-zz", EVALUATION_DATE)
    record = example(catalog, "shuiqitong-zz-approve.yaml")
    record["enterprise.total_credit_at_bank"] = D("6000000")
    record["loan.amount"] = D("5000000")  # 6,000,000 + 5,000,000 > 10,000,000: not inclusive as asked
    decision_rate = build_offers(product, record, EVALUATION_DATE, Request(amount=D("5000000"), term=12, method="interest_only"))
    assert decision_rate.offers == [] and "exceeds the limit 3,360,000.00" in decision_rate.unavailable[0].reason
    offer = build_offers(product, record, EVALUATION_DATE, Request(term=12, method="interest_only")).offers[0]
    # offered at the limit 3,360,000: 6,000,000 + 3,360,000 is inclusive, so the -15 bp discount applies
    from engine.evaluate.interpreter import evaluate

    assert evaluate(product, record, EVALUATION_DATE).rate.final == offer.rate_bp + 15
    assert offer.amount == D("3360000")


def test_offers_follow_an_affordability_limit_per_term(pack):
    from tests.test_limits import AFFORD_CAP, CASH, compiled, product_text

    product = compiled(pack, product_text(AFFORD_CAP.replace("STRESS", "")))
    record = {**CASH, "applicant.customer_type": "small_business_owner"}
    record.pop("loan.term_months")
    result = build_offers(product, record, EVALUATION_DATE, Request(method="equal_installment"))
    limits = [(o.term_months, o.limit) for o in result.offers]
    assert [t for t, _ in limits] == [6, 12, 24, 36] and [l for _, l in limits] == sorted(l for _, l in limits)
    for offer in result.offers:  # each offer's installment fits the cash flow at its own term
        assert offer.largest_payment <= D("7000") and offer.amount == offer.limit


# ---------------------------------------------------------------- the command line


def test_evaluate_with_offers_table_and_json(monkeypatch, capsys):
    example_file = str(EXAMPLES / "shuiqitong-xw-approve.yaml")
    code, out, err = pf(monkeypatch, capsys, "evaluate", "shuiqitong-xw", example_file, "--date", DAY, "--offers")
    assert code == 0 and err == "" and "报价 Offers" in out
    row = next(line for line in out.splitlines() if line.startswith("  12个月  equal_installment"))
    assert row.split() == ["12个月", "equal_installment", "等额本息", "770,000.00", "3.55%", "3.55%", "65,407.22", "14,886.65",
                           "0.00", "784,886.65", "approve"]
    code, out, _ = pf(monkeypatch, capsys, "evaluate", "shuiqitong-xw", example_file, "--date", DAY, "--offers", "--format", "json")
    data = json.loads(out)["offers"]
    assert code == 0 and [o["method"] for o in data["offers"]] == ["interest_only", "on_demand", "equal_installment"]
    offer = data["offers"][2]
    assert (offer["amount"], offer["first_payment"], offer["rate_bp"], offer["apr_percent"]) == ("770000.00", "65407.22", 355, "3.55%")
    assert offer["total_payment"] == "784886.65" and offer["schedule"][0]["total_due"] == "65407.22" and len(offer["schedule"]) == 12
    # one offer asked for: its schedule is printed too
    code, out, _ = pf(monkeypatch, capsys, "evaluate", "shuiqitong-xw", example_file, "--date", DAY, "--offers",
                      "--method", "等额本息", "--amount", "500,000")
    assert code == 0 and "合计 Total  509,666.67  500,000.00  9,666.67  0.00  509,666.67" in out
    code, out, _ = pf(monkeypatch, capsys, "evaluate", "shuiqitong-xw", example_file, "--date", DAY, "--format", "json")
    assert json.loads(out)["offers"] is None  # no --offers, no offers


def test_product_schedule_table_json_and_csv(monkeypatch, capsys):
    example_file = str(EXAMPLES / "fangdidai-xw-approve.yaml")
    code, out, err = pf(monkeypatch, capsys, "schedule", "fangdidai-xw", example_file, "--date", DAY, "--method", "等额本金")
    assert code == 0 and err == ""
    assert out.splitlines()[1] == "决策 Decision: APPROVE 通过"
    assert "等额本金 equal_principal | 本金 Amount 1,640,000.00 (limit 1,640,000.00) | 期限 Term 36 个月" in out
    assert "1              50,612.23     45,555.56   5,056.67  0.00     50,612.23  1,594,444.44" in out
    code, out, _ = pf(monkeypatch, capsys, "schedule", "fangdidai-xw", example_file, "--date", DAY, "--method", "equal-installment",
                      "--term", "12", "--amount", "1000000", "--start", "2026-12-01", "--format", "json")
    data = json.loads(out)
    offer = data["offer"]
    assert code == 0 and data["product"]["code"] == "fangdidai-xw" and data["applicant_id"] == "FDD-XW-0001"
    assert (offer["amount"], offer["term_months"], offer["rate_bp"], offer["limit"]) == ("1000000.00", 12, 330, "1640000.00")
    assert offer["schedule"][0]["due_date"] == "2027-01-01" and offer["schedule"][-1]["balance"] == "0.00"
    assert sum(D(p["principal"]) for p in offer["schedule"]) == D("1000000")
    assert all(len(p["payment"].split(".")[1]) == 2 for p in offer["schedule"])
    code, out, _ = pf(monkeypatch, capsys, "schedule", "fangdidai-xw", example_file, "--date", DAY, "--method", "interest-only",
                      "--term", "12", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == "period,due_date,payment,principal,interest,fee,total_due,balance".split(",")
    assert rows[1] == ["1", "", "4510.00", "0.00", "4510.00", "0.00", "4510.00", "1640000.00"] and len(rows) == 13


def test_product_schedule_of_a_referred_applicant_says_so(monkeypatch, capsys):
    code, out, _ = pf(monkeypatch, capsys, "schedule", "fangdidai-xw", str(EXAMPLES / "fangdidai-xw-refer.yaml"), "--date", DAY,
                      "--method", "interest_only")
    assert code == 0 and "REFER 转人工审核   (须人工审核后方可放款 subject to manual review)" in out


@pytest.mark.parametrize("args, message", [
    (["--method", "on_demand"], "no offer for 36 months, on_demand: repayment method on_demand is not allowed at 36 months "
                                "(allowed: interest_only 按月付息到期还本, equal_installment 等额本息, equal_principal 等额本金)"),
    (["--method", "interest_only", "--term", "48"], "term 48 months is not allowed (allowed: 12, 24, 36 months)"),
    (["--method", "interest_only", "--amount", "2000000"], "amount 2,000,000.00 exceeds the limit 1,640,000.00"),
    (["--method", "interest_only", "--amount", "12.345"], "--amount: '12.345' must be a positive amount in yuan with at most 2 decimals"),
    (["--method", "balloon"], "--method: unknown repayment method 'balloon'"),
    ([], "--method is required: the applicant did not ask for one (allowed at 36 months: interest_only 按月付息到期还本"),
    (["--method", "interest_only", "--rate", "4.9"], "--rate cannot be given with PRODUCT"),
])
def test_product_schedule_errors_exit_2_naming_what_is_allowed(monkeypatch, capsys, args, message):
    code, out, err = pf(monkeypatch, capsys, "schedule", "fangdidai-xw", str(EXAMPLES / "fangdidai-xw-approve.yaml"), "--date", DAY, *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_schedule_usage_errors(monkeypatch, capsys):
    code, _, err = pf(monkeypatch, capsys, "schedule", "fangdidai-xw", str(EXAMPLES / "fangdidai-xw-decline.yaml"), "--date", DAY,
                      "--method", "interest_only")
    assert code == 2 and "no offer: the applicant is declined by fangdidai-xw (SPOUSE_CONSENT)" in err
    code, _, err = pf(monkeypatch, capsys, "schedule", "fangdidai-xw")
    assert code == 2 and "missing APPLICANT" in err
    code, _, err = pf(monkeypatch, capsys, "schedule", "--amount", "1000", "--term", "12")
    assert code == 2 and "missing --rate" in err
    code, _, err = pf(monkeypatch, capsys, "evaluate", "fangdidai-xw", str(EXAMPLES / "fangdidai-xw-approve.yaml"), "--date", DAY,
                      "--term", "12")
    assert code == 2 and "add --offers" in err
