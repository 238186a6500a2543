"""The lines store: every change is an event appended in the same write transaction that updates the projection.

A write transaction takes the lock first (BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE on PostgreSQL),
reads the rows it decides on, appends the event and writes the rows `projection.apply` returns. Replay runs
the same `apply` over the log from empty, so the tables are exactly what the log says.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from engine.core.errors import ProductFactoryError
from engine.lines import projection
from engine.lines.models import LineEvent
from engine.lines.projection import Row
from engine.lines.tables import SCHEMA, events, lines, pools
from engine.store import Database, migrate, open_database

LINE_COLUMNS = [c.name for c in lines.columns]
POOL_COLUMNS = [c.name for c in pools.columns]


class LineError(ProductFactoryError):
    """Bad input to a line operation: an unknown line, a line in the wrong state, a bad amount or term."""


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class Store:
    def __init__(self, db: Database):
        self.db = db

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> Store:
        db = open_database(url, create=create)
        migrate(db, SCHEMA)
        return cls(db)

    def close(self) -> None:
        self.db.dispose()

    # -- reading rows inside a transaction -------------------------------------------------------------

    def line_row(self, conn: Connection, line_id: str, *, lock: bool = False) -> Row:
        query = select(lines).where(lines.c.line_id == line_id)
        found = conn.execute(self.db.for_update(query) if lock else query).mappings().first()
        if found is None:
            raise LineError(f"line {line_id!r}: no such line in {self.db!r}")
        return dict(found)

    def pool_row(self, conn: Connection, pool_id: str, *, lock: bool = False) -> Row | None:
        query = select(pools).where(pools.c.pool_id == pool_id)
        found = conn.execute(self.db.for_update(query) if lock else query).mappings().first()
        return dict(found) if found is not None else None

    # -- the one way anything changes -------------------------------------------------------------------

    def record(self, conn: Connection, kind: str, *, on: date, actor: str, data: dict[str, Any],
               line: Row | None = None, pool: Row | None = None, line_id: str | None = None,
               pool_id: str | None = None, rule: str | None = None, evidence: dict[str, Any] | None = None,
               key: str | None = None) -> tuple[int, Row | None, Row | None]:
        """Append the event, apply it to the rows and write them back; returns (seq, line, pool) after."""
        line_id = line_id or (line["line_id"] if line else None)
        pool_id = pool_id or (pool["pool_id"] if pool else None)
        inserted = conn.execute(insert(events).values(
            kind=kind, line_id=line_id, pool_id=pool_id, actor=actor, at=now_utc(), on_date=on.isoformat(),
            rule=rule, evidence=evidence or {}, data=data, idem_key=key,
        )).inserted_primary_key
        assert inserted is not None
        seq = int(inserted[0])
        new_line, new_pool = projection.apply(kind, data, seq, line, pool)
        if new_line is not None:
            if line is None:
                conn.execute(insert(lines).values(**new_line))
            else:
                changed = {k: v for k, v in new_line.items() if line.get(k) != v}
                conn.execute(update(lines).where(lines.c.line_id == line_id).values(**changed))
        if new_pool is not None:
            if pool is None:
                conn.execute(insert(pools).values(**new_pool))
            else:
                changed = {k: v for k, v in new_pool.items() if pool.get(k) != v}
                conn.execute(update(pools).where(pools.c.pool_id == pool_id).values(**changed))
        return seq, new_line, new_pool

    # -- the log -------------------------------------------------------------------------------------

    def events(self, line_id: str | None = None, pool_id: str | None = None) -> list[LineEvent]:
        query = select(events).order_by(events.c.seq)
        if line_id is not None:
            query = query.where(events.c.line_id == line_id)
        if pool_id is not None:
            query = query.where(events.c.pool_id == pool_id)
        with self.db.read() as conn:
            return [event_model(dict(r)) for r in conn.execute(query).mappings()]

    def iter_event_rows(self, conn: Connection, batch: int = 20_000) -> Iterator[Row]:
        after = 0
        while True:
            rows = conn.execute(select(events).where(events.c.seq > after).order_by(events.c.seq).limit(batch)).mappings().all()
            if not rows:
                return
            yield from (dict(r) for r in rows)
            after = rows[-1]["seq"]

    def projections(self) -> tuple[list[Row], list[Row]]:
        """Both tables, sorted by id: what replay must reproduce."""
        with self.db.read() as conn:
            got_lines = [dict(r) for r in conn.execute(select(lines).order_by(lines.c.line_id)).mappings()]
            got_pools = [dict(r) for r in conn.execute(select(pools).order_by(pools.c.pool_id)).mappings()]
        return got_lines, got_pools


def event_model(row: Row) -> LineEvent:
    return LineEvent(seq=row["seq"], kind=row["kind"], line_id=row["line_id"], pool_id=row["pool_id"], actor=row["actor"],
                     at=row["at"], on=date.fromisoformat(row["on_date"]), rule=row["rule"], evidence=row["evidence"],
                     data=row["data"], key=row["idem_key"])


def money_text(cents: int) -> str:
    return f"{Decimal(cents).scaleb(-2):.2f}"
