"""The same line and pool operations on the real PostgreSQL test cluster (row locks via SELECT … FOR UPDATE)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.lines.losses import default
from engine.lines.operations import grant, repay, set_state
from engine.lines.pools import PartyDoc, PoolDoc, open_pool
from engine.lines.replay import replay
from engine.lines.store import Store
from tests.test_line_money import drawn
from tests.test_lines import terms


def test_lines_on_postgres_repay_default_and_replay(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    doc = PoolDoc(id="p", name="池", fund=Decimal("100000.00"), leverage=Decimal(10),
                  parties=[PartyDoc(name="政府", share=Decimal("0.5")), PartyDoc(name="银行", share=Decimal("0.5"))],
                  products=["yiqitong"])
    open_pool(store, doc, on=date(2026, 3, 1), actor="ops")
    row = terms("L1", limit=100_000_00)
    row["pool_id"] = "p"
    grant(store, row, on=date(2026, 3, 1), actor="a")
    drawn(store, "L1", 50_000_00, date(2026, 3, 1))
    paid = repay(store, "L1", Decimal("10000.00"), on=date(2026, 3, 31), actor="a")
    assert (paid.interest, paid.outstanding) == (Decimal("147.92"), Decimal("40147.92"))
    assert set_state(store, "L1", "frozen", reason="预警", on=date(2026, 4, 1), actor="a").state == "frozen"
    pool = default(store, "L1", on=date(2026, 9, 1), actor="risk")
    assert pool is not None and pool.party_losses == {"政府": Decimal("20073.96"), "银行": Decimal("20073.96")}
    before = store.projections()
    assert replay(store) == len(store.events()) == 6
    assert store.projections() == before
    store.close()
