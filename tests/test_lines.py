"""The lines store on a real SQLite file: grant, freeze/unfreeze, repayment errors, exposure and replay."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

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
