from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine.catalog import Catalog
from engine.documents.models import DataDictionary
from engine.expressions import Scope, compile_expression, parse_expression

ROOT = Path(__file__).resolve().parent.parent
# This run's pack cache lives in a folder of its own, never the user's (PF_NO_CACHE=1 still turns it off).
os.environ["PF_CACHE_DIR"] = tempfile.mkdtemp(prefix="pf-cache-")
EXAMPLE_PACKS = sorted(p for p in (ROOT / "examples" / "packs").glob("*") if (p / "pack.yaml").exists())
EVALUATION_DATE = date(2026, 11, 25)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog(ROOT)


@pytest.fixture(scope="session")
def dictionary(catalog: Catalog) -> DataDictionary:
    return catalog.dictionary


@pytest.fixture(scope="session")
def scope(dictionary: DataDictionary) -> Scope:
    return Scope(dictionary, {"min_paid": 10000, "mult": {"A": 10, "B": 6}, "grades": ["A", "B"], "share": _d("0.2")})


def _d(text: str):
    from decimal import Decimal

    return Decimal(text)


def run(text: str, scope: Scope, record: dict[str, Any] | None = None, expect: str | None = None) -> Any:
    node = parse_expression(text, scope, expect)
    record = dict(record or {})
    record.setdefault("$date", EVALUATION_DATE)
    return compile_expression(text, node)(record)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the built-in dictionary and rulesets with an empty products/ folder."""
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    shutil.copytree(ROOT / "rulesets", tmp_path / "rulesets")
    (tmp_path / "products").mkdir()
    return tmp_path


@pytest.fixture(scope="session")
def postgres_cluster():
    """One real PostgreSQL server for the whole run (tests/support/postgres.py), stopped at the end."""
    from tests.support.postgres import SKIP_ENV, start_cluster

    if os.environ.get(SKIP_ENV) == "skip":
        pytest.skip(f"{SKIP_ENV}=skip")
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster) -> str:
    """A fresh, empty database on the test cluster, as a SQLAlchemy URL."""
    return postgres_cluster.create_database()
