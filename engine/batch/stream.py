"""`pf batch` as a stream: a customer list read, validated, evaluated and written chunk by chunk, with the
summary and the near misses built from running aggregates, so memory does not grow with the rows.

The boundary is ResultSink: chunks of results in (a BatchResult per chunk, from the polars engine here
or from any other engine producing the same frame columns and reason counts), files and the summary
out. `run_stream` feeds it from a Source (sources.py) through the polars engine (run.py), reading the
next chunk in a thread while the current one is evaluated.

Results are those of one pass over the whole input: rows keep their input numbers, chunks are written in
input order, and the summary is computed from exact counts (summary.Tally).
"""
from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import polars as pl

from engine.batch.chunkwriter import ChunkWriter, clean_stale, commit
from engine.batch.frame import Batch, Reject
from engine.batch.nearmiss import ORDER_COLUMNS, NearMissTally, RuleGroup, near_miss_spool, near_misses
from engine.batch.run import BatchResult, Mode, PlanCache, evaluate_batch, limit_scale
from engine.batch.sources import Source
from engine.batch.summary import Summary, Tally
from engine.batch.writing import output_format, rejects_frame
from engine.compile.ir import CompiledProduct

Progress = Callable[[int, int], None]  # (rows read in the chunk just done, bytes of the input read so far)
T = TypeVar("T")


@dataclass
class Targets:
    """Where the results of a run go; every path is optional."""

    output: Path | None = None
    output_format: str | None = None
    rejects: Path | None = None  # the rejects file (explicit, or the default beside the output)
    near_miss_output: Path | None = None
    near_miss: bool = False  # near-miss groups for the terminal
    top: int = 10

    @property
    def wants_near_misses(self) -> bool:
        return self.near_miss or self.near_miss_output is not None


@dataclass
class Outcome:
    summary: Summary
    near_miss_groups: list[RuleGroup] | None
    rejects_written: Path | None
    first_rejects: list[Reject]  # the first `top` rejects, for the terminal


class ResultSink:
    """Result chunks in, files and the summary out. `add` each chunk in input order, then `finish` (which
    commits the files) or `abort` (which removes every temporary file)."""

    def __init__(self, product: CompiledProduct, on: date, targets: Targets):
        self.product = product
        self.on = on
        self.targets = targets
        self.tally = Tally()
        self.near = NearMissTally(targets.top) if targets.wants_near_misses else None
        self.output = ChunkWriter(targets.output, targets.output_format or output_format(targets.output)) \
            if targets.output else None
        self.rejects: ChunkWriter | None = None
        self.first_rejects: list[Reject] = []
        self.spool: ChunkWriter | None = None
        if targets.rejects is not None:
            clean_stale(targets.rejects)
        if targets.near_miss_output is not None:
            output_format(targets.near_miss_output)
            clean_stale(targets.near_miss_output)
            self.spool = ChunkWriter(_spool_path(targets.near_miss_output), "parquet")

    @property
    def needs_detail(self) -> bool:
        return self.near is not None

    def add(self, result: BatchResult, batch: Batch | None = None) -> None:
        """One chunk's results; `batch` (its validated input) is needed for near misses only."""
        self.tally.add(result)
        if len(self.first_rejects) < self.targets.top:
            self.first_rejects.extend(result.rejects[:self.targets.top - len(self.first_rejects)])
        if self.output is not None:
            frame = result.frame
            self.output.write(frame.drop("reason_actions") if "reason_actions" in frame.columns else frame)
        if result.rejects and self.targets.rejects is not None:
            if self.rejects is None:
                self.rejects = ChunkWriter(self.targets.rejects, output_format(self.targets.rejects))
            self.rejects.write(rejects_frame(result.rejects))
        if self.near is not None and batch is not None:
            misses = near_misses(result, batch)
            self.near.add(misses)
            if self.spool is not None:
                self.spool.write(near_miss_spool(misses))

    def finish(self) -> Outcome:
        if self.output is not None:
            self.output.finish(_empty_output(self.product))
        if self.rejects is not None:
            self.rejects.finish()
        commit(self.output, self.rejects, [self.targets.rejects] if self.targets.rejects is not None else [])
        if self.spool is not None and self.targets.near_miss_output is not None:
            self._write_near_misses(self.spool, self.targets.near_miss_output)
        summary = self.tally.summary(self.product, self.on)
        return Outcome(summary, self.near.groups() if self.near is not None else None,
                       self.rejects.path if self.rejects is not None else None, self.first_rejects)

    def _write_near_misses(self, spool: ChunkWriter, target: Path) -> None:
        """Every near miss in order: the spool (bounded memory while evaluating) sorted at the end."""
        spool.finish(near_miss_spool([]))
        writer = ChunkWriter(target, output_format(target))
        try:
            ordered = pl.scan_parquet(spool.temp).sort(ORDER_COLUMNS).drop(["$no_gap", "$gap"])
            for frame in ordered.collect_batches():
                writer.write(frame)
            writer.finish(near_miss_spool([]).drop(["$no_gap", "$gap"]))
            os.replace(writer.temp, writer.path)
        except BaseException:
            writer.discard()
            raise
        finally:
            spool.discard()

    def abort(self) -> None:
        for writer in (self.output, self.rejects, self.spool):
            if writer is not None:
                writer.discard()


def _spool_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.spool")


def _empty_output(product: CompiledProduct) -> pl.DataFrame:
    from engine.batch.run import _empty

    return _empty(limit_scale(product), False).rename({"$row": "row", "$id": "id"})


def run_stream(product: CompiledProduct, source: Source, on: date, sink: ResultSink, *, mode: Mode = "auto",
               progress: Progress | None = None) -> Outcome:
    """Every chunk of the source evaluated (polars engine) into the sink; the sink's outcome."""
    plans: PlanCache = {}
    try:
        for batch, done in prefetch(source.chunks()):
            result = evaluate_batch(product, batch, on, mode=mode, detail=sink.needs_detail, plans=plans)
            sink.add(result, batch)
            if progress is not None:
                progress(batch.rows_read, done)
        return sink.finish()
    except BaseException:
        sink.abort()
        raise


def prefetch(items: Iterator[T]) -> Iterator[T]:
    """The items of an iterator, the next one produced in a thread while the caller works on the current."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(entry: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                box.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(("item", item)):
                    return
            offer(("end", None))
        except BaseException as exc:  # handed to the consumer
            offer(("error", exc))

    thread = threading.Thread(target=produce, name="read chunks", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        thread.join(timeout=5)
