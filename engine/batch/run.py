"""Evaluating a batch: the columnar plan where it applies, the row path for everything else.

`evaluate_batch` returns a BatchResult: one row per validated applicant (row, id, decision, reason
codes, limit, binding cap, rate in basis points) and the counts per combination of findings that the
summary, the reason ranking and the impact analysis are computed from.
"""
from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, Literal

import polars as pl
from polars.datatypes import DataType, DataTypeClass

from engine.batch.columnar import Unsupported, to_scaled  # noqa: F401 - Unsupported is re-exported
from engine.batch.frame import FALLBACK, ID, ROW, Batch, Reject, records
from engine.batch.plan import ColumnarPlan
from engine.compile.ir import CompiledProduct
from engine.evaluate.interpreter import evaluate

Mode = Literal["auto", "columnar", "rows"]
Progress = Callable[[int], None]
ROW_CHUNK = 20_000
COLUMNAR_CHUNK = 250_000


ReasonKey = tuple[str, str, str, str]  # (decision, reason code, effective action, outcome fail|unknown)


@dataclass
class BatchResult:
    product: CompiledProduct
    on: date
    frame: pl.DataFrame  # row, id, decision, reasons, limit, binding_cap, rate_bp [, reason_actions] [, kept columns]
    reason_counts: Counter  # ReasonKey -> applicants (an applicant counts once per key)
    rows_read: int
    rejects: list[Reject]
    columnar_rows: int
    row_path_rows: int
    fallback_reason: str | None = None  # why the product (or some rows) went to the row path
    notes: list[str] = field(default_factory=list)
    wide_rows: int = 0  # rows sent to the row path for a number above the columnar range (the summary notes them)

    @property
    def rows_written(self) -> int:
        return self.frame.height

    @property
    def rows_rejected(self) -> int:
        return len({r.row for r in self.rejects})


def limit_scale(product: CompiledProduct) -> int:
    return max(2, to_scaled(product.limit.step)[1])


PlanCache = dict[tuple, "ColumnarPlan | Unsupported"]


def _plan(product: CompiledProduct, batch: Batch, on: date, cache: PlanCache | None) -> ColumnarPlan:
    """The columnar plan for the batch's schema (kinds, scales, bounds, sources): chunks of a stream with
    the same schema share one plan; a schema the compiler refuses is remembered too."""
    key = (id(product), on, tuple((p, f.kind, f.scale, f.bound, f.wide) for p, f in batch.fields.items()),
           tuple(sorted(batch.sources)), tuple(sorted(batch.dictionary_types.items())))
    known = cache.get(key) if cache is not None else None
    if isinstance(known, Unsupported):
        raise known
    if known is not None:
        return known
    try:
        plan = ColumnarPlan(product, batch, on)
    except Unsupported as exc:
        if cache is not None:
            cache[key] = exc
        raise
    if cache is not None:
        cache[key] = plan
    return plan


def evaluate_batch(product: CompiledProduct, batch: Batch, on: date, *, mode: Mode = "auto", detail: bool = False,
                   progress: Progress | None = None, plans: PlanCache | None = None) -> BatchResult:
    """Evaluate every row of the batch. mode: auto (columnar, row path where needed), columnar (fail if
    the product cannot be evaluated columnar), rows (the row path only, for comparison). `plans` keeps
    compiled plans across the chunks of a stream."""
    out_scale = limit_scale(product)
    frame = batch.frame
    reason: str | None = None
    plan: ColumnarPlan | None = None
    wide_rows = 0
    if mode != "rows":
        try:
            plan = _plan(product, batch, on, plans)
        except Unsupported as exc:
            if mode == "columnar":
                raise
            reason = f"{product.code} is evaluated on the row path: {exc}"
    parts: list[pl.DataFrame] = []
    counts: Counter = Counter()
    columnar_rows = row_rows = 0
    notes: list[str] = []
    if plan is not None:
        fast = frame.filter(~pl.col(FALLBACK))
        slow = frame.filter(pl.col(FALLBACK))
        wide_rows = slow.height
        chunks = [fast.slice(offset, COLUMNAR_CHUNK) for offset in range(0, fast.height, COLUMNAR_CHUNK)]

        def run_chunk(chunk: pl.DataFrame) -> tuple[pl.DataFrame, Counter]:
            chunk_counts: Counter = Counter()
            return _columnar(plan, chunk, out_scale, detail, chunk_counts), chunk_counts

        # Chunks are independent; polars releases the GIL, so the serial stretches of one chunk's plan
        # overlap with another's work. Results are taken in order, and progress is reported from here.
        with ThreadPoolExecutor(max_workers=max(os.cpu_count() or 1, 1)) as pool:
            for chunk, (part, chunk_counts) in zip(chunks, pool.map(run_chunk, chunks)):
                parts.append(part)
                counts.update(chunk_counts)
                columnar_rows += chunk.height
                if progress:
                    progress(chunk.height)
    else:
        slow = frame
    if slow.height:
        sub = Batch(slow, batch.fields, batch.dictionary_types, slow.height, [], batch.keep)
        parts.append(_rows(product, sub, on, out_scale, detail, counts, progress))
        row_rows = slow.height
    result = pl.concat(parts, how="vertical") if parts else _empty(out_scale, detail)
    if len(parts) > 1:
        result = result.sort(ROW)
    keep = [c for c in batch.keep if c in frame.columns]
    if keep:
        result = result.join(frame.select([ROW] + keep), on=ROW, how="left", maintain_order="left")
    result = result.rename({ROW: "row", ID: "id"})
    return BatchResult(product, on, result, counts, batch.rows_read, list(batch.rejects), columnar_rows, row_rows,
                       reason, notes, wide_rows)


def _columnar(plan: ColumnarPlan, frame: pl.DataFrame, out_scale: int, detail: bool,
              counts: Counter) -> pl.DataFrame:
    result, reason_counts = plan.run(frame, detail)
    counts.update(reason_counts)
    amount = pl.col("$amount")
    shift = out_scale - plan.limit_scale
    cents = amount * 10**shift if shift >= 0 else amount // 10 ** (-shift)
    unit = Decimal(1).scaleb(-out_scale)
    limit = (cents.cast(pl.Decimal(38, 0)) * pl.lit(unit, dtype=pl.Decimal(38, out_scale))).cast(pl.Decimal(38, out_scale))
    columns = [pl.col(ROW), frame.get_column(ID).alias(ID), pl.col("decision"), pl.col("reasons"),
               limit.alias("limit"), pl.col("binding_cap"), pl.col("rate_bp")]
    if detail:
        columns.insert(4, pl.col("reason_actions"))
    return result.select(columns)


def _rows(product: CompiledProduct, batch: Batch, on: date, out_scale: int, detail: bool, counts: Counter,
          progress: Progress | None) -> pl.DataFrame:
    """The row path: engine.evaluate.interpreter.evaluate on each applicant, exactly as `pf evaluate` does."""
    rows = batch.frame.get_column(ROW).to_list()
    ids = batch.frame.get_column(ID).to_list()
    decisions, reasons, actions, limits, bindings, rates = [], [], [], [], [], []
    done = 0
    quantum = Decimal(1).scaleb(-out_scale)
    for record in records(batch):
        e = evaluate(product, record, on)
        codes = [rule.id for rule, _ in e.findings]
        acts = [(rule.action if result is False else rule.on_missing) for rule, result in e.findings]
        for key in {(e.decision, rule.id, act, "fail" if result is False else "unknown")
                    for (rule, result), act in zip(e.findings, acts)}:
            counts[key] += 1
        decisions.append(e.decision)
        reasons.append(";".join(codes))
        actions.append(";".join(acts))
        limits.append(e.limit.amount.quantize(quantum) if e.limit is not None else None)
        bindings.append(e.limit.binding if e.limit is not None else None)
        rates.append(e.rate.final if e.rate is not None else None)
        done += 1
        if progress and done % ROW_CHUNK == 0:
            progress(ROW_CHUNK)
    if progress and done % ROW_CHUNK:
        progress(done % ROW_CHUNK)
    frame = pl.DataFrame([
        pl.Series(ROW, rows, dtype=pl.Int64),
        pl.Series(ID, ids, dtype=pl.String),
        pl.Series("decision", decisions, dtype=pl.String),
        pl.Series("reasons", reasons, dtype=pl.String),
        pl.Series("reason_actions", actions, dtype=pl.String),
        pl.Series("limit", limits, dtype=pl.Decimal(38, out_scale)),
        pl.Series("binding_cap", bindings, dtype=pl.String),
        pl.Series("rate_bp", rates, dtype=pl.Int64),
    ])
    split = [pl.when(pl.col(c) == "").then(pl.lit([], dtype=pl.List(pl.String))).otherwise(pl.col(c).str.split(";")).alias(c)
             for c in ("reasons", "reason_actions")]
    frame = frame.with_columns(split)
    return frame if detail else frame.drop("reason_actions")


def _empty(out_scale: int, detail: bool) -> pl.DataFrame:
    schema: dict[str, DataType | DataTypeClass] = {ROW: pl.Int64, ID: pl.String, "decision": pl.String, "reasons": pl.List(pl.String)}
    if detail:
        schema["reason_actions"] = pl.List(pl.String)
    schema.update({"limit": pl.Decimal(38, out_scale), "binding_cap": pl.String, "rate_bp": pl.Int64})
    return pl.DataFrame(schema=schema)
