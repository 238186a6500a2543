"""Line operations other than the draw: grant, repay, freeze and unfreeze. Each is one locked transaction."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.core.money import CENT
from engine.finance.schedules import on_demand_interest
from engine.lines.models import Line, Repayment, StateChange, from_cents, to_cents
from engine.lines.projection import available_cents
from engine.lines.store import LineError, Store
from engine.lines.tables import events
from engine.lines.views import line_model


def checked_amount(amount: Decimal, what: str = "amount") -> int:
    """Cents of a positive whole-cent amount; anything else is bad input."""
    if not amount.is_finite() or amount <= 0:
        raise LineError(f"{what} {amount} must be greater than zero")
    if amount != amount.quantize(CENT):
        raise LineError(f"{what} {amount} is not a whole number of cents")
    return to_cents(amount)


def grant(store: Store, terms: dict[str, Any], *, on: date, actor: str, rule: str | None = None,
          evidence: dict[str, Any] | None = None) -> Line:
    """Record a line from an approve decision's figures (`terms`: the line row's columns, money in cents)."""
    with store.db.write() as conn:
        row = dict(terms)
        row.setdefault("pool_id", None)
        _, new, _ = store.record(conn, "granted", on=on, actor=actor, data={"line": row}, line_id=row["line_id"],
                                 rule=rule, evidence=evidence)
        assert new is not None
        return line_model(new)


def set_state(store: Store, line_id: str, kind: str, *, reason: str, on: date, actor: str) -> StateChange:
    """freeze (active → frozen) or unfreeze (frozen → active); the reason is recorded as evidence."""
    wanted = {"frozen": "active", "unfrozen": "frozen"}[kind]
    if not reason.strip():
        raise LineError(f"line {line_id}: --reason must say why")
    with store.db.write() as conn:
        line = store.line_row(conn, line_id, lock=True)
        if line["state"] != wanted:
            raise LineError(f"line {line_id} is {line['state']}: only a {wanted} line can be {kind}")
        seq, new, _ = store.record(conn, kind, on=on, actor=actor, data={}, line=line, rule=kind,
                                   evidence={"reason": reason})
        assert new is not None
        return StateChange(line_id=line_id, state=new["state"], event_seq=seq)


def repay(store: Store, line_id: str, amount: Decimal, *, on: date, actor: str) -> Repayment:
    """Allocate to interest accrued by actual days (随借随还), then principal; a revolving line gets it back."""
    cents = checked_amount(amount)
    with store.db.write() as conn:
        line = store.line_row(conn, line_id, lock=True)
        pool = store.pool_row(conn, line["pool_id"], lock=True) if line["pool_id"] else None
        history = conn.execute(
            events.select().where(events.c.line_id == line_id, events.c.kind.in_(("drawn", "repaid"))).order_by(events.c.seq)
        ).mappings().all()
        flows: list[tuple[date, Decimal]] = []
        for h in history:
            when = date.fromisoformat(h["on_date"])
            if when > on:
                raise LineError(f"line {line_id}: --date {on} is before its last movement on {when}")
            money = int(h["data"]["amount_cents"] if h["kind"] == "drawn" else -h["data"]["principal_cents"])
            if money:
                flows.append((when, from_cents(money)))
        rate = Decimal(line["base_bp"] + line["spread_bp"]).scaleb(-4)
        accrued = to_cents(on_demand_interest(flows, rate, on)) if flows else 0
        due = max(accrued - line["interest_paid_cents"], 0)
        interest = min(cents, due)
        principal = cents - interest
        if principal > line["outstanding_cents"]:
            raise LineError(
                f"line {line_id}: repayment {amount} exceeds interest due {from_cents(due)} plus outstanding "
                f"{from_cents(line['outstanding_cents'])}")
        data = {"amount_cents": cents, "interest_cents": interest, "principal_cents": principal}
        seq, new, _ = store.record(conn, "repaid", on=on, actor=actor, data=data, line=line, pool=pool,
                                   rule="allocate_interest_then_principal",
                                   evidence={"interest_accrued": str(from_cents(accrued)), "interest_due": str(from_cents(due))})
        assert new is not None
        return Repayment(line_id=line_id, amount=from_cents(cents), interest=from_cents(interest),
                         principal=from_cents(principal), outstanding=from_cents(new["outstanding_cents"]),
                         available=from_cents(available_cents(new)), event_seq=seq)
