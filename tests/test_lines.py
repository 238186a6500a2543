"""The lines store on a real SQLite file: grant, freeze/unfreeze, repayment errors, exposure and replay."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from engine.lines.operations import grant, repay, set_state
from engine.lines.replay import replay
from engine.lines.store import LineError, Store
from engine.lines.views import exposure_cents

DAY = date(2026, 3, 1)


def terms(line_id: str, customer: str = "C1", limit: int = 100_000_00, revolving: bool = True) -> dict[str, object]:
    return dict(line_id=line_id, customer_id=customer, enterprise_id="E1", borrower_name="示例商贸有限公司",
                product_code="yiqitong", product_version="1.0", content_hash="h", decision_id="d-" + line_id,
                limit_cents=limit, revolving=revolving, valid_from="2026-03-01", valid_to="2027-02-28",
                maturity="2027-08-31", base_bp=310, spread_bp=45, terms_months=[6, 12], repayment_methods=["on_demand"])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(str(tmp_path / "lines.db"))


def test_grant_freeze_unfreeze_are_recorded_events(store: Store) -> None:
    line = grant(store, terms("L1"), on=DAY, actor="officer-1")
    assert (line.state, line.limit, line.available, line.rate_bp) == ("active", Decimal("100000.00"), Decimal("100000.00"), 355)
    assert set_state(store, "L1", "frozen", reason="预警信号", on=DAY, actor="officer-1").state == "frozen"
    with pytest.raises(LineError, match="L1 is frozen: only a active line can be frozen"):
        set_state(store, "L1", "frozen", reason="again", on=DAY, actor="officer-1")
    assert set_state(store, "L1", "unfrozen", reason="预警解除", on=DAY, actor="officer-2").state == "active"
    kinds = [(e.kind, e.actor, e.evidence.get("reason")) for e in store.events("L1")]
    assert kinds == [("granted", "officer-1", None), ("frozen", "officer-1", "预警信号"), ("unfrozen", "officer-2", "预警解除")]


def test_bad_repayments_are_refused_and_write_nothing(store: Store) -> None:
    grant(store, terms("L1"), on=DAY, actor="a")
    with pytest.raises(LineError, match="no such line"):
        repay(store, "NOPE", Decimal("1"), on=DAY, actor="a")
    with pytest.raises(LineError, match="must be greater than zero"):
        repay(store, "L1", Decimal("-5"), on=DAY, actor="a")
    with pytest.raises(LineError, match="not a whole number of cents"):
        repay(store, "L1", Decimal("1.005"), on=DAY, actor="a")
    with pytest.raises(LineError, match="exceeds interest due 0.00 plus outstanding 0.00"):
        repay(store, "L1", Decimal("1.00"), on=DAY, actor="a")
    assert len(store.events("L1")) == 1


def test_exposure_counts_every_live_line_of_the_customer(store: Store) -> None:
    grant(store, terms("L1", limit=300_000_00), on=DAY, actor="a")
    grant(store, terms("L2", limit=200_000_00, revolving=False), on=DAY, actor="a")
    grant(store, terms("L3", customer="C2", limit=50_000_00), on=DAY, actor="a")
    with store.db.read() as conn:
        assert exposure_cents(conn, "C1", "E1") == (500_000_00, 550_000_00)
    set_state(store, "L1", "frozen", reason="x", on=DAY, actor="a")
    with store.db.read() as conn:
        assert exposure_cents(conn, "C1", None) == (500_000_00, 500_000_00)  # a frozen line is still committed


def test_replay_from_empty_reproduces_the_tables(store: Store) -> None:
    for n in range(5):
        grant(store, terms(f"L{n}"), on=DAY, actor="a")
    set_state(store, "L2", "frozen", reason="x", on=DAY, actor="a")
    before = store.projections()
    assert replay(store) == 6
    assert store.projections() == before


APPLICANTS = Path(__file__).parent.parent / "examples" / "applicants"


@pytest.mark.parametrize("product", ["yiqitong", "fangdidai-xw", "shuiqitong-xw", "shuiqitong-zz", "yangguang-e-xw"])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)))
@example(day=date(2026, 3, 1))  # every example applicant is approved on this date
def test_a_grant_carries_the_approve_decisions_figures(product: str, day: date, tmp_path: Path) -> None:
    import yaml

    from engine.api import catalog_from_folders, evaluate_applicant
    from engine.finance.schedules import add_months
    from engine.lines.granting import decision_id, grant_from_decision

    name = "yiqitong-approve.json" if product == "yiqitong" else f"{product}-approve.yaml"
    data = yaml.safe_load((APPLICANTS / name).read_text(encoding="utf-8"))
    decision = evaluate_applicant(catalog_from_folders(), product, data, day)
    store = Store.open(str(tmp_path / f"g-{product}-{day}.db"))
    try:
        line = grant_from_decision(store, decision, on=day, actor="a").line
        logged = store.events()
    finally:
        store.close()
    if decision.decision != "approve":  # a date may age the applicant or its data out of approval: nothing granted
        assert line is None and logged == []
        return
    assert decision.limit is not None and decision.rate is not None and decision.terms is not None
    assert [e.kind for e in logged] == ["granted"]
    assert line is not None
    assert line.limit == decision.limit.amount and line.rate_bp == decision.rate.final_bp
    assert line.base_bp == decision.rate.base_bp and line.decision_id == decision_id(decision)
    assert line.valid_from == day and line.valid_to < add_months(day, decision.terms.line_validity_months or 0)
    assert line.maturity == add_months(line.valid_to, max(decision.terms.months))
    assert line.terms_months == decision.terms.months and line.revolving == decision.terms.revolving
    assert decision_id(decision) == decision_id(decision.model_copy())  # stable for the same decision
