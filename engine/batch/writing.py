"""Writing batch results: Parquet, CSV or JSON Lines, always atomically.

Every file is written to a temporary name in the destination folder and renamed over the final name
only when complete, so an interrupted or failed run never leaves a half-written file under the name a
script will look for. Reason codes are a list column in Parquet and JSON Lines and a ';'-joined
string in CSV; money is an exact decimal (a string with two decimals in JSON Lines and CSV).
"""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Iterator

import polars as pl

from engine.batch.frame import Reject
from engine.core.errors import UsageError

OUTPUT_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def output_format(path: Path, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: cannot tell the output format from {path.suffix!r} (use .parquet, .csv or .jsonl)")
    return fmt


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed onto it when the block completes; removed on any failure."""
    path = Path(path)
    if not path.parent.exists():
        raise UsageError(f"{path.parent}: no such folder")
    temp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP): such a text
# cell is written with a leading single quote, which the spreadsheet shows as text. A plain signed number
# (-100.00) is no formula and stays as it is.
FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?[0-9]+(\.[0-9]+)?$"


def defuse(cell: pl.Expr) -> pl.Expr:
    risky = cell.str.contains(FORMULA_START) & ~cell.str.contains(PLAIN_NUMBER)
    return pl.when(risky).then(pl.lit("'") + cell).otherwise(cell)


def text_columns(frame: pl.DataFrame, joiner: str | None) -> pl.DataFrame:
    """Lists joined (CSV) or kept (JSON Lines); decimals as exact strings with their scale. For CSV
    (joiner given) every text cell that a spreadsheet would run as a formula is defused."""
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.Decimal):
            columns.append(column.cast(pl.String))
        elif isinstance(dtype, pl.List) and joiner is not None:
            columns.append(defuse(column.list.join(joiner)).alias(name))
        elif joiner is not None and (dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))):
            columns.append(defuse(column.cast(pl.String)).alias(name))
        else:
            columns.append(column)
    return frame.select(columns)


def write_frame(frame: pl.DataFrame, path: Path, fmt: str) -> None:
    with atomic_path(path) as temp:
        if fmt == "parquet":
            frame.write_parquet(temp)
        elif fmt == "csv":
            text_columns(frame, ";").write_csv(temp)
        elif fmt == "jsonl":
            text_columns(frame, None).write_ndjson(temp)
        else:  # pragma: no cover - callers pass a known format
            raise UsageError(f"unknown output format {fmt!r}")


def rejects_frame(rejects: list[Reject]) -> pl.DataFrame:
    return pl.DataFrame({
        "row": pl.Series([r.row for r in rejects], dtype=pl.Int64),
        "id": pl.Series([r.id for r in rejects], dtype=pl.String),
        "field": pl.Series([r.field for r in rejects], dtype=pl.String),
        "value": pl.Series([_clip(r.value) for r in rejects], dtype=pl.String),
        "message": pl.Series([r.message for r in rejects], dtype=pl.String),
    })


def _clip(value: str, limit: int = 200) -> str:
    """A rejected cell as shown in the rejects file: a cell of thousands of characters is cut in the middle."""
    return value if len(value) <= limit else value[:limit - 40] + "…" + value[-30:]


def write_rejects(rejects: list[Reject], path: Path, fmt: str) -> None:
    write_frame(rejects_frame(rejects), path, fmt)


def default_rejects_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}.rejects{output.suffix}")


def write_json(data: object, path: Path) -> None:
    with atomic_path(path) as temp:
        temp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def write_text(text: str, path: Path) -> None:
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
