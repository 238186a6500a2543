"""Repayment allocation and pool losses on a real store.

The outstanding is set up by recording `drawn` events through the store's own event primitive (Store.record),
the same one the draw operation appends through; the draw decision itself is tested on its own side.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, strategies as st

from engine.lines.losses import default, split
from engine.lines.operations import grant, repay
from engine.lines.pools import PartyDoc, PoolDoc, open_pool
from engine.lines.replay import replay
from engine.lines.store import Store
from tests.test_lines import terms


def drawn(store: Store, line_id: str, cents: int, on: date) -> None:
    with store.db.write() as conn:
        line = store.line_row(conn, line_id, lock=True)
        pool = store.pool_row(conn, line["pool_id"], lock=True) if line["pool_id"] else None
        store.record(conn, "drawn", on=on, actor="t", data={"amount_cents": cents, "term_months": 6}, line=line, pool=pool)


def test_repayment_pays_actual_day_interest_then_principal_and_restores_available(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "m.db"))
    grant(store, terms("L1", limit=100_000_00), on=date(2026, 3, 1), actor="a")
    drawn(store, "L1", 50_000_00, date(2026, 3, 1))
    # 50,000 x 3.55% / 360 x 30 days = 147.9166… → 147.92
    paid = repay(store, "L1", Decimal("10000.00"), on=date(2026, 3, 31), actor="a")
    assert (paid.interest, paid.principal, paid.outstanding, paid.available) == (
        Decimal("147.92"), Decimal("9852.08"), Decimal("40147.92"), Decimal("59852.08"))
    again = repay(store, "L1", Decimal("100.00"), on=date(2026, 3, 31), actor="a")
    assert (again.interest, again.principal) == (Decimal("0.00"), Decimal("100.00"))  # nothing more accrued that day
    before = store.projections()
    replay(store)
    assert store.projections() == before


@given(st.integers(0, 10**12), st.sampled_from([("0.4", "0.3", "0.3"), ("0.5", "0.25", "0.25"), ("0.333", "0.333", "0.334")]))
def test_a_loss_split_sums_to_the_cent(loss: int, shares: tuple[str, str, str]) -> None:
    parts = split(loss, dict(zip(("政府", "核心企业", "银行"), shares)))
    assert sum(parts.values()) == loss and all(v >= 0 for v in parts.values())


def test_a_default_splits_the_loss_draws_the_fund_and_suspends_the_pool(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "d.db"))
    doc = PoolDoc(id="p", name="池", fund=Decimal("100000.00"), leverage=Decimal(10),
                  parties=[PartyDoc(name="政府", share=Decimal("0.4")), PartyDoc(name="核心企业", share=Decimal("0.3")),
                           PartyDoc(name="银行", share=Decimal("0.3"))], products=["yiqitong"])
    open_pool(store, doc, on=date(2026, 3, 1), actor="ops")
    row = terms("L1", limit=500_000_00)
    row["pool_id"] = "p"
    grant(store, row, on=date(2026, 3, 1), actor="a")
    drawn(store, "L1", 400_000_00, date(2026, 3, 1))
    pool = default(store, "L1", on=date(2026, 9, 1), actor="risk", loss_ratio_above=Decimal("0.3"))
    assert pool is not None
    assert pool.party_losses == {"政府": Decimal("160000.00"), "核心企业": Decimal("120000.00"), "银行": Decimal("120000.00")}
    assert (pool.fund, pool.used, pool.losses, pool.suspended) == (Decimal("0.00"), 0, Decimal("400000.00"), True)
    before = store.projections()
    replay(store)
    assert store.projections() == before
