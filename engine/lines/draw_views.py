"""What the store hands the drawdown decision, built from the rows it holds locked: line, pool, exposure."""
from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Connection

from engine.drawdown.contract import ExposureView, LineView, PoolView
from engine.lines.models import from_cents
from engine.lines.projection import Row, available_cents, capacity_cents
from engine.lines.views import exposure_cents


def line_view(row: Row) -> LineView:
    return LineView(
        line_id=row["line_id"], customer_id=row["customer_id"], enterprise_id=row["enterprise_id"],
        borrower_name=row["borrower_name"], product_code=row["product_code"], product_version=row["product_version"],
        state=row["state"], limit=from_cents(row["limit_cents"]), outstanding=from_cents(row["outstanding_cents"]),
        available=from_cents(available_cents(row)), drawn_total=from_cents(row["drawn_total_cents"]),
        draws_count=row["draws_count"], revolving=row["revolving"], valid_from=date.fromisoformat(row["valid_from"]),
        valid_to=date.fromisoformat(row["valid_to"]), maturity=date.fromisoformat(row["maturity"]),
        rate_bp=row["base_bp"] + row["spread_bp"], pool_id=row["pool_id"],
    )


def pool_view(row: Row) -> PoolView:
    return PoolView(pool_id=row["pool_id"], capacity=from_cents(capacity_cents(row)), used=from_cents(row["used_cents"]),
                    suspended=row["suspended"])


def exposure_view(conn: Connection, line: Row) -> ExposureView:
    customer, enterprise = exposure_cents(conn, line["customer_id"], line["enterprise_id"])
    return ExposureView(customer_total=from_cents(customer), enterprise_total=from_cents(enterprise))
