"""The decision log table in the store, and the one writer that extends the chain."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, select
from sqlalchemy.engine import Connection

from engine.ledger.records import GENESIS, LogRecord, record_hash
from engine.ledger.verify import Problem, verify_rows
from engine.store import Database, Migration, Schema, migrate, open_database

_meta = MetaData()
log_table = Table(
    "decision_log", _meta,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("request_id", String(200), nullable=False),
    Column("body", LargeBinary, nullable=False),
)
head_table = Table(  # one row: the chain's head, locked by every writer so appends are serialised
    "decision_log_head", _meta,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)


def _create(conn: Connection) -> None:
    _meta.create_all(conn)
    conn.execute(head_table.insert().values(id=1, seq=0, hash=GENESIS))


SCHEMA = Schema("decision_log", (Migration(1, "hash-chained decision records and their head", _create),))


class DecisionLog:
    """Append-only, hash-chained decisions in the store. Safe from several processes at once."""

    def __init__(self, db: Database):
        self.db = db

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> DecisionLog:
        """Open the store at `url` (None: --db / $PF_DB / pf.db) and bring the log's schema up to date."""
        db = open_database(url, create=create)
        migrate(db, SCHEMA)
        return cls(db)

    def append(self, records: Sequence[LogRecord]) -> list[int]:
        """Append the records in one write transaction; returns their sequence numbers, in order."""
        if not records:
            return []
        with self.db.write() as conn:
            head = conn.execute(self.db.for_update(select(head_table.c.seq, head_table.c.hash)
                                                   .where(head_table.c.id == 1))).one()
            seq, prev = int(head.seq), str(head.hash)
            rows, numbers = [], []
            for record in records:
                seq += 1
                body = record.canonical()
                digest = record_hash(seq, prev, body)
                rows.append({"seq": seq, "prev_hash": prev, "hash": digest, "request_id": record.request_id, "body": body})
                numbers.append(seq)
                prev = digest
            conn.execute(log_table.insert(), rows)
            conn.execute(head_table.update().where(head_table.c.id == 1).values(seq=seq, hash=prev))
        return numbers

    def size(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(select(head_table.c.seq).where(head_table.c.id == 1)).scalar_one())

    def records(self, since: int = 1, until: int | None = None) -> list[tuple[int, LogRecord]]:
        query = select(log_table.c.seq, log_table.c.body).where(log_table.c.seq >= since).order_by(log_table.c.seq)
        if until is not None:
            query = query.where(log_table.c.seq <= until)
        with self.db.read() as conn:
            return [(int(r.seq), LogRecord.model_validate_json(r.body)) for r in conn.execute(query)]

    def verify(self) -> list[Problem]:
        """Every problem in the chain; also a head that disagrees with the last record (truncation)."""
        with self.db.read() as conn:
            rows = [(int(r.seq), str(r.prev_hash), bytes(r.body), str(r.hash)) for r in conn.execute(
                select(log_table.c.seq, log_table.c.prev_hash, log_table.c.body, log_table.c.hash)
                .order_by(log_table.c.seq))]
            head = conn.execute(select(head_table.c.seq, head_table.c.hash).where(head_table.c.id == 1)).one()
        problems = verify_rows(rows)
        last_seq, last_hash = (rows[-1][0], rows[-1][3]) if rows else (0, GENESIS)
        if (last_seq, last_hash) != (int(head.seq), str(head.hash)):
            problems.append(Problem(int(head.seq), "truncated",
                                    f"the head says {head.seq} records, the table ends at {last_seq}"))
        return problems

    def close(self) -> None:
        self.db.dispose()
