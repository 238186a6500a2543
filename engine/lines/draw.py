"""A draw: decided by `decide_draw` inside the locked transaction, recorded only when approved, once per key.

The line and pool rows are locked before the decision reads them, so two processes drawing at once are
serialised: neither can decide on a balance the other is about to change.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from engine.catalog import Catalog
from engine.drawdown import DrawDecision, DrawRequest, decide_draw
from engine.lines.draw_views import exposure_view, line_view, pool_view
from engine.lines.models import to_cents
from engine.lines.operations import checked_amount
from engine.lines.store import LineError, Store
from engine.lines.tables import events


class DrawResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    decision: DrawDecision
    recorded: bool = Field(description="true when the draw was booked (approve)")
    replayed: bool = Field(False, description="true when the key had already been used: the first result, no new effect")
    event_seq: int | None


def draw(store: Store, catalog: Catalog, line_id: str, request: DrawRequest, *, actor: str,
         applicant: Mapping[str, Any] | None = None) -> DrawResult:
    checked_amount(request.amount)
    if request.term_months < 1:
        raise LineError(f"line {line_id}: --term {request.term_months} must be at least 1 month")
    with store.db.write() as conn:
        line = store.line_row(conn, line_id, lock=True)
        if request.key is not None:
            earlier = conn.execute(select(events).where(events.c.line_id == line_id, events.c.idem_key == request.key)).mappings().first()
            if earlier is not None:
                return DrawResult(decision=DrawDecision.model_validate(earlier["evidence"]["decision"]), recorded=True,
                                  replayed=True, event_seq=earlier["seq"])
        pool = store.pool_row(conn, line["pool_id"], lock=True) if line["pool_id"] else None
        decision = decide_draw(catalog, line_view(line), request, applicant=applicant,
                               pool=pool_view(pool) if pool is not None else None, exposure=exposure_view(conn, line))
        if decision.decision != "approve":
            return DrawResult(decision=decision, recorded=False, event_seq=None)
        data = {"amount_cents": to_cents(request.amount), "term_months": request.term_months,
                "payee": request.payee, "entrusted_payment": decision.entrusted_payment}
        seq, _, _ = store.record(conn, "drawn", on=request.on, actor=actor, data=data, line=line, pool=pool,
                                 rule="drawdown", evidence={"decision": decision.model_dump(mode="json")}, key=request.key)
        return DrawResult(decision=decision, recorded=True, event_seq=seq)
