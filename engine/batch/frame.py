"""A batch of applicants as typed columns, and the way back to row-path records.

Column conventions (one column per data-dictionary path, named by the path, e.g. 'tax.paid_12m'):
  integer, number, money  exact fixed-point integers (Int64, or Int128 when wide) at a per-column scale:
                          money holds cents (scale 2), integers scale 0, a number the decimals it needs
  boolean, string, enum   Boolean, String
  date                    Date
  string_list             List(String)
plus '$row' (1-based row number in the input), '$id' (the applicant id or null), one presence column per
data source ('$has.tax': true when any field of the source is present, else null: what has(tax)
tests) and '$fallback' (true for rows the columnar path must leave to the row path).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import polars as pl

from engine.batch.columnar import FieldInfo, from_scaled
from engine.documents.models import DataDictionary

ROW = "$row"
ID = "$id"
FALLBACK = "$fallback"
NUMERIC = ("integer", "number", "money")


def presence_column(source: str) -> str:
    return f"$has.{source}"


def field_kind(dictionary_type: str) -> str:
    if dictionary_type in NUMERIC:
        return "number"
    if dictionary_type in ("string", "enum"):
        return "string"
    if dictionary_type == "string_list":
        return "list"
    return dictionary_type  # boolean, date


@dataclass
class Reject:
    row: int
    id: str | None
    field: str
    value: str
    message: str


@dataclass
class Batch:
    """Validated applicants as columns, and the rows that did not validate."""

    frame: pl.DataFrame
    fields: dict[str, FieldInfo]
    dictionary_types: dict[str, str]  # path -> dictionary type (integer, money, ...)
    rows_read: int
    rejects: list[Reject] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)  # pass-through columns, copied to the output

    @property
    def sources(self) -> dict[str, str]:
        return {c.removeprefix("$has."): c for c in self.frame.columns if c.startswith("$has.")}

    def slice(self, offset: int, length: int) -> "Batch":
        return Batch(self.frame.slice(offset, length), self.fields, self.dictionary_types, min(length, self.frame.height),
                     [], self.keep)

    def filter(self, mask: pl.Expr | pl.Series) -> "Batch":
        return Batch(self.frame.filter(mask), self.fields, self.dictionary_types, 0, [], self.keep)


def add_presence(frame: pl.DataFrame, dictionary: DataDictionary, paths: list[str]) -> pl.DataFrame:
    by_source: dict[str, list[str]] = {}
    for path in paths:
        by_source.setdefault(path.split(".")[0], []).append(path)
    columns = []
    for source, members in by_source.items():
        present = pl.any_horizontal([pl.col(p).is_not_null() for p in members])
        columns.append(pl.when(present).then(pl.lit(True)).otherwise(None).alias(presence_column(source)))
    return frame.with_columns(columns) if columns else frame


def records(batch: Batch) -> Iterator[dict[str, Any]]:
    """The frame's rows as the flat records the row path evaluates (exactly what flatten() gives)."""
    frame = batch.frame
    columns: list[tuple[str, list[Any]]] = []
    for path, info in batch.fields.items():
        values = frame.get_column(path)
        kind = batch.dictionary_types[path]
        if info.kind == "number":
            raw = values.to_list()
            if kind == "integer":
                converted = [None if v is None else int(v) // 10**info.scale for v in raw]
            else:
                converted = [None if v is None else from_scaled(v, info.scale) for v in raw]
            columns.append((path, converted))
        elif info.kind == "list":
            columns.append((path, [None if v is None else tuple(v) for v in values.to_list()]))
        else:
            columns.append((path, values.to_list()))
    sources = [(source, frame.get_column(column).to_list()) for source, column in batch.sources.items()]
    ids = frame.get_column(ID).to_list()
    for i in range(frame.height):
        record: dict[str, Any] = {}
        for path, column_values in columns:
            value = column_values[i]
            if value is not None:
                record[path] = value
        for source, flags in sources:
            if flags[i]:
                record[source] = True
        if ids[i] is not None:
            record["$id"] = ids[i]
        yield record
