"""Risk compensation pool documents (located errors) and the pool projection on a real SQLite file."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.core.errors import DocumentError
from engine.lines.pools import load_pool, open_pool, pack_pools, show_pool, suspend_pool
from engine.lines.replay import replay
from engine.lines.store import LineError, Store

POOL = """\
id: sc-pool
name: 供应链风险补偿资金池
fund: 5000000.00
leverage: 10
parties:
  - {name: 政府, share: 0.4}
  - {name: 核心企业, share: 0.3}
  - {name: 银行, share: 0.3}
products: [yiqitong]
suspend_when: {loss_ratio_above: 0.3}
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pools").mkdir(exist_ok=True)
    file = tmp_path / "pools" / "sc.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def test_a_pool_opens_with_capacity_fund_times_leverage_and_suspends(tmp_path: Path) -> None:
    doc = pack_pools(write(tmp_path, POOL).parent.parent)["sc-pool"]
    store = Store.open(str(tmp_path / "p.db"))
    pool = open_pool(store, doc, on=date(2026, 3, 1), actor="ops")
    assert (pool.capacity, pool.used, pool.available, pool.suspended) == (Decimal("50000000.00"), 0, Decimal("50000000.00"), False)
    assert pool.party_losses == {"政府": 0, "核心企业": 0, "银行": 0}
    assert open_pool(store, doc, on=date(2026, 3, 2), actor="ops") == pool  # opening again changes nothing
    suspended = suspend_pool(store, "sc-pool", reason="损失率超过30%", on=date(2026, 4, 1), actor="ops")
    assert (suspended.suspended, suspended.suspended_reason) == (True, "损失率超过30%")
    before = store.projections()
    assert replay(store) == 2
    assert store.projections() == before
    assert show_pool(store, "sc-pool").suspended
    with pytest.raises(LineError, match="no such pool"):
        show_pool(store, "other")


@pytest.mark.parametrize(("change", "message"), [
    (("share: 0.3}\n  - {name: 银行", "share: 0.2}\n  - {name: 银行"), "sc.yaml:6:3: parties: Value error, the parties' shares add up to 0.9, not 1"),
    (("fund: 5000000.00", "fund: 5000000.005"), "sc.yaml:3:7: fund: Value error, the fund must be a whole number of cents"),
    (("leverage: 10", "leverage: -1"), "sc.yaml:4:11: leverage: Input should be greater than 0"),
    (("products: [yiqitong]", "products: []"), "sc.yaml:9:11: products: List should have at least 1 item"),
])
def test_pool_document_errors_name_file_line_column_and_field(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    file = write(tmp_path, POOL.replace(*change))
    with pytest.raises(DocumentError) as caught:
        load_pool(file)
    assert message in caught.value.render()
