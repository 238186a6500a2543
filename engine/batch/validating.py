"""Validating the columns of a customer list (CSV, JSON Lines, Parquet) into a Batch.

Every value is checked against the data dictionary with the row path's own vocabulary: well-formed
cells are converted column by column (fast), and every other cell goes through
engine.documents.applicant.check_value (converting.py, numbers.py), the function that validates a single applicant, so a bad value is
reported with the same message whichever way it arrives. A row with any bad value is rejected with
its row number, field and message; the others go on.

CSV: a header of dotted paths ('tax.paid_12m') and optionally 'id'; every cell is read as text and
converted by the dictionary type; an empty cell is missing; a list cell is items joined by ';'
(or a JSON array, '[]' for an empty list). JSON Lines: one nested applicant document per line, as
`pf evaluate` reads it. Parquet: dotted column names (or nested struct columns), typed or text.
Reading the files, in chunks, is sources.py.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl

from engine.batch.converting import ColumnConverter
from engine.batch.fixed_point import INPUT_BOUND, FieldInfo, to_scaled
from engine.batch.frame import (
    FALLBACK,
    ID,
    ROW,
    Batch,
    Reject,
    add_presence,
    field_kind,
)
from engine.core.errors import UsageError, did_you_mean
from engine.documents.models import DataDictionary

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


def detect_format(path: Path, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: cannot tell the format from the extension {path.suffix!r} "
                         "(use .csv, .jsonl or .parquet, or --input-format)")
    return fmt


def unnest_structs(frame: pl.DataFrame) -> pl.DataFrame:
    """Parquet written from nested documents has struct columns: turn them into dotted columns."""
    structs = [c for c, t in frame.schema.items() if isinstance(t, pl.Struct)]
    if not structs:
        return frame
    columns: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Struct):
            columns.extend(pl.col(name).struct.field(f.name).alias(f"{name}.{f.name}") for f in dtype.fields)
        else:
            columns.append(pl.col(name))
    return frame.select(columns)


def check_columns(columns: list[str], dictionary: DataDictionary, keep: list[str], id_column: str, source: str) -> None:
    """Every column is a dictionary path, the id or a --keep column; every --keep column exists."""
    known = set(dictionary.paths())
    unknown = [c for c in columns if c not in known and c != id_column and c not in keep]
    if unknown:
        hints = [f"{c!r}" + (f" ({h})" if (h := did_you_mean(c, known)) else "") for c in unknown]
        raise UsageError(f"{source}: unknown column(s) {', '.join(hints)}; columns are data-dictionary paths "
                         f"such as tax.paid_12m, or '{id_column}'; pass other columns through with --keep NAME")
    missing_keep = [c for c in keep if c not in columns]
    if missing_keep:
        raise UsageError(f"{source}: --keep column(s) not in the input: {', '.join(missing_keep)}")


def frame_batch(raw: pl.DataFrame, dictionary: DataDictionary, *, keep: list[str] | None = None, id_column: str = "id",
                source: str = "input", text: bool = False, rows: pl.Series | None = None, rows_read: int | None = None,
                rejects: list[Reject] | None = None) -> Batch:
    """Validate and convert a frame of dotted columns (text or typed) into a Batch. `rows` numbers the
    frame's rows in the whole input (default 1..height); `rows_read` and `rejects` add rows a reader
    already refused (a CSV line with the wrong number of cells), so a chunk of a stream is a Batch too."""
    keep = list(keep or [])
    known = set(dictionary.paths())
    check_columns(raw.columns, dictionary, keep, id_column, source)
    height = raw.height
    numbers = rows if rows is not None else pl.Series(ROW, range(1, height + 1), dtype=pl.Int64)
    frame_columns: dict[str, pl.Series] = {ROW: numbers.cast(pl.Int64).alias(ROW)}
    if id_column in raw.columns:
        ids = raw.get_column(id_column)
        frame_columns[ID] = (ids.cast(pl.String) if ids.dtype != pl.String else ids).alias(ID)
    else:
        frame_columns[ID] = pl.Series(ID, [None] * height, dtype=pl.String)
    ids_list: list[str | None] | None = None
    row_list: list[int] | None = None
    refused = list(rejects or [])
    rejects = []
    fields: dict[str, FieldInfo] = {}
    types: dict[str, str] = {}
    fallback = pl.select(pl.repeat(False, height, dtype=pl.Boolean).alias(FALLBACK)).to_series()
    paths = [c for c in raw.columns if c in known]

    def convert(path: str) -> tuple[pl.Series, list[tuple[int, str, str]], FieldInfo, pl.Series | None]:
        definition = dictionary.field(path)
        assert definition is not None
        return ColumnConverter(path, definition, raw.get_column(path), text).run()

    # Columns convert independently and polars releases the GIL while it computes: one thread per core.
    with ThreadPoolExecutor(max_workers=max(os.cpu_count() or 1, 1)) as pool:
        converted_columns = list(pool.map(convert, paths))
    for path, (converted, problems, info, big) in zip(paths, converted_columns):
        definition = dictionary.field(path)
        assert definition is not None
        if problems:
            if ids_list is None:
                ids_list = frame_columns[ID].to_list()
                row_list = frame_columns[ROW].to_list()
            assert row_list is not None
            rejects.extend(Reject(row_list[i], ids_list[i], path, value, message) for i, value, message in problems)
        if big is not None:
            fallback = fallback | big
        frame_columns[path] = converted.alias(path)
        fields[path] = info
        types[path] = definition.type
    for name in keep:
        frame_columns[name] = raw.get_column(name)
    frame = pl.DataFrame(list(frame_columns.values()) + [fallback])
    if rejects:
        bad = sorted({r.row for r in rejects})
        frame = frame.filter(~pl.col(ROW).is_in(pl.Series(bad, dtype=pl.Int64).implode()))
    frame = add_presence(frame, dictionary, paths)
    rejects.extend(refused)
    rejects.sort(key=lambda r: (r.row, paths.index(r.field) if r.field in paths else -1))
    return Batch(frame, fields, types, height + len(refused) if rows_read is None else rows_read, rejects, keep)


def records_batch(records: list[dict[str, Any]], rows: list[int], dictionary: DataDictionary, rows_read: int,
                  rejects: list[Reject] | None = None, kept: dict[str, list[Any]] | None = None) -> Batch:
    """Flat, already validated records (flatten's output) as a Batch."""
    paths = [p for p in dictionary.paths() if any(p in r for r in records)]
    columns: dict[str, pl.Series] = {
        ROW: pl.Series(ROW, rows, dtype=pl.Int64),
        ID: pl.Series(ID, [r.get("$id") for r in records], dtype=pl.String),
    }
    fields: dict[str, FieldInfo] = {}
    types: dict[str, str] = {}
    fallback = pl.Series(FALLBACK, [False] * len(records), dtype=pl.Boolean)
    for path in paths:
        definition = dictionary.field(path)
        assert definition is not None
        kind = field_kind(definition.type)
        values = [r.get(path) for r in records]
        if kind == "number":
            scaled = [None if v is None else to_scaled(v) for v in values]
            scale = max([s for x in scaled if x is not None for s in (x[1],)] + [2 if definition.type == "money" else 0])
            ints = [None if x is None else x[0] * 10 ** (scale - x[1]) for x in scaled]
            series = pl.Series(path, ints, dtype=pl.Int128)
            big = (series.abs() > INPUT_BOUND * 10**scale).fill_null(False)
            fallback = fallback | big
            is_wide = scale > 3 or bool(big.any())
            columns[path] = series if is_wide else series.cast(pl.Int64)
            fields[path] = FieldInfo("number", scale, INPUT_BOUND * 10**scale, is_wide)
        else:
            dtypes: dict[str, Any] = {"boolean": pl.Boolean, "string": pl.String, "date": pl.Date, "list": pl.List(pl.String)}
            dtype = dtypes[kind]
            if kind == "list":
                values = [None if v is None else list(v) for v in values]
            columns[path] = pl.Series(path, values, dtype=dtype)
            fields[path] = FieldInfo(kind)
        types[path] = definition.type
    for name, values in (kept or {}).items():
        columns[name] = pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
    frame = pl.DataFrame(list(columns.values()) + [fallback]) if records else pl.DataFrame(
        list(columns.values()) + [fallback])
    frame = add_presence(frame, dictionary, paths)
    return Batch(frame, fields, types, rows_read, list(rejects or []), list((kept or {}).keys()))
