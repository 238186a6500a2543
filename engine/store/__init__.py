"""The store: one database for everything that lives beyond a decision (lines, pools, the decision log).

SQLite by default (one file, zero setup), PostgreSQL by URL, both through SQLAlchemy 2 Core, with versioned
schema migrations per component (`migrations.py`)."""
from engine.store.database import Database, StoreError, database_url, open_database
from engine.store.migrations import Migration, Schema, migrate, schema_version

__all__ = ["Database", "Migration", "Schema", "StoreError", "database_url", "migrate", "open_database", "schema_version"]
