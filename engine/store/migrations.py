"""Versioned schema migrations, one numbered list per component (lines, decision log, …).

The `pf_schema` table holds each component's version. Opening a database whose version is newer than the
engine knows is refused (an older engine must not write rows it does not understand); an older version is
brought forward by applying the missing migrations in order, in one transaction, under a lock so two
processes starting at once do not both migrate.
"""
from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, Integer, MetaData, String, Table, select, text
from sqlalchemy.engine import Connection

from engine.store.database import Database, StoreError, shown

_meta = MetaData()
schema_table = Table(
    "pf_schema", _meta,
    Column("component", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("applied_at", String(32), nullable=False),
)


@dataclass(frozen=True)
class Migration:
    version: int
    about: str
    apply: Callable[[Connection], None]


@dataclass(frozen=True)
class Schema:
    """A component's migrations, numbered 1, 2, 3 … in order."""

    component: str
    migrations: tuple[Migration, ...]

    def __post_init__(self) -> None:
        numbers = [m.version for m in self.migrations]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"{self.component}: migrations must be numbered 1..n in order, got {numbers}")

    @property
    def latest(self) -> int:
        return len(self.migrations)


def schema_version(conn: Connection, component: str) -> int:
    """The component's version in this database; 0 when it has never been created."""
    _meta.create_all(conn, checkfirst=True)
    found = conn.execute(select(schema_table.c.version).where(schema_table.c.component == component)).scalar()
    return int(found or 0)


def migrate(db: Database, schema: Schema) -> int:
    """Bring the component to the engine's version; returns the version. Refuses a newer database."""
    with db.write() as conn:
        if not db.is_sqlite:
            # Two processes may start on an empty database at once; the advisory lock makes one wait.
            conn.execute(text("select pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(b"pf_schema")})
        current = schema_version(conn, schema.component)
        if current > schema.latest:
            raise StoreError(
                f"database {shown(db.url)}: the {schema.component} schema is version {current}, newer than this "
                f"engine's {schema.latest}; use a newer engine (nothing was changed)"
            )
        for migration in schema.migrations[current:]:
            migration.apply(conn)
        if current < schema.latest:
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            if current == 0:
                conn.execute(schema_table.insert().values(component=schema.component, version=schema.latest, applied_at=now))
            else:
                conn.execute(schema_table.update().where(schema_table.c.component == schema.component)
                             .values(version=schema.latest, applied_at=now))
    return schema.latest
