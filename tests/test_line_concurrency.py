"""≥ 8 worker processes × 100 draws on one line under one pool, on SQLite and on PostgreSQL: the invariants hold."""
from __future__ import annotations

import multiprocessing
from datetime import date
from decimal import Decimal
from pathlib import Path

from engine.lines.operations import grant
from engine.lines.pools import PartyDoc, PoolDoc, open_pool
from engine.lines.store import Store
from tests.test_lines import terms

WORKERS, DRAWS = 8, 100
ON = date(2026, 3, 2)


def worker(url: str, number: int) -> int:
    from engine.catalog import Catalog
    from engine.drawdown import DrawRequest
    from engine.lines.draw import draw

    catalog, store = Catalog(), Store.open(url, create=False)
    booked = 0
    for n in range(DRAWS):
        request = DrawRequest(amount=Decimal("10000.00"), term_months=6, on=ON, key=f"w{number}-{n}")
        result = draw(store, catalog, "L1", request, actor=f"w{number}",
                      applicant={"blacklisted": False, "risk_warning": False, "overdue": False})
        booked += result.recorded and not result.replayed
        if n % 10 == 0:  # a retried request: the first result, no second effect
            again = draw(store, catalog, "L1", request, actor=f"w{number}")
            assert again.recorded == result.recorded and (again.replayed or not result.recorded)
    store.close()
    return booked


def run(url: str) -> None:
    store = Store.open(url)
    open_pool(store, PoolDoc(id="p", name="池", fund=Decimal("400000.00"), leverage=Decimal(10),
                             parties=[PartyDoc(name="政府", share=Decimal(1))], products=["yiqitong"]), on=ON, actor="ops")
    row = terms("L1", limit=5_000_000_00)
    row["pool_id"] = "p"
    grant(store, row, on=date(2026, 3, 1), actor="a")
    with multiprocessing.get_context("spawn").Pool(WORKERS) as workers:
        booked = sum(workers.starmap(worker, [(url, n) for n in range(WORKERS)]))
    events = store.events("L1")
    drawn = [e for e in events if e.kind == "drawn"]
    with store.db.read() as conn:
        line, pool = store.line_row(conn, "L1"), store.pool_row(conn, "p")
    assert pool is not None
    assert line["outstanding_cents"] <= line["limit_cents"]
    assert sum(e.data["amount_cents"] for e in drawn) == line["outstanding_cents"] == pool["used_cents"]
    assert pool["used_cents"] <= 4_000_000_00  # capacity = fund x leverage binds before the line's limit
    assert len(drawn) == booked == 400  # every booking has exactly one event: none lost, none doubled
    assert len({e.key for e in drawn}) == len(drawn)
    assert [e.seq for e in store.events()] == list(range(1, len(store.events()) + 1))
    store.close()


def test_concurrent_draws_on_sqlite(tmp_path: Path) -> None:
    run(f"sqlite:///{tmp_path / 'c.db'}")


def test_concurrent_draws_on_postgres(postgres_url: str) -> None:
    run(postgres_url)
