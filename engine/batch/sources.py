"""A customer list as a stream of validated chunks: Parquet in row batches, CSV in blocks of whole records,
JSON Lines line by line. Each chunk is a Batch (reading.py) whose rows carry their number in the whole
input, so chunks are evaluated, written and summarised one after another in bounded memory, and the
results are those of one pass over the whole file.

The columns are checked when the source is opened (an unknown column is an error before any row is
read); `read_batch` is the whole input as one chunk, for callers that want it in memory.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import polars as pl

from engine.batch import DEFAULT_CHUNK_ROWS
from engine.batch.cells import number_text_problem, show
from engine.batch.csvfile import CsvReader, decode
from engine.batch.frame import Batch, Reject, field_kind
from engine.batch.validating import check_columns, detect_format, frame_batch, records_batch, unnest_structs
from engine.core.errors import UsageError
from engine.core.limits import LIMITS, number_problem
from engine.documents.applicant import flatten
from engine.documents.models import DataDictionary

_WHOLE = 2**62


@dataclass
class Source:
    """An opened customer list: what it is, how big (for progress), and its chunks."""

    path: Path
    fmt: str
    dictionary: DataDictionary
    keep: list[str]
    id_column: str
    chunk_rows: int
    encoding: str
    total_rows: int | None  # known up front for Parquet
    total_bytes: int

    def chunks(self) -> Iterator[tuple[Batch, int]]:
        """(validated chunk, bytes of the file read so far)."""
        try:
            if self.fmt == "parquet":
                yield from self._parquet()
            elif self.fmt == "csv":
                yield from self._csv()
            else:
                yield from self._jsonl()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise UsageError(f"{self.path}: cannot read {self.fmt}: {exc}") from None

    def _parquet(self) -> Iterator[tuple[Batch, int]]:
        # One slice of the scan at a time: the reader decodes only the row groups the slice needs and holds
        # nothing else (collect_batches reads ahead, and its memory grows with the file).
        offset = 0
        total = self.total_rows or 0
        scan = pl.scan_parquet(self.path)
        while offset < total:
            raw = scan.slice(offset, min(self.chunk_rows, total - offset)).collect()
            if not raw.height:
                break
            raw = unnest_structs(raw)
            rows = pl.Series("$row", range(offset + 1, offset + raw.height + 1), dtype=pl.Int64)
            offset += raw.height
            done = int(self.total_bytes * offset / self.total_rows) if self.total_rows else self.total_bytes
            yield frame_batch(raw, self.dictionary, keep=self.keep, id_column=self.id_column, source=str(self.path),
                              rows=rows), done

    def _csv(self) -> Iterator[tuple[Batch, int]]:
        reader = CsvReader(self.path, encoding=self.encoding, chunk_rows=self.chunk_rows, id_column=self.id_column)
        check_columns(reader.header, self.dictionary, self.keep, self.id_column, str(self.path))
        for chunk in reader:
            yield frame_batch(chunk.frame, self.dictionary, keep=self.keep, id_column=self.id_column, source=str(self.path),
                              text=True, rows=chunk.rows, rows_read=chunk.rows_read, rejects=chunk.refused), chunk.consumed

    def _jsonl(self) -> Iterator[tuple[Batch, int]]:
        reader = JsonLines(self.path, self.dictionary, self.keep, self.id_column, self.encoding)
        with self.path.open("rb") as handle:
            while True:
                chunk = reader.read(handle, self.chunk_rows)
                if chunk is None:
                    return
                yield chunk, handle.tell()


def open_source(path: Path | str, dictionary: DataDictionary, *, fmt: str | None = None, keep: list[str] | None = None,
                id_column: str = "id", chunk_rows: int | None = DEFAULT_CHUNK_ROWS, encoding: str = "utf-8") -> Source:
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    fmt = detect_format(path, fmt)
    keep = list(keep or [])
    total_rows = None
    if fmt == "parquet":
        try:
            schema = pl.read_parquet_schema(path)
            total_rows = int(pl.scan_parquet(path).select(pl.len()).collect().item())
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise UsageError(f"{path}: cannot read parquet: {exc}") from None
        columns = [f"{name}.{f.name}" for name, t in schema.items() if isinstance(t, pl.Struct) for f in t.fields]
        columns += [name for name, t in schema.items() if not isinstance(t, pl.Struct)]
        check_columns(columns, dictionary, keep, id_column, str(path))
    return Source(path, fmt, dictionary, keep, id_column, chunk_rows or _WHOLE, encoding, total_rows, path.stat().st_size)


def read_batch(path: Path | str, dictionary: DataDictionary, *, fmt: str | None = None, keep: list[str] | None = None,
               id_column: str = "id", encoding: str = "utf-8") -> Batch:
    """The whole customer list as one validated Batch (in memory)."""
    source = open_source(path, dictionary, fmt=fmt, keep=keep, id_column=id_column, chunk_rows=None, encoding=encoding)
    chunks = [batch for batch, _ in source.chunks()]
    if len(chunks) == 1:
        return chunks[0]
    if not chunks:
        empty = frame_batch(pl.DataFrame(), dictionary, keep=[], id_column=id_column, source=str(path))
        empty.keep = list(source.keep)
        return empty
    raise AssertionError("a whole-file read gave several chunks")  # pragma: no cover


# ---------------------------------------------------------------- JSON Lines


class JsonLines:
    """Nested documents, validated by engine.documents.applicant.flatten itself: the row path's own checks,
    after an exact check of every number's magnitude and precision from its digits (engine.core.limits)."""

    def __init__(self, path: Path, dictionary: DataDictionary, keep: list[str], id_column: str, encoding: str):
        self.path = path
        self.dictionary = dictionary
        self.keep = keep
        self.id_column = id_column
        self.encoding = encoding
        self.number = 0  # records (non-blank lines) so far
        self.line = 0

    def read(self, handle: Any, limit: int) -> Batch | None:
        records: list[dict[str, Any]] = []
        rejects: list[Reject] = []
        rows: list[int] = []
        kept: dict[str, list[Any]] = {name: [] for name in self.keep}
        start = self.number
        while self.number - start < limit:
            raw = handle.readline()
            if not raw:
                break
            self.line += 1
            line = decode(raw, self.encoding, self.path, self.line)
            if not line.strip():
                continue
            self.number += 1
            if len(raw) > LIMITS.batch_line_bytes:
                rejects.append(Reject(self.number, None, "", line.strip()[:80],
                                      f"line {self.line}: the record is longer than {LIMITS.batch_line_bytes:,} bytes"))
                continue
            try:
                doc = json.loads(line, parse_float=Decimal, parse_int=_parse_int)
            except json.JSONDecodeError as exc:
                rejects.append(Reject(self.number, None, "", line.strip()[:80], f"malformed JSON: {exc.msg} (column {exc.colno})"))
                continue
            except (ValueError, RecursionError) as exc:
                rejects.append(Reject(self.number, None, "", line.strip()[:80], f"malformed JSON: {exc}"))
                continue
            doc_id = doc.get(self.id_column) if isinstance(doc, dict) else None
            shown_id = None if doc_id is None else str(doc_id)
            extras = {name: doc.pop(name, None) for name in self.keep} if isinstance(doc, dict) else {}
            problems = _screen(doc, self.dictionary)
            if not problems:
                def report(where: tuple, message: str, hint: str | None = None, key: bool = False,
                           _problems: list = problems) -> None:
                    _problems.append((".".join(map(str, where)), message + (f" ({hint})" if hint else "")))

                record = flatten(doc, self.dictionary, report)
            if problems:
                for where, message in problems:
                    rejects.append(Reject(self.number, shown_id, where, show(_lookup(doc, where)), message))
                continue
            records.append(record)
            rows.append(self.number)
            for name in self.keep:
                kept[name].append(extras.get(name))
        if self.number == start:
            return None
        return records_batch(records, rows, self.dictionary, self.number - start, rejects, kept)


def _parse_int(text: str) -> int | Decimal:
    # Past the 30-digit limit an integer is kept as digits (Decimal) for number_problem to refuse: int() of
    # thousands of digits is slow, and refused by Python beyond 4,300.
    return int(text) if len(text) <= LIMITS.number_digits + 1 else Decimal(text)


def _screen(doc: Any, dictionary: DataDictionary) -> list[tuple[str, str]]:
    """Numbers out of bounds and number cells spelled with non-ASCII digits, before any arithmetic."""
    problems: list[tuple[str, str]] = []
    if not isinstance(doc, dict):
        return problems
    for source, fields in doc.items():
        if not isinstance(fields, dict):
            continue
        for name, value in fields.items():
            definition = dictionary.field(f"{source}.{name}")
            if definition is None:
                continue
            kind = field_kind(definition.type)
            if kind == "number" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                problem = number_problem(Decimal(value))
                if problem:
                    problems.append((f"{source}.{name}", f"{_short(value)} {problem}"))
            elif kind in ("number", "date") and isinstance(value, str):
                problem = number_text_problem(value)
                if problem:
                    problems.append((f"{source}.{name}", problem))
    return problems


def _short(value: int | Decimal) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:20] + "…" + text[-10:]


def _lookup(doc: Any, where: str) -> Any:
    value = doc
    for part in where.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
