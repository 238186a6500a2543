"""decide_draw: every built-in and declared check at and around its boundary, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from engine.catalog import Catalog
from engine.drawdown import DrawRequest, ExposureView, LineView, PoolView, decide_draw
from tests.conftest import ROOT

LUZHOU = ROOT / "examples" / "packs" / "luzhou-bank"
ON = date(2026, 3, 2)
CLEAN = {"blacklisted": False, "risk_warning": False, "overdue": False}
LOW = ExposureView(customer_total=Decimal("2000000.00"), enterprise_total=Decimal("0.00"))


@pytest.fixture(scope="module")
def luzhou() -> Catalog:
    return Catalog(packs=[LUZHOU])


def line(product: str = "yiqitong", **changes: Any) -> LineView:
    base: dict[str, Any] = dict(
        line_id="L1", customer_id="C1", enterprise_id="E1", borrower_name="示例商贸有限公司",
        product_code=product, product_version="1.0", state="active", limit=Decimal("1000000.00"),
        outstanding=Decimal("400000.00"), available=Decimal("600000.00"), drawn_total=Decimal("400000.00"),
        draws_count=2, revolving=True, valid_from=date(2026, 1, 1), valid_to=date(2027, 12, 31),
        maturity=date(2028, 12, 31), rate_bp=420)
    base.update(changes)
    return LineView(**base)


def draw(amount: str, term: int = 6, on: date = ON, **changes: Any) -> DrawRequest:
    return DrawRequest(amount=Decimal(amount), term_months=term, on=on, **changes)


def codes(decision: Any) -> list[str]:
    return [r.code for r in decision.reasons]


def test_balance_control_at_the_cent(catalog: Catalog) -> None:
    small = line(limit=Decimal("2000000.00"), outstanding=Decimal("1400000.00"))
    ok = decide_draw(catalog, small, draw("600000.00"), applicant=CLEAN)
    assert ok.decision == "approve" and ok.reasons == []
    over = decide_draw(catalog, small, draw("600000.01"), applicant=CLEAN)
    assert over.decision == "decline" and codes(over) == ["DR_BALANCE"]
    assert over.reasons[0].values["available"] == "600000.00"
    assert "600000.01" in over.reasons[0].message


@pytest.mark.parametrize("state", ["frozen", "expired", "closed"])
def test_a_line_not_active_refuses(catalog: Catalog, state: str) -> None:
    result = decide_draw(catalog, line(state=state), draw("10000.00"), applicant=CLEAN)
    assert result.decision == "decline" and codes(result) == [f"DR_{state.upper()}"]


@pytest.mark.parametrize(("on", "ok"), [(date(2025, 12, 31), False), (date(2026, 1, 1), True),
                                        (date(2027, 12, 31), True), (date(2028, 1, 1), False)])
def test_within_validity(catalog: Catalog, on: date, ok: bool) -> None:
    result = decide_draw(catalog, line(maturity=date(2030, 1, 1)), draw("10000.00", on=on), applicant=CLEAN)
    assert (result.decision == "approve") is ok
    assert ok or codes(result) == ["DR_VALIDITY"]


def test_draw_term_within_line_maturity(catalog: Catalog) -> None:
    at = line(maturity=date(2026, 9, 2))
    assert decide_draw(catalog, at, draw("10000.00", term=6), applicant=CLEAN).decision == "approve"
    late = decide_draw(catalog, at, draw("10000.00", term=7), applicant=CLEAN)
    assert codes(late) == ["DR_MATURITY"] and late.reasons[0].values["due"] == "2026-10-02"


def test_yiqitong_single_draw_term_and_minimum(catalog: Catalog) -> None:
    assert decide_draw(catalog, line(), draw("10000.00", term=12), applicant=CLEAN).decision == "approve"
    assert codes(decide_draw(catalog, line(), draw("10000.00", term=13), applicant=CLEAN)) == ["DR_MAX_TERM"]
    assert codes(decide_draw(catalog, line(), draw("9999.99"), applicant=CLEAN)) == ["DR_MIN_AMOUNT"]


def test_missing_fresh_data_takes_the_products_action(catalog: Catalog) -> None:
    referred = decide_draw(catalog, line(), draw("10000.00"), applicant={})
    assert referred.decision == "refer" and codes(referred) == ["DR_RECHECK_RISK_WARNING"]
    assert referred.reasons[0].kind == "unknown"
    warned = decide_draw(catalog, line(), draw("10000.00"), applicant={"risk_warning": True})
    assert warned.decision == "decline"
    declined = decide_draw(catalog, line("yangguang-e-xw"), draw("10000.00"), applicant={})
    assert declined.decision == "decline" and codes(declined) == ["DR_RECHECK_OVERDUE"]


def test_entrusted_payment_above_the_threshold(catalog: Catalog) -> None:
    big = line("fangdidai-xw", limit=Decimal("2000000.00"), available=Decimal("1600000.00"))
    at = decide_draw(catalog, big, draw("500000.00"), applicant=CLEAN, exposure=LOW)
    assert at.decision == "approve" and not at.entrusted_payment
    above = decide_draw(catalog, big, draw("500000.01"), applicant=CLEAN, exposure=LOW)
    assert above.entrusted_payment and codes(above) == ["DR_ENTRUSTED_PAYEE"]
    to_self = decide_draw(catalog, big, draw("500000.01", payee="示例商贸有限公司"), applicant=CLEAN, exposure=LOW)
    assert codes(to_self) == ["DR_PAYEE_BORROWER"]
    paid = decide_draw(catalog, big, draw("500000.01", payee="示例建材有限公司"), applicant=CLEAN, exposure=LOW)
    assert paid.decision == "approve" and paid.entrusted_payment


def test_exposure_cap_at_draw(catalog: Catalog) -> None:
    big = line("fangdidai-xw", limit=Decimal("2000000.00"), available=Decimal("1600000.00"))
    ok = decide_draw(catalog, big, draw("1000.00"), applicant=CLEAN,
                     exposure=ExposureView(customer_total=Decimal("10000000.00"), enterprise_total=Decimal(0)))
    assert ok.decision == "approve"
    over = decide_draw(catalog, big, draw("1000.00"), applicant=CLEAN,
                       exposure=ExposureView(customer_total=Decimal("10000000.01"), enterprise_total=Decimal(0)))
    assert codes(over) == ["DR_EXPOSURE"]
    unknown = decide_draw(catalog, big, draw("1000.00"), applicant=CLEAN)
    assert unknown.decision == "refer" and codes(unknown) == ["DR_EXPOSURE_UNKNOWN"]


def test_pool_capacity_and_suspension(luzhou: Catalog) -> None:
    pooled = line("leyedai", pool_id="luzhou-scf-pool")
    payee = {"payee": "示例核心企业饲料销售有限公司"}
    pool = PoolView(pool_id="luzhou-scf-pool", capacity=Decimal("5000000.00"), used=Decimal("4990000.00"), suspended=False)
    assert decide_draw(luzhou, pooled, draw("10000.00", **payee), applicant=CLEAN, pool=pool).decision == "approve"
    over = decide_draw(luzhou, pooled, draw("10000.01", **payee), applicant=CLEAN, pool=pool)
    assert codes(over) == ["DR_POOL_CAPACITY"]
    stopped = pool.model_copy(update={"suspended": True})
    assert codes(decide_draw(luzhou, pooled, draw("1.00", **payee), applicant=CLEAN, pool=stopped)) == ["DR_POOL_SUSPENDED"]
    assert codes(decide_draw(luzhou, pooled, draw("1.00", **payee), applicant=CLEAN)) == ["DR_POOL_UNKNOWN"]


def test_variant_narrows_the_payee_list(luzhou: Catalog) -> None:
    other = draw("1000.00", payee="示例核心企业农牧科技有限公司")
    assert decide_draw(luzhou, line("leyedai"), other, applicant=CLEAN).decision == "approve"
    narrowed = decide_draw(luzhou, line("leyedai-xwlh"), other, applicant=CLEAN)
    assert codes(narrowed) == ["DR_PAYEE_LIST"] and narrowed.entrusted_payment
    # Inherited from leyedai: every draw is entrusted, so no payee is a decline.
    assert codes(decide_draw(luzhou, line("leyedai-xwlh"), draw("1000.00"), applicant=CLEAN)) == ["DR_ENTRUSTED_PAYEE"]


def test_declared_expression_rule_at_the_cent(catalog: Catalog) -> None:
    assert decide_draw(catalog, line(), draw("500000.00"), applicant=CLEAN).decision == "approve"
    half = decide_draw(catalog, line(), draw("500000.01"), applicant=CLEAN)
    assert half.decision == "refer" and codes(half) == ["DRAW_HALF_LINE"]
    assert half.reasons[0].values == {"draw.amount": "500000.01", "line.limit": "1000000.00"}


def test_a_draw_rule_that_does_not_type_check_is_named() -> None:
    from engine.documents.drawdown import DrawdownDoc
    from engine.drawdown.rules import DrawRuleError, compile_rules

    bad = DrawdownDoc.model_validate({"rules": [{"id": "X", "rule": "draw.amount > 'a'", "message": "m", "action": "refer"}]})
    with pytest.raises(DrawRuleError, match=r"drawdown.rules\[0\] \(X\)"):
        compile_rules(bad, Catalog(ROOT).dictionary, {})


@settings(max_examples=200, deadline=None)
@given(limit=st.integers(1, 10**9), used=st.integers(0, 10**9), amount=st.integers(1, 10**9))
def test_an_approved_draw_never_passes_the_limit(catalog: Catalog, limit: int, used: int, amount: int) -> None:
    cent = Decimal("0.01")
    lim, out, amt = limit * cent, min(used, limit) * cent, amount * cent + Decimal("10000.00")
    view = line(limit=lim, outstanding=out, available=lim - out, drawn_total=out)
    result = decide_draw(catalog, view, draw(str(amt)), applicant=CLEAN)
    if result.decision == "approve":
        assert out + amt <= lim
