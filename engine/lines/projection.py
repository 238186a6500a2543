"""The projection: how each event changes the line and pool rows. The live store and replay both use it.

Rows are plain dicts of column values (money in integer cents), so that applying an event is the same
arithmetic whether the row came from the database inside a lock or from an in-memory replay.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

Row = dict[str, Any]


def capacity_cents(pool: Row) -> int:
    """fund x leverage, rounded down to the cent: the pool may never lend a fraction more than it covers."""
    return int(Decimal(pool["fund_cents"]) * Decimal(pool["leverage"]))


def available_cents(line: Row) -> int:
    used = line["outstanding_cents"] if line["revolving"] else line["drawn_total_cents"]
    return max(line["limit_cents"] - used, 0)


def apply(kind: str, data: dict[str, Any], seq: int, line: Row | None, pool: Row | None) -> tuple[Row | None, Row | None]:
    """The rows after the event (new dicts; the inputs are not changed). `line`/`pool` are None when absent."""
    line = dict(line) if line is not None else None
    pool = dict(pool) if pool is not None else None
    if kind == "granted":
        line = dict(data["line"])
        line.update(outstanding_cents=0, drawn_total_cents=0, draws_count=0, interest_paid_cents=0, state="active")
    elif kind == "pool_opened":
        pool = dict(data["pool"])
        pool.update(used_cents=0, losses_cents=0, party_losses={p: 0 for p in pool["shares"]}, suspended=False,
                    suspended_reason=None)
    elif kind == "drawn":
        assert line is not None
        amount = int(data["amount_cents"])
        line["outstanding_cents"] += amount
        line["drawn_total_cents"] += amount
        line["draws_count"] += 1
        if pool is not None:
            pool["used_cents"] += amount
    elif kind == "repaid":
        assert line is not None
        principal = int(data["principal_cents"])
        line["outstanding_cents"] -= principal
        line["interest_paid_cents"] += int(data["interest_cents"])
        if pool is not None:
            pool["used_cents"] -= principal
    elif kind in ("frozen", "unfrozen", "expired", "closed"):
        assert line is not None
        line["state"] = {"frozen": "frozen", "unfrozen": "active", "expired": "expired", "closed": "closed"}[kind]
    elif kind == "defaulted":
        # A loss event: the line's outstanding is written off; the pool's parties bear it by share.
        assert line is not None
        line["outstanding_cents"] -= int(data["loss_cents"])
        line["state"] = "closed"
        if pool is not None:
            pool["used_cents"] -= int(data["loss_cents"])
            pool["fund_cents"] -= int(data["fund_cents"])
            pool["losses_cents"] += int(data["loss_cents"])
            shares = dict(pool["party_losses"])
            for party, cents in data["party_cents"].items():
                shares[party] = shares.get(party, 0) + int(cents)
            pool["party_losses"] = shares
    elif kind == "pool_suspended":
        assert pool is not None
        pool["suspended"] = True
        pool["suspended_reason"] = data["reason"]
    elif kind == "pool_resumed":
        assert pool is not None
        pool["suspended"] = False
        pool["suspended_reason"] = None
    else:
        raise ValueError(f"unknown event kind {kind!r}")
    if line is not None and (kind != "pool_opened"):
        line["last_seq"] = seq
    if pool is not None and (kind in ("pool_opened", "drawn", "repaid", "defaulted", "pool_suspended", "pool_resumed")):
        pool["last_seq"] = seq
    return line, pool
