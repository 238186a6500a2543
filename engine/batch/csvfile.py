"""A CSV customer list read in chunks of whole records, each record checked for its shape before any cell
is converted, so a damaged file cannot turn into real-looking decisions.

- A blank line (nothing but spaces) is skipped and not counted as a row, as in JSON Lines.
- A record with fewer or more cells than the header (a truncated export, a line of garbage) is a reject
  naming its row, its line and both counts; it is not padded with missing values.
- The text is decoded strictly (UTF-8 by default, optional BOM); an undecodable byte is an error naming the
  line, with a hint when the bytes read as GBK/GB18030 (the Chinese Windows default).

The file is read in blocks cut at a line end outside quotes (a quoted cell may hold line breaks: the
parity of the quote characters before a line end tells). A block without quotes is split into lines and
its cells counted in bulk; a block with quotes goes through Python's csv module. Either way the
well-formed records are parsed by polars as text columns.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

import polars as pl

from engine.batch.frame import ROW, Reject
from engine.core.errors import UsageError
from engine.core.limits import LIMITS

BLOCK_BYTES = 8 * 1024 * 1024
# Records are measured against LIMITS.batch_line_bytes here, so the csv module's own cell limit (128 KiB)
# must not stop the reading first.
csv.field_size_limit(2**31 - 1)


class CsvChunk:
    """Well-formed records as text columns, their row numbers, and the records refused for their shape."""

    def __init__(self, frame: pl.DataFrame, rows: pl.Series, refused: list[Reject], rows_read: int, consumed: int):
        self.frame = frame
        self.rows = rows
        self.refused = refused
        self.rows_read = rows_read
        self.consumed = consumed  # bytes of the file read so far


def decode(data: bytes, encoding: str, path: Path, first_line: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        if encoding.replace("-", "").lower() in ("utf8", "utf8sig"):
            try:
                data.decode("gb18030")
                hint = "; the bytes read as GBK/GB18030 (the Chinese Windows default): re-save the file as UTF-8 or pass --encoding gb18030"
            except UnicodeDecodeError:
                hint = "; re-save the file as UTF-8, or pass its encoding with --encoding"
        raise UsageError(f"{path}:{line}:{column}: not valid {encoding} (byte 0x{data[exc.start]:02x}){hint}") from None
    except LookupError:
        raise UsageError(f"--encoding {encoding}: unknown encoding (e.g. utf-8, gb18030)") from None


class CsvReader:
    """The header at once (so a bad column is an error before any row), then chunks of records."""

    def __init__(self, path: Path, *, encoding: str = "utf-8", chunk_rows: int = 250_000, id_column: str = "id"):
        self.path = path
        self.encoding = encoding
        self.chunk_rows = max(1, chunk_rows)
        self.handle = path.open("rb")
        self.total_bytes = path.stat().st_size
        self.pending = b""
        self.line = 1  # line number of the first line in `pending`
        self.row = 0
        self.eof = False
        self.header = self._read_header()
        self.id_index = self.header.index(id_column) if id_column in self.header else None

    def _fill(self) -> bool:
        block = self.handle.read(BLOCK_BYTES)
        if not block:
            self.eof = True
            return False
        self.pending += block
        return True

    def _read_header(self) -> list[str]:
        while b"\n" not in self.pending and self._fill():
            pass
        if self.pending.startswith(b"\xef\xbb\xbf"):
            self.pending = self.pending[3:]
        end = self.pending.find(b"\n")
        raw = self.pending if end < 0 else self.pending[:end + 1]
        text = decode(raw, self.encoding, self.path, 1).strip("\r\n")
        self.pending = b"" if end < 0 else self.pending[end + 1:]
        self.line = 2
        if not text.strip():
            raise UsageError(f"{self.path}:1: the header line is empty; the first line names the columns (tax.paid_12m, ...)")
        header = next(csv.reader([text]))
        duplicates = sorted({c for c in header if header.count(c) > 1})
        if duplicates:
            raise UsageError(f"{self.path}:1: duplicate column(s) {', '.join(duplicates)}")
        return [c.strip() for c in header]

    def close(self) -> None:
        self.handle.close()

    def _cut(self) -> bytes:
        """Complete records from the start of `pending` (about chunk_rows of them), ending at a line end
        outside quotes."""
        while not self.eof and self.pending.count(b"\n") < self.chunk_rows:
            self._fill()
        if self.eof:
            block, self.pending = self.pending, b""
            return block
        if b'"' not in self.pending:
            end = 0
            for _ in range(self.chunk_rows):  # without quotes every line end ends a record
                end = self.pending.index(b"\n", end) + 1
        else:
            end = self.pending.rfind(b"\n") + 1
            # An odd number of quotes before the cut: the line end is inside a quoted cell; cut earlier.
            while end > 0 and self.pending.count(b'"', 0, end) % 2:
                end = self.pending.rfind(b"\n", 0, end - 1) + 1
            if end == 0:  # one record longer than the block: read on
                self._fill()
                return self._cut()
        block, self.pending = self.pending[:end], self.pending[end:]
        return block

    def __iter__(self) -> Iterator[CsvChunk]:
        try:
            while True:
                block = self._cut()
                if not block:
                    return
                first_line = self.line
                self.line += block.count(b"\n")
                text = decode(block, self.encoding, self.path, first_line)
                yield self._chunk(text, first_line)
        finally:
            self.close()

    def _id(self, raw: str) -> str | None:
        if self.id_index is None:
            return None
        cells = next(csv.reader([raw[:4096]]), [])
        return cells[self.id_index].strip() or None if self.id_index < len(cells) else None

    def _chunk(self, text: str, first_line: int) -> CsvChunk:
        width = len(self.header)
        good: list[str] = []
        rows: list[int] = []
        refused: list[Reject] = []
        records = _records(text, first_line)
        for line, raw, cells in records:
            if cells is None:
                continue  # a blank line
            self.row += 1
            if len(raw) > LIMITS.batch_line_bytes:
                refused.append(Reject(self.row, self._id(raw), "", raw[:80], f"line {line}: the record is longer than "
                                      f"{LIMITS.batch_line_bytes:,} bytes"))
            elif cells != width:
                refused.append(Reject(self.row, self._id(raw), "", raw[:80],
                                      f"line {line}: {cells} cell(s), the header has {width}: a truncated or damaged record"))
            else:
                good.append(raw)
                rows.append(self.row)
        frame = _parse(good, self.header)
        consumed = self.handle.tell() - len(self.pending) if not self.handle.closed else self.total_bytes
        return CsvChunk(frame, pl.Series(ROW, rows, dtype=pl.Int64), refused, len(rows) + len(refused), consumed)


def _records(text: str, first_line: int) -> list[tuple[int, str, int | None]]:
    """(line, record text, cell count or None for a blank line) for every record of a block."""
    if '"' not in text:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [x[:-1] if x.endswith("\r") else x for x in lines]
        counts = pl.Series(lines, dtype=pl.String).str.count_matches(",", literal=True).to_list()
        return [(first_line + i, x, None if not x.strip() else c + 1) for i, (x, c) in enumerate(zip(lines, counts))]
    out: list[tuple[int, str, int | None]] = []
    handle = io.StringIO(text, newline="")
    reader = csv.reader(handle)
    start = 0
    line = first_line
    for cells in reader:
        end = handle.tell()
        raw = text[start:end].rstrip("\r\n")
        out.append((line, raw, None if not raw.strip() else len(cells)))
        line = first_line + reader.line_num
        start = end
    return out


def _parse(lines: list[str], header: list[str]) -> pl.DataFrame:
    schema = {name: pl.String for name in header}
    if not lines:
        return pl.DataFrame(schema=schema)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    frame = pl.read_csv(io.BytesIO(data), has_header=False, new_columns=header, schema=schema, infer_schema=False)
    # An empty (or blank) cell is a missing value, as an absent field is in a document.
    return frame.with_columns(pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
                              for c in frame.columns)
