"""Draws through the drawdown decision on a real store: approve books it, a decline books nothing, a key once."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.catalog import Catalog
from engine.drawdown import DrawRequest
from engine.lines.draw import draw
from engine.lines.operations import grant, set_state
from engine.lines.replay import replay
from engine.lines.store import Store
from tests.test_lines import terms

ON = date(2026, 3, 2)
CLEAN = {"blacklisted": False, "risk_warning": False, "overdue": False}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def test_balance_control_key_and_freeze(tmp_path: Path, catalog: Catalog) -> None:
    store = Store.open(str(tmp_path / "d.db"))
    grant(store, terms("L1", limit=100_000_00), on=date(2026, 3, 1), actor="a")
    first = draw(store, catalog, "L1", DrawRequest(amount=Decimal("50000.00"), term_months=6, on=ON, key="k1"),
                 actor="a", applicant=CLEAN)
    assert (first.decision.decision, first.recorded, first.replayed) == ("approve", True, False)
    retried = draw(store, catalog, "L1", DrawRequest(amount=Decimal("50000.00"), term_months=6, on=ON, key="k1"),
                   actor="a", applicant=CLEAN)
    assert (retried.replayed, retried.event_seq) == (True, first.event_seq)
    over = draw(store, catalog, "L1", DrawRequest(amount=Decimal("50000.01"), term_months=6, on=ON), actor="a", applicant=CLEAN)
    assert over.decision.decision == "decline" and not over.recorded
    set_state(store, "L1", "frozen", reason="预警", on=ON, actor="a")
    frozen = draw(store, catalog, "L1", DrawRequest(amount=Decimal("10000.00"), term_months=6, on=ON), actor="a", applicant=CLEAN)
    assert frozen.decision.decision == "decline" and not frozen.recorded
    with store.db.read() as conn:
        assert store.line_row(conn, "L1")["outstanding_cents"] == 50_000_00
    assert [e.kind for e in store.events("L1")] == ["granted", "drawn", "frozen"]
    before = store.projections()
    replay(store)
    assert store.projections() == before
