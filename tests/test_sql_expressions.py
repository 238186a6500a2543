"""The SQL rendering of expressions gives, on DuckDB, what the row path gives: same values, same unknowns."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest
import sqlglot.expressions as sg

from engine.expressions import compile_expression, nodes as n, parse_expression
from engine.sql.expressions import SqlExpressions, SqlUnsupported

TODAY = date(2025, 1, 1)


SQL_TYPES = {"number": "DECIMAL(38, 10)", "date": "DATE", "string": "VARCHAR", "boolean": "BOOLEAN"}


def field_kinds(node: n.Node) -> dict[str, str]:
    """The dictionary type of every field the expression reads (a column of an unknown value still has one)."""
    found = {node.path: node.type.kind} if isinstance(node, n.FieldRef) else {}
    for child in node.children():
        found.update(field_kinds(child))
    return found


def on_duckdb(text: str, scope, record: dict[str, Any]) -> Any:
    """One applicant as a one-row table with typed dotted columns; the expression as a SELECT on it."""
    node = parse_expression(text, scope)
    translate = SqlExpressions(sg.Cast(this=sg.Literal.string(TODAY.isoformat()), to=sg.DataType.build("DATE")))
    kinds = field_kinds(node)
    typed = {name: SQL_TYPES[kinds[name]] for name in record}
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (" + ", ".join(f'"{c}" {t}' for c, t in typed.items()) + ")")
    connection.execute("INSERT INTO t VALUES (" + ", ".join("?" for _ in typed) + ")", list(record.values()))
    query = sg.select(translate(node).as_("v")).from_("t").sql(dialect="duckdb")
    row = connection.execute(query).fetchone()
    assert row is not None
    return row[0]


def on_rows(text: str, scope, record: dict[str, Any]) -> Any:
    return compile_expression(text, parse_expression(text, scope))({**record, "$date": TODAY})


def same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)) and not isinstance(a, bool):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


CASES = [
    ("applicant.age >= 18 and tax.paid_12m > 10000", {"applicant.age": 40, "tax.paid_12m": None}),
    ("applicant.age >= 18 or tax.paid_12m > 10000", {"applicant.age": 40, "tax.paid_12m": None}),
    ("not (applicant.age >= 18)", {"applicant.age": None}),
    ("tax.paid_12m / applicant.age", {"applicant.age": 0, "tax.paid_12m": Decimal("100")}),
    ("tax.paid_12m / applicant.age", {"applicant.age": 8, "tax.paid_12m": Decimal("100")}),
    ("round(tax.paid_12m, 0)", {"tax.paid_12m": Decimal("2.5")}),
    ("round(tax.paid_12m, 1)", {"tax.paid_12m": Decimal("-2.25")}),
    ("years_since(applicant.birth_date)", {"applicant.birth_date": date(2024, 12, 31)}),
    ("years_since(applicant.birth_date)", {"applicant.birth_date": date(1990, 1, 2)}),
    ("months_since(applicant.birth_date)", {"applicant.birth_date": date(2024, 2, 2)}),
    ("abs(0 - applicant.age)", {"applicant.age": 7}),
    ("min(applicant.age, tax.paid_12m)", {"applicant.age": 7, "tax.paid_12m": None}),
    ("max(applicant.age, tax.paid_12m, 3)", {"applicant.age": 7, "tax.paid_12m": Decimal("9.5")}),
    ("clamp(tax.paid_12m, 0, 100)", {"tax.paid_12m": Decimal("150.25")}),
    ("round_down(tax.paid_12m, 10000)", {"tax.paid_12m": Decimal("123456.78")}),
    ("round_down(tax.paid_12m, 0 - 5)", {"tax.paid_12m": Decimal("12")}),
    ("floor(tax.paid_12m) + ceil(tax.paid_12m)", {"tax.paid_12m": Decimal("-2.5")}),
    ("coalesce(tax.paid_12m, 0) > 5", {"tax.paid_12m": None}),
    ("has(tax.paid_12m)", {"tax.paid_12m": None}),
    ("tax.grade in ['A', 'B']", {"tax.grade": "C"}),
    ("tax.grade not in ['A', 'B']", {"tax.grade": None}),
    ("params.mult[tax.grade] * 2", {"tax.grade": "B"}),
    ("params.mult[tax.grade]", {"tax.grade": "Z"}),
    ("applicant.age if applicant.age > 10 else 0", {"applicant.age": None}),
]


@pytest.mark.parametrize("text,record", CASES)
def test_duckdb_agrees_with_the_row_path(text: str, record: dict[str, Any], scope) -> None:
    expected = on_rows(text, scope, record)
    assert same(on_duckdb(text, scope, record), expected), (text, record, expected)


def test_an_unsupported_construct_is_named(scope) -> None:
    node = parse_expression("'bad_debt' in credit_bureau.special_status", scope)
    with pytest.raises(SqlUnsupported, match="membership in a list field"):
        SqlExpressions(sg.Null())(node)


def test_postgresql_agrees_with_the_row_path(postgres_url: str, scope) -> None:
    """The same expressions rendered for PostgreSQL, run on the real test cluster (round and division
    differ there from DuckDB when written naively)."""
    import psycopg

    translate = SqlExpressions(sg.Cast(this=sg.Literal.string(TODAY.isoformat()), to=sg.DataType.build("DATE")))
    disagreements = []
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as connection:
        for number, (text, record) in enumerate(CASES):
            node = parse_expression(text, scope)
            kinds = field_kinds(node)
            table = f"t{number}"
            connection.execute(f"CREATE TABLE {table} (" + ", ".join(f'"{c}" {SQL_TYPES[kinds[c]]}' for c in record) + ")")
            connection.execute(f"INSERT INTO {table} VALUES (" + ", ".join("%s" for _ in record) + ")", list(record.values()))
            query = sg.select(translate(node).as_("v")).from_(table).sql(dialect="postgres")
            row = connection.execute(query).fetchone()  # type: ignore[arg-type]
            assert row is not None
            if not same(row[0], on_rows(text, scope, record)):
                disagreements.append((text, row[0]))
    assert disagreements == []


def test_dotted_columns_are_quoted_per_dialect(scope) -> None:
    node = parse_expression("tax.paid_12m / applicant.age > 1", scope)
    translate = SqlExpressions(sg.CurrentDate())
    assert "`tax.paid_12m`" in translate(node).sql(dialect="spark")
    assert '"tax.paid_12m"' in translate(node).sql(dialect="postgres")
    assert "NULLIF(" in translate(node).sql(dialect="spark")
