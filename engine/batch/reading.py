"""Reading a customer list (CSV, JSON Lines, Parquet) into a validated Batch.

Every value is checked against the data dictionary with the row path's own vocabulary: well-formed
cells are converted column by column (fast), and every other cell goes through
engine.documents.applicant.check_value, the function that validates a single applicant, so a bad value is
reported with the same message whichever way it arrives. A row with any bad value is rejected with
its row number, field and message; the others go on.

CSV: a header of dotted paths ('tax.paid_12m') and optionally 'id'; every cell is read as text and
converted by the dictionary type; an empty cell is missing; a list cell is items joined by ';'
(or a JSON array, '[]' for an empty list). JSON Lines: one nested applicant document per line, as
`pf evaluate` reads it. Parquet: dotted column names (or nested struct columns), typed or text.
"""
from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import polars as pl
from polars.datatypes import DataType, DataTypeClass

from engine.batch.columnar import INPUT_BOUND, FieldInfo, to_scaled
from engine.batch.frame import FALLBACK, ID, ROW, Batch, Reject, add_presence, field_kind
from engine.core.errors import UsageError, did_you_mean
from engine.documents.applicant import check_value, flatten
from engine.documents.models import DataDictionary, FieldDef

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
MAX_NUMBER_SCALE = 18
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTEGER_TEXT = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def detect_format(path: Path, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: cannot tell the format from the extension {path.suffix!r} "
                         "(use .csv, .jsonl or .parquet, or --input-format)")
    return fmt


def read_batch(path: Path | str, dictionary: DataDictionary, *, fmt: str | None = None, keep: list[str] | None = None,
               id_column: str = "id") -> Batch:
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    fmt = detect_format(path, fmt)
    keep = list(keep or [])
    try:
        if fmt == "jsonl":
            return _read_jsonl(path, dictionary, keep, id_column)
        if fmt == "csv":
            raw = pl.read_csv(path, infer_schema=False)
            # An empty (or blank) cell is a missing value, as an absent field is in a document.
            raw = raw.with_columns(pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
                                   for c in raw.columns)
        else:
            raw = pl.read_parquet(path)
            raw = _unnest_structs(raw)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read {fmt}: {exc}") from None
    return frame_batch(raw, dictionary, keep=keep, id_column=id_column, source=str(path), text=fmt == "csv")


def _unnest_structs(frame: pl.DataFrame) -> pl.DataFrame:
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


def frame_batch(raw: pl.DataFrame, dictionary: DataDictionary, *, keep: list[str] | None = None, id_column: str = "id",
                source: str = "input", text: bool = False) -> Batch:
    """Validate and convert a frame of dotted columns (text or typed) into a Batch."""
    keep = list(keep or [])
    known = set(dictionary.paths())
    unknown = [c for c in raw.columns if c not in known and c != id_column and c not in keep]
    if unknown:
        hints = [f"{c!r}" + (f" ({h})" if (h := did_you_mean(c, known)) else "") for c in unknown]
        raise UsageError(f"{source}: unknown column(s) {', '.join(hints)}; columns are data-dictionary paths "
                         f"such as tax.paid_12m, or '{id_column}'; pass other columns through with --keep NAME")
    missing_keep = [c for c in keep if c not in raw.columns]
    if missing_keep:
        raise UsageError(f"{source}: --keep column(s) not in the input: {', '.join(missing_keep)}")
    height = raw.height
    frame_columns: dict[str, pl.Series] = {ROW: pl.Series(ROW, range(1, height + 1), dtype=pl.Int64)}
    if id_column in raw.columns:
        ids = raw.get_column(id_column)
        frame_columns[ID] = (ids.cast(pl.String) if ids.dtype != pl.String else ids).alias(ID)
    else:
        frame_columns[ID] = pl.Series(ID, [None] * height, dtype=pl.String)
    ids_list: list[str | None] | None = None
    rejects: list[Reject] = []
    fields: dict[str, FieldInfo] = {}
    types: dict[str, str] = {}
    fallback = pl.select(pl.repeat(False, height, dtype=pl.Boolean).alias(FALLBACK)).to_series()
    paths = [c for c in raw.columns if c in known]

    def convert(path: str) -> tuple[pl.Series, list[tuple[int, str, str]], FieldInfo, pl.Series | None]:
        definition = dictionary.field(path)
        assert definition is not None
        return _Converter(path, definition, raw.get_column(path), text).run()

    # Columns convert independently and polars releases the GIL while it computes: one thread per core.
    with ThreadPoolExecutor(max_workers=max(os.cpu_count() or 1, 1)) as pool:
        converted_columns = list(pool.map(convert, paths))
    for path, (converted, problems, info, big) in zip(paths, converted_columns):
        definition = dictionary.field(path)
        assert definition is not None
        if problems:
            if ids_list is None:
                ids_list = frame_columns[ID].to_list()
            rejects.extend(Reject(i + 1, ids_list[i], path, value, message) for i, value, message in problems)
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
    rejects.sort(key=lambda r: (r.row, paths.index(r.field) if r.field in paths else -1))
    return Batch(frame, fields, types, height, rejects, keep)


class _Converter:
    """One column: a fast vectorised path for well-formed cells, check_value for every other cell."""

    def __init__(self, path: str, definition: FieldDef, column: pl.Series, text: bool):
        self.path = path
        self.definition = definition
        self.column = column
        self.text = text or column.dtype == pl.String
        self.from_text = text  # the whole source is text (CSV): surrounding spaces are layout, not data
        self.kind = field_kind(definition.type)

    def run(self) -> tuple[pl.Series, list[tuple[int, str, str]], FieldInfo, pl.Series | None]:
        column = self.column
        if column.dtype == pl.Null:
            return self.empty(), [], self.info(0), None
        method = getattr(self, "as_" + self.kind)
        return method(column)

    def info(self, scale: int, wide: bool = False) -> FieldInfo:
        if self.kind != "number":
            return FieldInfo(self.kind)
        return FieldInfo("number", scale, INPUT_BOUND * 10**scale, wide)

    def empty(self) -> pl.Series:
        dtypes: dict[str, DataType | DataTypeClass] = {"number": pl.Int64, "boolean": pl.Boolean, "string": pl.String,
                                                        "date": pl.Date, "list": pl.List(pl.String)}
        dtype = dtypes[self.kind]
        return pl.Series(self.path, [None] * len(self.column), dtype=dtype)

    # ------------------------------------------------------------ generic slow path

    def natural(self, value: Any) -> Any:
        """The value as the row path would receive it from a JSON or YAML document."""
        if isinstance(value, str) and self.text:
            stripped = value.strip()
            if self.kind == "number":
                if not _NUMBER_TEXT.match(stripped):
                    return value
                number = Decimal(stripped)
                return int(stripped) if _INTEGER_TEXT.match(stripped) else number
            if self.kind == "boolean":
                lowered = stripped.lower()
                return True if lowered in _TRUE else False if lowered in _FALSE else value
            if self.kind == "list":
                if stripped.startswith("["):
                    try:
                        return json.loads(stripped)
                    except json.JSONDecodeError:
                        return value
                return [item.strip() for item in stripped.split(";") if item.strip()]
            if self.kind == "date":
                return stripped
            return value
        if isinstance(value, float):
            return Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else value
        if isinstance(value, list):
            return value
        return value

    def check(self, indices: list[int], raw: list[Any]) -> tuple[dict[int, Any], list[tuple[int, str, str]]]:
        good: dict[int, Any] = {}
        problems: list[tuple[int, str, str]] = []
        for i in indices:
            value = self.natural(raw[i])
            checked, error = check_value(self.definition, value)
            if error is None and self.kind == "number" and self.definition.type != "integer":
                try:
                    to_scaled(checked)
                    if to_scaled(checked)[1] > MAX_NUMBER_SCALE:
                        error = f"more than {MAX_NUMBER_SCALE} decimals are not supported, got {checked}"
                except Exception:
                    error = f"not a finite number: {checked}"
            if error is not None:
                problems.append((i, _show(raw[i]), error))
            else:
                good[i] = checked
        return good, problems

    # ------------------------------------------------------------ numbers

    def as_number(self, column: pl.Series) -> tuple[pl.Series, list, FieldInfo, pl.Series | None]:
        clean = self.clean_number(column)
        if clean is not None:
            return clean
        dtype_name = self.definition.type
        n = len(column)
        scaled: pl.Series | None = None
        scale = 2 if dtype_name == "money" else 0
        if column.dtype.is_integer():
            scaled = column.cast(pl.Int128)
            frac_ok = _all(n)
            col_scale = 0
        elif isinstance(column.dtype, pl.Decimal):
            col_scale = column.dtype.scale or 0
            scaled = column.to_physical().cast(pl.Int128)
            if col_scale > scale and dtype_name != "number":
                unit = 10 ** (col_scale - scale)
                frac_ok = (scaled % unit == 0) | scaled.is_null()
                scaled = scaled // unit
                col_scale = scale
            else:
                frac_ok = _all(n)
        else:
            text = column.cast(pl.String) if column.dtype.is_float() else column
            if text.dtype != pl.String:
                return self.slow_number(column, list(range(n)), None, scale)
            return self.text_number(text)
        indices = (~frac_ok.fill_null(True)).arg_true().to_list()
        return self.finish_number(scaled, col_scale, indices, column.to_list() if indices else None)

    def clean_number(self, column: pl.Series) -> tuple[pl.Series, list, FieldInfo, None] | None:
        """The common case in one pass of 64-bit arithmetic: an integer or narrow decimal column whose every
        value is in range and needs no rounding. Anything else (None) takes the general path below, which
        gives the same result for such a column and the exact messages for the others."""
        dtype = column.dtype
        dtype_name = self.definition.type
        if dtype.is_integer():
            col_scale, precision = 0, 18
            physical = column.cast(pl.Int64, strict=False)
            if physical.null_count() != column.null_count():
                return None
        elif isinstance(dtype, pl.Decimal) and (dtype.precision or 38) <= 18:
            col_scale, precision = dtype.scale or 0, dtype.precision or 18
            physical = column.to_physical().cast(pl.Int64)
        else:
            return None
        target = 2 if dtype_name == "money" else 0 if dtype_name == "integer" else col_scale
        if col_scale > target or col_scale > 3 or precision + (target - col_scale) > 18:
            return None
        scaled = physical * 10 ** (target - col_scale) if target > col_scale else physical
        checks = [scaled.abs() > INPUT_BOUND * 10**target] + self.out_of_range(scaled, target)
        if any(check.fill_null(False).any() for check in checks):
            return None
        return scaled.alias(self.path), [], self.info(target, False), None

    def out_of_range(self, scaled: pl.Series, scale: int) -> list[pl.Series]:
        """Flags of values below the dictionary's min or above its max (scaled integers at `scale`)."""
        flags = []
        if self.definition.min is not None:
            lo, lo_scale = to_scaled(self.definition.min)
            flags.append(scaled < _at_scale(lo, lo_scale, scale))
        if self.definition.max is not None:
            hi, hi_scale = to_scaled(self.definition.max)
            flags.append(scaled > _at_scale(hi, hi_scale, scale))
        return flags

    def text_number(self, text: pl.Series):
        """Plain decimal text (the common case) converted in bulk; anything else cell by cell."""
        dtype_name = self.definition.type
        parts = pl.DataFrame({"t": text}).select(
            pl.col("t").str.strip_chars().str.extract_groups(r"^([+-]?)(\d*)(?:\.(\d*))?$").alias("p")).unnest("p")
        parts.columns = ["sign", "whole", "frac"]
        parts = parts.with_columns(pl.col("frac").fill_null(""))
        well = (pl.col("whole").is_not_null() & ((pl.col("whole").str.len_chars() > 0) | (pl.col("frac").str.len_chars() > 0))
                & (pl.col("whole").str.len_chars() + pl.col("frac").str.len_chars() <= 30))
        frac_len = pl.col("frac").str.len_chars()
        if dtype_name == "money":
            well = well & (frac_len <= 2)
            col_scale = 2
        elif dtype_name == "integer":
            well = well & (pl.col("frac").str.strip_chars_end("0").str.len_chars() == 0)
            col_scale = 0
        else:
            longest = parts.select(frac_len.filter(well).max()).item()
            col_scale = min(int(longest or 0), MAX_NUMBER_SCALE)
            well = well & (frac_len <= col_scale)
        padded = pl.col("frac").str.slice(0, col_scale).str.pad_end(col_scale, "0") if col_scale else pl.lit("")
        magnitude = (pl.col("whole") + padded).str.replace(r"^$", "0").cast(pl.Int128, strict=False)
        result = parts.select(
            scaled=pl.when(well).then(pl.when(pl.col("sign") == "-").then(pl.lit(0, dtype=pl.Int128) - magnitude).otherwise(magnitude)),
            bad=~well & pl.col("whole").is_not_null() | (pl.col("whole").is_null() & pl.lit(text).is_not_null()),
        )
        indices = result.get_column("bad").fill_null(False).arg_true().to_list()
        return self.finish_number(result.get_column("scaled"), col_scale, indices, text.to_list() if indices else None)

    def slow_number(self, column: pl.Series, indices: list[int], _scaled: Any, scale: int):
        raw = column.to_list()
        indices = [i for i in indices if raw[i] is not None]
        empty = pl.Series([None] * len(column), dtype=pl.Int128)
        return self.finish_number(empty, scale, indices, raw)

    def finish_number(self, scaled: pl.Series, col_scale: int, indices: list[int], raw: list[Any] | None):
        problems: list[tuple[int, str, str]] = []
        if indices and raw is not None:
            good, problems = self.check(indices, raw)
            if good:
                scales = [to_scaled(v)[1] for v in good.values()]
                if self.definition.type == "number" and max(scales) > col_scale:
                    factor = 10 ** (max(scales) - col_scale)
                    scaled = scaled * factor
                    col_scale = max(scales)
                values = []
                for v in good.values():
                    integer, s = to_scaled(v)
                    values.append(integer * 10 ** (col_scale - s))
                scaled = scaled.cast(pl.Int128).scatter(list(good.keys()), pl.Series(values, dtype=pl.Int128))
            if problems:
                scaled = scaled.cast(pl.Int128).scatter([p[0] for p in problems], pl.Series([None] * len(problems), dtype=pl.Int128))
        scaled = scaled.cast(pl.Int128)
        target = 2 if self.definition.type == "money" else col_scale if self.definition.type == "number" else 0
        if target > col_scale:
            scaled = scaled * 10 ** (target - col_scale)
            col_scale = target
        # Range checks (min/max) in the dictionary: failing cells go through check_value for the message.
        limits = self.out_of_range(scaled, col_scale)
        if limits:
            out = limits[0]
            for extra in limits[1:]:
                out = out | extra
            out_idx = out.fill_null(False).arg_true().to_list()
            if out_idx:
                values = scaled.to_list()
                for i in out_idx:
                    value = Decimal(values[i]).scaleb(-col_scale) if col_scale else int(values[i])
                    if self.definition.type == "integer":
                        value = int(value)
                    elif raw is not None and not isinstance(raw[i], (int, Decimal)) and self.text:
                        value = self.natural(raw[i])
                    _, error = check_value(self.definition, value)
                    problems.append((i, _show(raw[i] if raw is not None else value), error or "out of range"))
                scaled = scaled.scatter(out_idx, pl.Series([None] * len(out_idx), dtype=pl.Int128))
        bound = INPUT_BOUND * 10**col_scale
        big = scaled.abs() > bound
        is_wide = bool(col_scale > 3)
        result = scaled if is_wide else scaled.cast(pl.Int64, strict=False)
        if not is_wide:
            overflow = result.is_null() & scaled.is_not_null()
            if overflow.any():  # beyond Int64: keep it wide (those rows go to the row path anyway)
                result, is_wide = scaled, True
        big_any = big.fill_null(False)
        return result, problems, self.info(col_scale, is_wide), big_any if big_any.any() else None

    # ------------------------------------------------------------ other kinds

    def generic(self, column: pl.Series, good_mask: pl.Series, converted: pl.Series, make: Callable[[Any], Any]):
        indices = (~good_mask.fill_null(True)).arg_true().to_list()
        problems: list[tuple[int, str, str]] = []
        if indices:
            raw = column.to_list()
            good, problems = self.check(indices, raw)
            if isinstance(converted.dtype, pl.List):  # polars cannot scatter into a list column
                values = converted.to_list()
                for i, v in good.items():
                    values[i] = make(v)
                for p in problems:
                    values[p[0]] = None
                converted = pl.Series(converted.name, values, dtype=converted.dtype)
            else:
                if good:
                    converted = converted.scatter(list(good.keys()), pl.Series([make(v) for v in good.values()], dtype=converted.dtype))
                if problems:
                    converted = converted.scatter([p[0] for p in problems], pl.Series([None] * len(problems), dtype=converted.dtype))
        return converted, problems, self.info(0), None

    def as_boolean(self, column: pl.Series):
        if column.dtype == pl.Boolean:
            return column, [], self.info(0), None
        if column.dtype == pl.String:
            lowered = column.str.strip_chars().str.to_lowercase()
            converted = pl.select(pl.when(pl.lit(lowered).is_in(list(_TRUE))).then(True)
                                  .when(pl.lit(lowered).is_in(list(_FALSE))).then(False).otherwise(None)).to_series()
            return self.generic(column, converted.is_not_null() | column.is_null(), converted, lambda v: v)
        converted = pl.Series([None] * len(column), dtype=pl.Boolean)
        return self.generic(column, column.is_null(), converted, lambda v: v)

    def as_string(self, column: pl.Series):
        if column.dtype in (pl.Categorical, pl.Enum) or isinstance(column.dtype, (pl.Categorical, pl.Enum)):
            column = column.cast(pl.String)
        if column.dtype != pl.String:
            converted = pl.Series([None] * len(column), dtype=pl.String)
            return self.generic(column, column.is_null(), converted, lambda v: v)
        if self.from_text:
            column = column.str.strip_chars()
        ok = column.is_null()
        if self.definition.type == "enum":
            ok = ok | column.is_in(list(self.definition.values or []))
        else:
            ok = _all(len(column))
        return self.generic(column, ok, column.clone(), lambda v: v)

    def as_date(self, column: pl.Series):
        if column.dtype == pl.Date:
            return column, [], self.info(0), None
        if column.dtype == pl.String:
            converted = column.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
            return self.generic(column, converted.is_not_null() | column.is_null(), converted, lambda v: v)
        if isinstance(column.dtype, pl.Datetime):
            converted = pl.Series([None] * len(column), dtype=pl.Date)
            return self.generic(column, column.is_null(), converted, lambda v: v)
        converted = pl.Series([None] * len(column), dtype=pl.Date)
        return self.generic(column, column.is_null(), converted, lambda v: v)

    def as_list(self, column: pl.Series):
        if isinstance(column.dtype, pl.List) and column.dtype.inner == pl.String:
            return column, [], self.info(0), None
        if column.dtype == pl.String:
            stripped = column.str.strip_chars()
            empty = stripped == "[]"
            simple = ~stripped.str.starts_with("[") | empty
            converted = pl.select(
                pl.when(pl.lit(empty)).then(pl.lit([], dtype=pl.List(pl.String)))
                .when(pl.lit(simple)).then(pl.lit(stripped).str.split(";").list.eval(pl.element().str.strip_chars())
                                           .list.eval(pl.element().filter(pl.element() != "")))
            ).to_series().cast(pl.List(pl.String))
            return self.generic(column, simple.fill_null(True), converted, lambda v: list(v))
        converted = pl.Series([None] * len(column), dtype=pl.List(pl.String))
        return self.generic(column, column.is_null(), converted, lambda v: list(v))


def _all(n: int) -> pl.Series:
    return pl.select(pl.repeat(True, n, dtype=pl.Boolean)).to_series()


def _at_scale(value: int, scale: int, target: int) -> int:
    if scale <= target:
        return value * 10 ** (target - scale)
    return value // 10 ** (scale - target) + (1 if value % 10 ** (scale - target) else 0)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return json.dumps([str(v) for v in value], ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- JSON Lines


def _read_jsonl(path: Path, dictionary: DataDictionary, keep: list[str], id_column: str) -> Batch:
    """Nested documents, validated by engine.documents.applicant.flatten itself: the row path's own checks."""
    records: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    rows: list[int] = []
    kept: dict[str, list[Any]] = {name: [] for name in keep}
    number = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            number += 1
            try:
                doc = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                rejects.append(Reject(number, None, "", line.strip()[:80], f"malformed JSON: {exc.msg} (column {exc.colno})"))
                continue
            doc_id = doc.get(id_column) if isinstance(doc, dict) else None
            extras = {name: doc.pop(name, None) for name in keep} if isinstance(doc, dict) else {}
            problems: list[tuple[str, str]] = []

            def report(where: tuple, message: str, hint: str | None = None, key: bool = False,
                       _problems: list = problems) -> None:
                _problems.append((".".join(map(str, where)), message + (f" ({hint})" if hint else "")))

            record = flatten(doc, dictionary, report)
            if problems:
                for where, message in problems:
                    value = _lookup(doc, where)
                    rejects.append(Reject(number, None if doc_id is None else str(doc_id), where, _show(value), message))
                continue
            records.append(record)
            rows.append(number)
            for name in keep:
                kept[name].append(extras.get(name))
    return records_batch(records, rows, dictionary, number, rejects, kept)


def _lookup(doc: Any, where: str) -> Any:
    value = doc
    for part in where.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


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
            dtypes: dict[str, DataType | DataTypeClass] = {"boolean": pl.Boolean, "string": pl.String, "date": pl.Date,
                                                            "list": pl.List(pl.String)}
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
