"""Property: over any sequence of line and pool operations, replaying the log from empty rebuilds the tables exactly."""
from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from engine.lines.draw_views import exposure_view, line_view, pool_view
from engine.lines.operations import grant, set_state
from engine.lines.pools import PartyDoc, PoolDoc, open_pool, suspend_pool
from engine.lines.replay import replay
from engine.lines.store import LineError, Store
from tests.test_lines import terms

DAY = date(2026, 3, 1)
operation = st.one_of(
    st.tuples(st.just("grant"), st.integers(1, 10**9), st.booleans()),
    st.tuples(st.just("freeze"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("unfreeze"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("suspend"), st.integers(0, 1), st.booleans()),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=25))
def test_replay_reproduces_every_projection(ops: list[tuple[str, int, bool]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(str(Path(folder) / "r.db"))
        for n in range(2):
            open_pool(store, PoolDoc(id=f"p{n}", name="池", fund=Decimal("1000.00"), leverage=Decimal(5),
                                     parties=[PartyDoc(name="政府", share=Decimal(1))], products=["yiqitong"]),
                      on=DAY, actor="ops")
        granted = 0
        for kind, number, flag in ops:
            try:
                if kind == "grant":
                    row = terms(f"L{granted}", customer=f"C{number % 3}", limit=number, revolving=flag)
                    row["pool_id"] = "p0" if flag else None
                    grant(store, row, on=DAY, actor="a")
                    granted += 1
                elif kind in ("freeze", "unfreeze"):
                    set_state(store, f"L{number}", "frozen" if kind == "freeze" else "unfrozen", reason="r", on=DAY, actor="a")
                else:
                    suspend_pool(store, f"p{number}", reason="r", on=DAY, actor="a")
            except LineError:
                pass  # an unknown or wrong-state line: refused, and nothing written
        before = store.projections()
        assert replay(store) == len(store.events())
        assert store.projections() == before
        store.close()


def test_the_views_for_the_drawdown_decision(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "v.db"))
    doc = PoolDoc(id="p", name="池", fund=Decimal("1000.00"), leverage=Decimal("2.5"),
                  parties=[PartyDoc(name="政府", share=Decimal(1))], products=["yiqitong"])
    open_pool(store, doc, on=DAY, actor="ops")
    row = terms("L1", limit=2_000_00)
    row["pool_id"] = "p"
    grant(store, row, on=DAY, actor="a")
    with store.db.read() as conn:
        line = store.line_row(conn, "L1")
        view = line_view(line)
        assert (view.available, view.rate_bp, view.maturity, view.pool_id) == (Decimal("2000.00"), 355, date(2027, 8, 31), "p")
        pool = pool_view(store.pool_row(conn, "p") or {})
        assert (pool.capacity, pool.used, pool.suspended) == (Decimal("2500.00"), 0, False)
        assert exposure_view(conn, line).customer_total == Decimal("2000.00")
