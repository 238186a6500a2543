"""The lines schema: the append-only event log and the two projections (lines, pools), with their migrations.

Money columns hold integer cents: exact on both databases and cheap to compare inside the lock.
"""
from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.engine import Connection

from engine.store import Migration, Schema

meta = MetaData()

events = Table(
    "line_events", meta,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("line_id", String(64)),
    Column("pool_id", String(64)),
    Column("actor", String(128), nullable=False),
    Column("at", String(40), nullable=False),
    Column("on_date", String(10), nullable=False),
    Column("rule", String(128)),
    Column("evidence", JSON, nullable=False),
    Column("data", JSON, nullable=False),
    Column("idem_key", String(200)),
    # A retried draw with the same key finds the first one's event instead of drawing twice.
    UniqueConstraint("line_id", "idem_key", name="uq_line_events_key"),
)
Index("ix_line_events_line", events.c.line_id)

lines = Table(
    "lines", meta,
    Column("line_id", String(64), primary_key=True),
    Column("customer_id", String(128), nullable=False),
    Column("enterprise_id", String(128)),
    Column("borrower_name", Text, nullable=False),
    Column("product_code", String(128), nullable=False),
    Column("product_version", String(64), nullable=False),
    Column("content_hash", String(128), nullable=False),
    Column("decision_id", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    Column("limit_cents", BigInteger, nullable=False),
    Column("outstanding_cents", BigInteger, nullable=False),
    Column("drawn_total_cents", BigInteger, nullable=False),
    Column("draws_count", Integer, nullable=False),
    Column("interest_paid_cents", BigInteger, nullable=False),
    Column("revolving", Boolean, nullable=False),
    Column("valid_from", String(10), nullable=False),
    Column("valid_to", String(10), nullable=False),
    Column("maturity", String(10), nullable=False),
    Column("base_bp", Integer, nullable=False),
    Column("spread_bp", Integer, nullable=False),
    Column("terms_months", JSON, nullable=False),
    Column("repayment_methods", JSON, nullable=False),
    Column("pool_id", String(64)),
    Column("last_seq", BigInteger, nullable=False),
)
Index("ix_lines_customer", lines.c.customer_id)
Index("ix_lines_enterprise", lines.c.enterprise_id)

pools = Table(
    "pools", meta,
    Column("pool_id", String(64), primary_key=True),
    Column("initial_fund_cents", BigInteger, nullable=False),
    Column("fund_cents", BigInteger, nullable=False),
    Column("leverage", String(16), nullable=False),
    Column("used_cents", BigInteger, nullable=False),
    Column("losses_cents", BigInteger, nullable=False),
    Column("party_losses", JSON, nullable=False),
    Column("shares", JSON, nullable=False),
    Column("suspended", Boolean, nullable=False),
    Column("suspended_reason", Text),
    Column("last_seq", BigInteger, nullable=False),
)

PROJECTIONS = (lines, pools)


def _create(conn: Connection) -> None:
    meta.create_all(conn)


SCHEMA = Schema("lines", (Migration(1, "line events, lines and pools", _create),))
