"""Rows to documented models, and the exposure a customer has at this bank."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, case, func, select
from sqlalchemy.engine import Connection

from engine.lines.models import Line, Pool, from_cents
from engine.lines.projection import Row, available_cents, capacity_cents
from engine.lines.tables import lines


def line_model(row: Row) -> Line:
    return Line(
        line_id=row["line_id"], customer_id=row["customer_id"], enterprise_id=row["enterprise_id"],
        borrower_name=row["borrower_name"], product_code=row["product_code"], product_version=row["product_version"],
        content_hash=row["content_hash"], decision_id=row["decision_id"], state=row["state"],
        limit=from_cents(row["limit_cents"]), outstanding=from_cents(row["outstanding_cents"]),
        available=from_cents(available_cents(row)), drawn_total=from_cents(row["drawn_total_cents"]),
        draws_count=row["draws_count"], interest_paid=from_cents(row["interest_paid_cents"]), revolving=row["revolving"],
        valid_from=date.fromisoformat(row["valid_from"]), valid_to=date.fromisoformat(row["valid_to"]),
        maturity=date.fromisoformat(row["maturity"]), base_bp=row["base_bp"], spread_bp=row["spread_bp"],
        rate_bp=row["base_bp"] + row["spread_bp"], terms_months=list(row["terms_months"]),
        repayment_methods=list(row["repayment_methods"]), pool_id=row["pool_id"],
    )


def pool_model(row: Row) -> Pool:
    capacity = capacity_cents(row)
    return Pool(
        pool_id=row["pool_id"], fund=from_cents(row["fund_cents"]), initial_fund=from_cents(row["initial_fund_cents"]),
        leverage=row["leverage"], capacity=from_cents(capacity), used=from_cents(row["used_cents"]),
        available=from_cents(max(capacity - row["used_cents"], 0)), losses=from_cents(row["losses_cents"]),
        party_losses={p: from_cents(c) for p, c in row["party_losses"].items()}, suspended=row["suspended"],
        suspended_reason=row["suspended_reason"],
    )


def _committed(conn: Connection, column: Column[Any], value: str) -> int:
    """Outstanding plus undrawn committed limit over the live lines (active or frozen) of a customer/enterprise.

    A revolving line commits its whole limit; a non-revolving one its outstanding plus what may still be drawn.
    """
    committed = case(
        (lines.c.revolving, lines.c.limit_cents),
        else_=lines.c.outstanding_cents + lines.c.limit_cents - lines.c.drawn_total_cents,
    )
    total = func.coalesce(func.sum(committed), 0)
    query = select(total).where(column == value, lines.c.state.in_(("active", "frozen")))
    return int(conn.execute(query).scalar_one())


def exposure_cents(conn: Connection, customer_id: str, enterprise_id: str | None) -> tuple[int, int]:
    """(customer total, enterprise total) in cents; the enterprise total is the customer's when it has none."""
    customer = _committed(conn, lines.c.customer_id, customer_id)
    enterprise = _committed(conn, lines.c.enterprise_id, enterprise_id) if enterprise_id else customer
    return customer, enterprise


def exposure_values(customer_cents: int, enterprise_cents: int) -> dict[str, Decimal]:
    """The `exposure.*` values rules read."""
    return {"customer_total": from_cents(customer_cents), "enterprise_total": from_cents(enterprise_cents)}
