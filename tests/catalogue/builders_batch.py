"""Builders for the batch-input rows of the catalogue (cases_batch.yaml): Parquet files with every column
type a warehouse exports, text in other encodings, and records too long or too deep to write inline."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

_DTYPES: dict[str, Any] = {
    "Int8": pl.Int8, "Int16": pl.Int16, "Int32": pl.Int32, "Int64": pl.Int64,
    "UInt8": pl.UInt8, "UInt16": pl.UInt16, "UInt32": pl.UInt32, "UInt64": pl.UInt64,
    "Float32": pl.Float32, "Float64": pl.Float64, "Boolean": pl.Boolean, "String": pl.String,
    "Categorical": pl.Categorical, "Null": pl.Null, "Date": pl.Date, "Datetime": pl.Datetime("us"),
}


def _dtype(name: str) -> Any:
    if name.startswith("Decimal("):
        precision, scale = (int(x) for x in name[len("Decimal("):-1].split(","))
        return pl.Decimal(precision, scale)
    if name.startswith("Enum("):
        return pl.Enum(name[len("Enum("):-1].split("|"))
    if name == "DatetimeShanghai":
        return pl.Datetime("us", "Asia/Shanghai")
    return _DTYPES[name]


def _value(text: Any, dtype: Any) -> Any:
    """A cell given as YAML text, as the Python value polars builds the column from."""
    if text is None or dtype == pl.Null:
        return None
    if isinstance(dtype, pl.Decimal):
        return Decimal(str(text))
    if isinstance(dtype, pl.Datetime):
        return datetime.fromisoformat(str(text))
    if dtype == pl.Date:
        return date.fromisoformat(str(text))
    if dtype in (pl.Float32, pl.Float64):
        return float(text)
    if dtype == pl.Boolean:
        return bool(text)
    if dtype.is_integer():
        return int(text)
    return str(text)


def parquet_column(path: Path, column: str, dtype: str, values: list[Any], ages: bool = True) -> None:
    """A Parquet customer list: ids r1.., an applicant age of 40 (unless ages is false) and one column
    `column` of the named type (Int8 .. UInt64, Float32/64, Decimal(p,s), String, Categorical, Enum(a|b),
    Boolean, Date, Datetime, DatetimeShanghai, Null) holding `values`."""
    kind = _dtype(dtype)
    series: pl.Series
    if kind == pl.Null:
        series = pl.Series(column, [None] * len(values), dtype=pl.Null)
    elif isinstance(kind, (pl.Categorical, pl.Enum)):
        series = pl.Series(column, [None if v is None else str(v) for v in values], dtype=pl.String).cast(kind)
    elif isinstance(kind, pl.Datetime) and kind.time_zone:
        naive = pl.Series(column, [_value(v, pl.Datetime("us")) for v in values], dtype=pl.Datetime("us"))
        series = naive.dt.replace_time_zone(kind.time_zone)
    else:
        series = pl.Series(column, [_value(v, kind) for v in values], dtype=kind)
    columns = [pl.Series("id", [f"r{i + 1}" for i in range(len(values))], dtype=pl.String)]
    if ages and column != "applicant.age":
        columns.append(pl.Series("applicant.age", [40] * len(values), dtype=pl.Int64))
    pl.DataFrame(columns + [series]).write_parquet(path)


def encoded_text(path: Path, text: str, encoding: str = "gb18030") -> None:
    """Text written in another encoding (GBK/GB18030, the Chinese Windows default, by default)."""
    path.write_bytes(text.encode(encoding))


def long_cell_csv(path: Path, column: str = "loan.purpose", chars: int = 1_100_000) -> None:
    """A CSV whose second record holds one cell longer than the 1 MiB record limit."""
    path.write_text(f"id,{column}\nshort,x\nlong,{'a' * chars}\nafter,y\n", encoding="utf-8")


def deep_jsonl(path: Path, depth: int = 100_000) -> None:
    """A JSON Lines record nested `depth` arrays deep, between two good records."""
    good = '{"id": "ok", "applicant": {"age": 40}}'
    path.write_text(f'{good}\n{{"id": "deep", "x": {"[" * depth}{"]" * depth}}}\n{good}\n', encoding="utf-8")


def long_integer_jsonl(path: Path, digits: int = 5000, field: str = "applicant.age") -> None:
    """A JSON Lines record whose number has thousands of digits (Python refuses int() past 4,300)."""
    source, name = field.split(".", 1)
    path.write_text(f'{{"id": "big", "{source}": {{"{name}": {"9" * digits}}}}}\n', encoding="utf-8")


def many_csv_rows(path: Path, rows: int = 2_500, bad_every: int = 997) -> None:
    """A CSV of `rows` records in which every `bad_every`-th record lacks its last cells (read in chunks)."""
    lines = ["id,applicant.age,tax.paid_12m,tax.grade"]
    for i in range(1, rows + 1):
        lines.append(f"m{i}" if i % bad_every == 0 else f"m{i},{30 + i % 30},{1000 + i}.50,A")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
