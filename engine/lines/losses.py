"""A default (loss event): the line's outstanding is written off and the pool's parties bear it by share.

The pool's fund pays the parties' shares other than the bank's own; when losses over the initial fund pass the
pool's declared ratio, the pool is suspended in the same transaction and refuses new business.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from engine.lines.models import Pool
from engine.lines.store import LineError, Store
from engine.lines.views import pool_model

BANK = "银行"


def split(loss_cents: int, shares: dict[str, str]) -> dict[str, int]:
    """Each party's cents, rounded down, with the cents left over going to the largest share: sums exactly."""
    parts = {p: int((Decimal(loss_cents) * Decimal(s)).to_integral_value(rounding=ROUND_DOWN)) for p, s in shares.items()}
    largest = max(shares, key=lambda p: (Decimal(shares[p]), p))
    parts[largest] += loss_cents - sum(parts.values())
    return parts


def default(store: Store, line_id: str, *, on: date, actor: str, loss_ratio_above: Decimal | None = None) -> Pool | None:
    """Write off the line's outstanding; returns the pool after, or None when the line has no pool."""
    with store.db.write() as conn:
        line = store.line_row(conn, line_id, lock=True)
        if line["state"] == "closed":
            raise LineError(f"line {line_id} is closed: it cannot default")
        loss = line["outstanding_cents"]
        pool = store.pool_row(conn, line["pool_id"], lock=True) if line["pool_id"] else None
        parts = split(loss, pool["shares"]) if pool is not None and loss else {}
        # The fund pays the other parties' shares as far as it goes; it never goes below zero.
        from_fund = min(sum(c for p, c in parts.items() if p != BANK), pool["fund_cents"]) if pool is not None else 0
        data = {"loss_cents": loss, "party_cents": parts, "fund_cents": from_fund}
        _, _, new_pool = store.record(conn, "defaulted", on=on, actor=actor, data=data, line=line, pool=pool,
                                      rule="loss_event", evidence={"outstanding": loss})
        if new_pool is None:
            return None
        ratio = Decimal(new_pool["losses_cents"]) / Decimal(new_pool["initial_fund_cents"])
        if loss_ratio_above is not None and ratio > loss_ratio_above and not new_pool["suspended"]:
            reason = f"pool loss ratio {ratio:.4f} above {loss_ratio_above}"
            _, _, new_pool = store.record(conn, "pool_suspended", on=on, actor=actor, data={"reason": reason},
                                          pool=new_pool, rule="loss_ratio_above", evidence={"loss_ratio": str(ratio)})
            assert new_pool is not None
        return pool_model(new_pool)
