"""The SQL rendering of expressions gives, on DuckDB, what the row path gives: same values, same unknowns."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pytest
import sqlglot.expressions as sg

from engine.expressions import compile_expression, parse_expression
from engine.sql.expressions import SqlExpressions, SqlUnsupported

TODAY = date(2025, 1, 1)


SQL_TYPES = {Decimal: "DECIMAL(38, 10)", int: "BIGINT", date: "DATE", str: "VARCHAR", bool: "BOOLEAN"}


def on_duckdb(text: str, scope, record: dict[str, Any]) -> Any:
    """One applicant as a one-row table with typed dotted columns; the expression as a SELECT on it."""
    node = parse_expression(text, scope)
    translate = SqlExpressions(sg.Cast(this=sg.Literal.string(TODAY.isoformat()), to=sg.DataType.build("DATE")))
    typed = {name: SQL_TYPES.get(type(value), "DECIMAL(38, 10)") for name, value in record.items()}
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
]


@pytest.mark.parametrize("text,record", CASES)
def test_duckdb_agrees_with_the_row_path(text: str, record: dict[str, Any], scope) -> None:
    expected = on_rows(text, scope, record)
    assert same(on_duckdb(text, scope, record), expected), (text, record, expected)


def test_an_unsupported_construct_is_named(scope) -> None:
    node = parse_expression("len(credit_bureau.special_status) > 0", scope)
    with pytest.raises(SqlUnsupported, match=r"the function len\(\)"):
        SqlExpressions(sg.Null())(node)
