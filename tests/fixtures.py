"""A small product written for the tests, and helpers to write variants of it into a pack."""
from __future__ import annotations

from pathlib import Path

MINI_PRODUCT = """\
code: mini
name: 测试贷
version: "1.0"
effective: {from: 2025-01-01, to: 2027-12-31}
borrower: individual
customer_types: [small_business_owner]
data_sources: [applicant, tax, credit_bureau, judicial, loan]
params:
  min_paid: 10000
  multiplier: {A: 10, B: 5}
  lpr: 300
eligibility:
  - id: PAID
    rule: tax.paid_12m >= params.min_paid
    message: 纳税{tax.paid_12m}元低于{params.min_paid}元
    action: decline
  - id: INQUIRIES
    rule: credit_bureau.loan_inquiries_3m <= 6
    message: 查询{credit_bureau.loan_inquiries_3m}次
    action: refer
  - id: OVERDUE
    rule: credit_bureau.current_overdue_amount == 0
    message: 当前逾期
    action: refer
    on_missing: decline
  - id: B_GRADE_REVIEW
    when: tax.grade == 'B'
    rule: false
    message: B级人工审核
    action: refer
risk_controls:
  - id: judicial_when_large
    name: 大额司法核查
    when: loan.amount > 500000
    rulesets: [judicial]
tables:
  - id: spread
    hit_policy: first
    inputs: [tax.grade, loan.term_months]
    outputs: [bp]
    rows:
      - [A, "<= 12", 50]
      - [A, "(12, 36]", 80]
      - [B, "-", 120]
    no_match: {action: decline, message: "没有{tax.grade}级的定价"}
limit:
  caps:
    - {id: tax_multiple, label: 纳税倍数, value: "tax.paid_12m * params.multiplier[tax.grade]"}
    - {id: product_max, label: 产品上限, value: 1000000}
    - {id: requested, label: 申请金额, value: loan.amount, on_missing: skip}
  round_down_to: 10000
  min_amount: 50000
pricing:
  base_label: 1年期LPR
  base_bp: params.lpr
  spread_bp: tables.spread.bp
  adjustments:
    - {id: big, label: 大额优惠, when: "loan.amount >= 800000", bp: -20}
  floor_bp: 340
  cap_bp: 400
terms:
  months: [6, 12, 24, 36]
  max_months: (70 - applicant.age) * 12
repayment_methods:
  - method: interest_only
  - method: equal_installment
    when: loan.term_months > 12
"""


def write_product(pack: Path, text: str = MINI_PRODUCT, name: str = "mini.yaml") -> Path:
    path = pack / "products" / name
    path.write_text(text, encoding="utf-8")
    return path


def good_applicant() -> dict:
    """A flat record for the mini product that is approved."""
    from decimal import Decimal

    return {
        "applicant.customer_type": "small_business_owner",
        "applicant.age": 40,
        "tax.grade": "A",
        "tax.paid_12m": Decimal("30000.50"),
        "credit_bureau.loan_inquiries_3m": 2,
        "credit_bureau.current_overdue_amount": Decimal("0"),
        "loan.amount": Decimal("200000"),
        "loan.term_months": 12,
    }
