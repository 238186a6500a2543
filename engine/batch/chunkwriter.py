"""Result files written chunk by chunk, and committed together.

A ChunkWriter appends frames to a temporary file beside its destination (`.NAME.partial-PID`): CSV and
JSON Lines as text, Parquet through polars' streaming Parquet sink, fed from a queue by a thread, so a
file of any length is written in bounded memory. Nothing is visible under the final name until `commit`.

`commit` makes the output and its rejects one unit. The output file is the commit marker and is renamed
last: the old output is removed first, then the rejects are put in place (or a stale rejects file from an
earlier run is removed when this run has none), then the output is renamed. Whenever OUT exists, the
rejects beside it are from the same run; a run killed before its last rename leaves no OUT at all. Temp
files left by a killed run (their PID no longer alive) are removed by the next run (`clean_stale`).
"""
from __future__ import annotations

import contextlib
import os
import queue
import re
import threading
from pathlib import Path
from typing import IO, Any, Iterator

import polars as pl

from engine.batch.writing import text_columns
from engine.core.errors import UsageError

_DONE = object()
_ABORT = object()


class _Aborted(Exception):
    pass


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial-{os.getpid()}")


def clean_stale(path: Path) -> list[Path]:
    """Remove `.NAME.partial-PID` files beside `path` whose process is gone; returns what was removed."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.partial-(\d+)$")
    removed: list[Path] = []
    if not path.parent.is_dir():
        return removed
    for entry in path.parent.iterdir():
        match = pattern.match(entry.name)
        if not match or not _dead(int(match.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            entry.unlink()
            removed.append(entry)
    return removed


def _dead(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


class ChunkWriter:
    """Frames appended to a temporary file in one format; `finish` completes it, `discard` removes it."""

    def __init__(self, path: Path, fmt: str):
        path = Path(path)
        if not path.parent.is_dir():
            raise UsageError(f"{path.parent}: no such folder")
        clean_stale(path)
        self.path = path
        self.fmt = fmt
        self.temp = temp_name(path)
        self.rows = 0
        self.schema: pl.Schema | None = None
        self._handle: IO[bytes] | None = None
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.finished = False
        self._header_done = False

    def write(self, frame: pl.DataFrame) -> None:
        if self.schema is None:
            self.schema = frame.schema
            self._open(frame)
        elif frame.schema != self.schema:
            frame = frame.cast(dict(self.schema))  # type: ignore[arg-type]  # e.g. a kept column all null in one chunk
        self.rows += frame.height
        if self.fmt == "parquet":
            self._put(frame)
        elif self.fmt == "csv":
            assert self._handle is not None
            text_columns(frame, ";").write_csv(self._handle, include_header=not self._header_done)
            self._header_done = True
        else:
            assert self._handle is not None
            text_columns(frame, None).write_ndjson(self._handle)

    def _open(self, frame: pl.DataFrame) -> None:
        if self.fmt in ("csv", "jsonl"):
            self._handle = open(self.temp, "wb")
            return
        if self.fmt != "parquet":  # pragma: no cover - callers pass a known format
            raise UsageError(f"unknown output format {self.fmt!r}")
        from polars.io.plugins import register_io_source

        def frames(*_: Any) -> Iterator[pl.DataFrame]:
            while True:
                item = self._queue.get()
                if item is _DONE:
                    return
                if item is _ABORT:
                    raise _Aborted()
                yield item

        lazy = register_io_source(frames, schema=frame.schema)

        def sink() -> None:
            try:
                lazy.sink_parquet(self.temp)
            except BaseException as exc:  # handed to the writing thread at its next call
                self._error = exc
                while True:  # unblock a producer waiting on a full queue
                    with contextlib.suppress(queue.Empty):
                        if self._queue.get(timeout=0.05) in (_DONE, _ABORT):
                            return

        self._thread = threading.Thread(target=sink, name=f"write {self.path.name}", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> None:
        while True:
            self._raise()
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _raise(self) -> None:
        if self._error is not None and not isinstance(self._error, _Aborted):
            raise UsageError(f"{self.path}: cannot write: {self._error}") from None

    def finish(self, empty: pl.DataFrame | None = None) -> None:
        """Complete the temporary file (`empty` gives the columns when no frame was written)."""
        if self.schema is None:
            self.write(empty if empty is not None else pl.DataFrame())
        if self._handle is not None:
            self._handle.close()
        if self._thread is not None:
            self._put(_DONE)
            self._thread.join()
            self._raise()
        self.finished = True

    def discard(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
        if self._thread is not None and self._thread.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put(_ABORT, timeout=1)
            self._thread.join(timeout=10)
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()


def commit(output: ChunkWriter | None, rejects: ChunkWriter | None, stale_rejects: list[Path]) -> None:
    """Put the finished files in place, output last (see the module docstring)."""
    if output is not None:
        with contextlib.suppress(FileNotFoundError):
            output.path.unlink()
    if rejects is not None:
        os.replace(rejects.temp, rejects.path)
    for path in stale_rejects:
        if rejects is None or path != rejects.path:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    if output is not None:
        os.replace(output.temp, output.path)
