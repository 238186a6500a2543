"""The store's foundation on real databases: SQLite files and the PostgreSQL test cluster."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text, update
from sqlalchemy.engine import Connection

from engine.store import Migration, Schema, StoreError, database_url, migrate, open_database

_meta = MetaData()
counter = Table("t_counter", _meta, Column("id", Integer, primary_key=True), Column("n", Integer, nullable=False))


def _create(conn: Connection) -> None:
    _meta.create_all(conn)
    conn.execute(insert(counter).values(id=1, n=0))


def _add_column(conn: Connection) -> None:
    conn.execute(text("alter table t_counter add column note varchar(20)"))


V1 = Schema("counter", (Migration(1, "counter table", _create),))
V2 = Schema("counter", (Migration(1, "counter table", _create), Migration(2, "a note", _add_column)))


def test_urls_plain_paths_are_sqlite_and_postgres_gets_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PF_DB", raising=False)
    assert database_url("x/lines.db") == "sqlite:///x/lines.db"
    assert database_url(None) == "sqlite:///pf.db"
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    monkeypatch.setenv("PF_DB", "postgres://u@h/e")
    assert database_url(None) == "postgresql+psycopg://u@h/e"


def test_sqlite_is_durable_wal(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "a.db"))
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_apply_once_then_forward_and_a_newer_database_is_refused(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "m.db"))
    assert migrate(db, V1) == 1
    assert migrate(db, V1) == 1  # idempotent: no second insert of the counter row
    assert migrate(db, V2) == 2
    with db.read() as conn:
        assert conn.execute(select(counter.c.n)).all() == [(0,)]
        assert conn.exec_driver_sql("select note from t_counter").all() == [(None,)]
    with pytest.raises(StoreError, match="counter schema is version 2, newer than this engine's 1"):
        migrate(db, V1)


def test_a_write_transaction_holds_the_lock_from_its_start(tmp_path: Path) -> None:
    """Two read-modify-write writers on SQLite never lose an update: BEGIN IMMEDIATE serialises them."""
    db = open_database(str(tmp_path / "c.db"))
    migrate(db, V1)

    def bump(times: int) -> None:
        for _ in range(times):
            with db.write() as conn:
                n = conn.execute(select(counter.c.n)).scalar_one()
                time.sleep(0.0005)  # widen the window a deferred transaction would lose an update in
                conn.execute(update(counter).values(n=n + 1))

    workers = [threading.Thread(target=bump, args=(50,)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    with db.read() as conn:
        assert conn.execute(select(counter.c.n)).scalar_one() == 200


def test_bad_databases_are_named_errors(tmp_path: Path) -> None:
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db is not a SQLite database"):
        open_database(str(tmp_path / "junk.db"))
    with pytest.raises(StoreError, match="folder .* does not exist"):
        open_database(str(tmp_path / "missing" / "x.db"))
    with pytest.raises(StoreError, match="is a folder"):
        open_database(str(tmp_path))
    with pytest.raises(StoreError, match="does not exist"):
        open_database(str(tmp_path / "absent.db"), create=False)
    with pytest.raises(StoreError, match="only sqlite and postgresql"):
        open_database("mysql://u@127.0.0.1/x")


def test_an_unreachable_postgres_is_named_without_its_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_database("postgresql://u:secret@127.0.0.1:1/x")
    assert "cannot be reached" in str(caught.value)
    assert "secret" not in str(caught.value)


def test_the_same_on_postgres(postgres_url: str) -> None:
    db = open_database(postgres_url)
    assert db.dialect == "postgresql"
    assert migrate(db, V1) == 1
    assert migrate(db, V2) == 2
    with db.write() as conn:
        n = conn.execute(db.for_update(select(counter.c.n))).scalar_one()
        conn.execute(update(counter).values(n=n + 5))
    with db.read() as conn:
        assert conn.execute(select(counter.c.n)).scalar_one() == 5
    with pytest.raises(StoreError, match="newer than this engine's 1"):
        migrate(db, V1)
    db.dispose()


def test_sqlite_file_left_readable_by_the_standard_library(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "s.db"))
    migrate(db, V1)
    db.dispose()
    with sqlite3.connect(tmp_path / "s.db") as plain:
        assert plain.execute("select component, version from pf_schema").fetchall() == [("counter", 1)]
