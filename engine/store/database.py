"""Opening the database from a URL or a path, and transactions that take the write lock when they start.

A write transaction on SQLite is `BEGIN IMMEDIATE`: the write lock is taken before anything is read, so two
processes that read a balance and then write it are serialised instead of failing at commit (or, worse, one
of them deciding on a stale balance). On PostgreSQL, writers lock the rows they decide on with
`SELECT … FOR UPDATE` (see `Database.for_update`); the transaction itself is an ordinary one.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from engine.core.errors import ProductFactoryError

DB_ENV = "PF_DB"
DEFAULT_FILE = "pf.db"
BUSY_TIMEOUT_MS = 30_000  # how long a SQLite writer waits for another process's write lock
CONNECT_TIMEOUT_S = 5
_WRITE = "pf_write"


class StoreError(ProductFactoryError):
    """The database cannot be opened, reached or used, or its schema does not match the engine."""


def database_url(explicit: str | None = None) -> str:
    """`--db`, else $PF_DB, else `pf.db` in the current folder. A plain path means a SQLite file."""
    given = explicit or os.environ.get(DB_ENV) or DEFAULT_FILE
    if "://" not in given:
        return f"sqlite:///{Path(given).expanduser()}"
    for prefix in ("postgresql://", "postgres://"):
        if given.startswith(prefix):
            return "postgresql+psycopg://" + given[len(prefix):]
    return given


def shown(url: str) -> str:
    """The URL as it may appear in a message: never with a password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class Database:
    """One SQLAlchemy engine plus the project's transaction discipline."""

    def __init__(self, engine: Engine, url: str):
        self.engine = engine
        self.url = url

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that holds the write lock from its start and commits on leaving (rolls back on error)."""
        with self._translated(), self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only unit of work: one consistent snapshot."""
        with self._translated(), self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def for_update(self, statement: Any) -> Any:
        """`SELECT … FOR UPDATE` where the database has row locks; SQLite's BEGIN IMMEDIATE already locks all."""
        return statement if self.is_sqlite else statement.with_for_update()

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            if exc.connection_invalidated or _is_connect_failure(exc):
                raise StoreError(f"database {shown(self.url)} cannot be reached: {_first_line(exc)}") from None
            raise

    def __repr__(self) -> str:
        return f"Database({shown(self.url)})"


def open_database(url: str | None = None, *, create: bool = True) -> Database:
    """Open (and for SQLite, create unless `create` is False) the database, and check that it answers."""
    resolved = database_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise StoreError(f"database URL {resolved!r} is not a URL (e.g. sqlite:///pf.db or postgresql://user@host/db)") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = _sqlite_engine(resolved, parsed.database or "", create)
    elif backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}, pool_pre_ping=True)
    else:
        raise StoreError(f"database {shown(resolved)}: only sqlite and postgresql are supported, not {backend!r}")
    database = Database(engine, resolved)
    try:
        with engine.connect() as conn:
            conn.execute(text("select count(*) from sqlite_master" if backend == "sqlite" else "select 1"))
    except (DBAPIError, NoSuchModuleError, SQLAlchemyError) as exc:
        engine.dispose()
        what = "is not a SQLite database or cannot be opened" if backend == "sqlite" else "cannot be reached"
        raise StoreError(f"database {shown(resolved)} {what}: {_first_line(exc)}") from None
    return database


def _sqlite_engine(url: str, path: str, create: bool) -> Engine:
    if path in ("", ":memory:"):
        raise StoreError("an in-memory SQLite database forgets every line when the command ends: name a file")
    file = Path(path)
    if not file.parent.is_dir():
        raise StoreError(f"database {file}: the folder {file.parent} does not exist")
    if file.is_dir():
        raise StoreError(f"database {file} is a folder, not a SQLite file")
    if not create and not file.exists():
        raise StoreError(f"database {file} does not exist")
    # One connection per checkout (NullPool): a SQLite connection is cheap, and pooled connections would
    # keep file handles open across fork() in the concurrency tests and in worker processes.
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite's own BEGIN is deferred and too late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a commit that returned survives a power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


def _is_connect_failure(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return any(s in message for s in ("connection refused", "could not connect", "connection failed", "timeout expired"))


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__
