"""Decision semantics on a small product: outcomes, reasons, tables, limit, rate and terms."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.catalog import Catalog
from engine.evaluate.interpreter import evaluate
from engine.results.build import to_decision
from tests.conftest import EVALUATION_DATE
from tests.fixtures import good_applicant, write_product


@pytest.fixture
def mini(pack):
    write_product(pack)
    return Catalog(pack).compiled("mini")


def decide(product, changes: dict | None = None, remove: tuple[str, ...] = (), trace: bool = False):
    record = good_applicant()
    record.update(changes or {})
    for key in remove:
        record.pop(key)
    return to_decision(evaluate(product, record, EVALUATION_DATE, trace=trace))


def codes(decision) -> list[str]:
    return [f.code for f in decision.findings]


def test_approve_with_limit_rate_and_terms(mini):
    d = decide(mini)
    assert d.decision == "approve" and d.findings == []
    assert d.limit.amount == Decimal("200000") and d.limit.binding_cap == "requested"
    assert [(c.id, c.value, c.binding) for c in d.limit.caps] == [
        ("tax_multiple", Decimal("300005.00"), False), ("product_max", 1000000, False), ("requested", Decimal("200000"), True)]
    assert (d.rate.base_bp, d.rate.spread_bp, d.rate.final_bp, d.rate.final_percent, d.rate.bound_by) == (300, 50, 350, "3.50%", None)
    assert d.terms.months == [6, 12, 24, 36] and d.terms.max_months == 360
    assert d.terms.repayment_methods == ["interest_only"]


def test_hard_rule_failure_declines_and_reports_values(mini):
    d = decide(mini, {"tax.paid_12m": Decimal("7700")})
    assert d.decision == "decline" and codes(d) == ["PAID"]
    finding = d.findings[0]
    assert finding.message == "纳税7,700.00元低于10,000.00元"
    assert finding.inputs == {"tax.paid_12m": "7700"} and finding.outcome == "fail" and finding.action == "decline"
    assert d.limit is None and d.rate is None and d.terms is None  # nothing is offered on a decline


def test_every_failing_rule_is_reported_and_decline_beats_refer(mini):
    d = decide(mini, {"tax.paid_12m": Decimal("100"), "credit_bureau.loan_inquiries_3m": 9, "applicant.customer_type": "farmer"})
    assert d.decision == "decline"
    assert codes(d) == ["CUSTOMER_TYPE", "PAID", "INQUIRIES"]
    assert [f.action for f in d.findings] == ["decline", "decline", "refer"]


def test_soft_rule_failure_refers(mini):
    d = decide(mini, {"credit_bureau.loan_inquiries_3m": 7})
    assert d.decision == "refer" and codes(d) == ["INQUIRIES"] and d.findings[0].message == "查询7次"
    assert d.limit.amount == Decimal("200000")  # a referred case still shows its offer


def test_missing_data_is_unknown_and_refers_by_default(mini):
    d = decide(mini, remove=("credit_bureau.loan_inquiries_3m",))
    assert d.decision == "refer"
    assert [(f.code, f.outcome, f.missing) for f in d.findings] == [("INQUIRIES", "unknown", ["credit_bureau.loan_inquiries_3m"])]


def test_on_missing_decline(mini):
    d = decide(mini, remove=("credit_bureau.current_overdue_amount",))
    assert d.decision == "decline" and codes(d) == ["OVERDUE"] and d.findings[0].outcome == "unknown"


def test_guarded_rule_applies_only_when_its_guard_holds(mini):
    assert codes(decide(mini, {"tax.grade": "B"})) == ["B_GRADE_REVIEW"]
    d = decide(mini, remove=("tax.grade",))
    # guard unknown -> the rule is unknown; the table and the grade multiplier are unknown too
    assert "B_GRADE_REVIEW" in codes(d) and d.decision == "refer"


def test_combination_applies_by_condition(mini):
    assert decide(mini, {"judicial.dishonest_debtor": True}).decision == "approve"  # 200,000: not applied
    d = decide(mini, {"loan.amount": Decimal("600000"), "judicial.dishonest_debtor": True,
                      "judicial.pending_defendant_amount": 0, "judicial.enforcement_cases_24m": 0,
                      "judicial.criminal_record": False})
    assert d.decision == "decline" and codes(d) == ["JU_DISHONEST_DEBTOR"]
    assert d.findings[0].source == "ruleset:judicial" and d.findings[0].combination == "judicial_when_large"


def test_combination_with_unknown_condition_is_applied(mini):
    d = decide(mini, remove=("loan.amount",))
    assert {"JU_DISHONEST_DEBTOR", "JU_PENDING_DEFENDANT", "JU_ENFORCEMENT", "JU_CRIMINAL_RECORD"} <= set(codes(d))


def test_table_rows_first_hit_intervals_and_no_match(mini):
    assert decide(mini, {"loan.term_months": 24}).rate.spread_bp == 80
    assert decide(mini, {"loan.term_months": 36}).rate.spread_bp == 80
    d = decide(mini, {"loan.term_months": 48})
    assert d.decision == "decline" and codes(d) == ["NO_MATCH_SPREAD"] and d.findings[0].message == "没有A级的定价"


def test_tables_only_pricing_reads_wait_for_the_rules(mini):
    # A declined applicant is told why, not also that no price row matched.
    assert [t.id for t in mini.late_tables] == ["spread"] and mini.early_tables == ()
    d = decide(mini, {"tax.paid_12m": Decimal("100"), "loan.term_months": 48})
    assert codes(d) == ["PAID"]


def test_rate_adjustment_and_floor(mini):
    d = decide(mini, {"loan.amount": Decimal("900000"), "tax.paid_12m": Decimal("100000")})
    assert [(a.id, a.bp) for a in d.rate.adjustments] == [("big", -20)]
    # 300 + 50 - 20 = 330 is under the 340 floor
    assert (d.rate.final_bp, d.rate.bound_by, d.rate.floor_bp) == (340, "floor", 340)


def test_rate_cap_binds(mini):
    d = decide(mini, {"tax.grade": "B", "loan.term_months": 12})
    assert (d.rate.spread_bp, d.rate.final_bp, d.rate.bound_by) == (120, 400, "cap")


def test_limit_rounds_down_and_names_binding_cap(mini):
    d = decide(mini, {"tax.paid_12m": Decimal("12345.67"), "loan.amount": Decimal("900000")})
    assert d.limit.binding_cap == "tax_multiple"
    assert d.limit.uncapped == Decimal("123456.70") and d.limit.amount == Decimal("120000")


def test_limit_below_minimum_declines(mini):
    d = decide(mini, {"tax.paid_12m": Decimal("10000"), "tax.grade": "B", "loan.amount": Decimal("40000")})
    assert d.decision == "decline" and "LIMIT_BELOW_MINIMUM" in codes(d)


def test_skipped_cap_versus_unknown_cap(mini):
    d = decide(mini, remove=("loan.amount",))
    requested = next(c for c in d.limit.caps if c.id == "requested")
    assert requested.outcome == "skipped" and d.limit.binding_cap == "tax_multiple"
    d = decide(mini, {"tax.grade": "B"}, remove=("tax.paid_12m",))
    assert "LIMIT_CAP_UNKNOWN_TAX_MULTIPLE" in codes(d) and d.decision == "refer"
    assert d.limit is None  # the other caps alone would overstate it


def test_terms_cut_by_age_at_maturity(mini):
    d = decide(mini, {"applicant.age": 68})
    assert d.terms.months == [6, 12, 24] and d.terms.max_months == 24
    d = decide(mini, {"applicant.age": 70})
    assert d.decision == "decline" and codes(d) == ["NO_ELIGIBLE_TERM"]


def test_repayment_method_by_condition(mini):
    assert decide(mini, {"loan.term_months": 24}).terms.repayment_methods == ["interest_only", "equal_installment"]


def test_trace_lists_every_step_in_order_and_agrees_with_fast_path(mini):
    fast = decide(mini, {"credit_bureau.loan_inquiries_3m": 8})
    traced = decide(mini, {"credit_bureau.loan_inquiries_3m": 8}, trace=True)
    assert traced.model_dump(exclude={"trace"}) == fast.model_dump(exclude={"trace"})
    steps = [(s.kind, s.id, s.outcome) for s in traced.trace]
    assert steps[:2] == [("rule", "CUSTOMER_TYPE", "pass"), ("rule", "PAID", "pass")]
    assert ("table_row", "spread[0]", "match") in steps and ("table", "spread", "row 0") in steps
    assert ("rule", "INQUIRIES", "fail") in steps and ("rule", "B_GRADE_REVIEW", "not_applicable") in steps
    assert ("combination", "judicial_when_large", "not_applicable") in steps
    assert [s.order for s in traced.trace] == list(range(1, len(steps) + 1))
    inquiries = next(s for s in traced.trace if s.id == "INQUIRIES")
    assert inquiries.inputs == {"credit_bureau.loan_inquiries_3m": 8}


def test_a_guard_that_cannot_be_decided_passes_a_rule_that_holds_either_way(pack):
    from tests.fixtures import MINI_PRODUCT

    text = MINI_PRODUCT.replace("    when: tax.grade == 'B'\n    rule: false", "    when: tax.grade == 'B'\n    rule: credit_bureau.loan_inquiries_3m <= 3")
    write_product(pack, text)
    product = Catalog(pack).compiled("mini")
    for trace in (False, True):
        # grade unknown, the check holds: "when B, at most 3 inquiries" holds whatever the grade is
        assert "B_GRADE_REVIEW" not in codes(decide(product, remove=("tax.grade",), trace=trace))
        d = decide(product, {"credit_bureau.loan_inquiries_3m": 5}, remove=("tax.grade",), trace=trace)
        finding = next(f for f in d.findings if f.code == "B_GRADE_REVIEW")
        assert finding.outcome == "unknown" and finding.action == "refer"
        assert [f.code for f in decide(product, {"tax.grade": "A", "credit_bureau.loan_inquiries_3m": 5}, trace=trace).findings] == []
