"""`pf batch`, `pf impact`, `pf generate`: customer lists (整村授信, 园区授信, pre-approval), see engine.batch."""
from __future__ import annotations

import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from engine.batch import DEFAULT_CHUNK_ROWS
from engine.commands.options import DateOption, InputFormat, InputFormatOption, PackOption, ProductArgument, catalog_for, fail
from engine.core.dates import parse_day
from engine.core.errors import UsageError


class BatchMode(str, Enum):
    auto = "auto"
    columnar = "columnar"
    rows = "rows"


def _progress(quiet: bool, total: int, label: str):
    """A rich progress bar on stderr (nothing when --quiet or when stderr is not a terminal)."""
    import contextlib

    if quiet or total <= 0 or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    return progress


class StreamProgress:
    """Rows done, rows per second and the time left, on stderr while a stream runs; silent with --quiet or
    when stderr is not a terminal. The bar measures rows when the input says how many (Parquet), else
    bytes of the file read."""

    def __init__(self, quiet: bool, label: str, total_rows: int | None, total_bytes: int):
        self.bar: Any = None
        self.rows = 0
        self.by_rows = total_rows is not None
        if quiet or not sys.stderr.isatty():
            return
        import time

        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.started = time.perf_counter()
        self.bar = Progress(TextColumn(label), BarColumn(), TextColumn("{task.fields[rows]} rows"),
                            TextColumn("{task.fields[speed]} rows/s"), TextColumn("ETA"), TimeRemainingColumn(),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.task = self.bar.add_task("batch", total=total_rows if self.by_rows else max(total_bytes, 1), rows="0", speed="—")

    def __enter__(self) -> "StreamProgress":
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, rows: int, done_bytes: int) -> None:
        self.rows += rows
        if self.bar is None:
            return
        import time

        speed = self.rows / max(time.perf_counter() - self.started, 1e-9)
        self.bar.update(self.task, completed=self.rows if self.by_rows else done_bytes, rows=f"{self.rows:,}",
                        speed=f"{speed:,.0f}")


def _start(on: Optional[str], pack: Optional[list[Path]], output: Optional[Path]) -> tuple[date, Any, Optional[str]]:
    """The date, the catalog and the output file's format, checked before any row is read."""
    from engine.batch.writing import output_format

    return parse_day(on), catalog_for(pack), output_format(output) if output else None


def _run_batch(catalog: Any, product: str, input_file: Path, day: date, *, input_format: Optional[InputFormat], keep: list[str],
               quiet: bool, detail: bool, mode: str = "auto"):
    from engine.batch.reading import read_batch
    from engine.batch.run import evaluate_batch

    compiled = catalog.compiled(product, day)
    batch = read_batch(input_file, catalog.dictionary, fmt=input_format.value if input_format else None, keep=keep)
    progress = _progress(quiet, batch.frame.height, f"{compiled.code}")
    with progress as bar:
        task = bar.add_task("evaluate", total=batch.frame.height) if bar is not None else None
        advance = (lambda rows: bar.advance(task, rows)) if bar is not None else None
        return batch, evaluate_batch(compiled, batch, day, mode=mode, detail=detail, progress=advance)  # type: ignore[arg-type]


def batch(
    product: str = ProductArgument,
    input_file: Path = typer.Argument(..., metavar="INPUT", help="customer list: .csv (dotted columns), .jsonl (nested) or .parquet"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="results: .parquet, .csv or .jsonl (row, id, decision, "
                                          "reasons, limit, binding_cap, rate_bp)"),
    rejects: Optional[Path] = typer.Option(None, "--rejects", help="rows that fail validation (default: OUTPUT.rejects.EXT)"),
    report: Optional[Path] = typer.Option(None, "--report", help="a self-contained HTML report (decision mix, reasons, limits)"),
    summary_json: Optional[Path] = typer.Option(None, "--summary-json", help="the summary as JSON"),
    near_miss: bool = typer.Option(False, "--near-miss", help="declined by one rule alone, and by how much (二次营销)"),
    near_miss_output: Optional[Path] = typer.Option(None, "--near-miss-output", help="every near miss to a file"),
    top: int = typer.Option(10, "--top", help="rows listed per reason and per near-miss rule"),
    keep: Optional[list[str]] = typer.Option(None, "--keep", help="an input column copied to the output (repeatable)"),
    input_format: Optional[InputFormat] = InputFormatOption,
    encoding: str = typer.Option("utf-8", "--encoding", help="text encoding of a CSV or JSON Lines input, e.g. gb18030"),
    chunk_rows: int = typer.Option(DEFAULT_CHUNK_ROWS, "--chunk-rows", min=1,
                                   help="rows read, evaluated and written at a time (memory grows with it, not with the input)"),
    mode: BatchMode = typer.Option(BatchMode.auto, "--mode", help="auto (columnar, row path where needed), columnar, rows"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar and no summary table"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Evaluate a whole customer list (整村授信, 园区授信, pre-approval) and summarise it, streaming in chunks."""
    from engine.batch.nearmiss import render_near_misses
    from engine.batch.run import Unsupported
    from engine.batch.sources import open_source
    from engine.batch.stream import ResultSink, Targets, run_stream
    from engine.batch.summary import render_text, write_report
    from engine.batch.writing import default_rejects_path, output_format, write_json

    day, catalog, out_fmt = _start(on, pack, output)
    if near_miss_output:
        output_format(near_miss_output)
    rejects_path = rejects or (default_rejects_path(output) if output else None)
    if rejects_path:
        output_format(rejects_path)
    compiled = catalog.compiled(product, day)
    source = open_source(input_file, catalog.dictionary, fmt=input_format.value if input_format else None, keep=list(keep or []),
                         chunk_rows=chunk_rows, encoding=encoding)
    targets = Targets(output, out_fmt, rejects_path, near_miss_output, near_miss, top)
    try:
        with StreamProgress(quiet, compiled.code, source.total_rows, source.total_bytes) as progress:
            outcome = run_stream(compiled, source, day, ResultSink(compiled, day, targets), mode=mode.value,
                                 progress=progress)
    except Unsupported as exc:
        raise UsageError(f"--mode columnar: {exc}") from None
    summary = outcome.summary
    if summary.rows_rejected and not quiet:
        kept = f", written to {outcome.rejects_written}" if outcome.rejects_written else "; give -o or --rejects to keep them"
        typer.echo(f"{summary.rows_rejected:,} row(s) rejected{kept}", err=True)
        for r in outcome.first_rejects:
            typer.echo(f"  row {r.row}" + (f" (id {r.id})" if r.id else "") + (f", {r.field}" if r.field else "")
                       + f": {r.message}", err=True)
        if len(outcome.first_rejects) < summary.rows_rejected:
            typer.echo(f"  ... {summary.rows_rejected - len(outcome.first_rejects):,} more", err=True)
    if report:
        write_report(summary, report)
    if summary_json:
        write_json(summary.as_dict(), summary_json)
    if not quiet:
        typer.echo(render_text(summary, top), nl=False)
    if near_miss and outcome.near_miss_groups is not None:
        typer.echo("\n" + render_near_misses(outcome.near_miss_groups, summary.count("decline")), nl=False)
    if summary.rows_read != summary.rows_written + summary.rows_rejected:  # pragma: no cover - an invariant
        fail(f"rows read {summary.rows_read} != written {summary.rows_written} + rejected {summary.rows_rejected}", 3)


def impact(
    product_a: str = typer.Argument(..., help="the current product (code, CODE@VERSION or name)"),
    product_b: str = typer.Argument(..., help="the changed product: another version, a variant, another product"),
    input_file: Path = typer.Argument(..., metavar="INPUT", help="customer list: .csv, .jsonl or .parquet"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="the flipped rows (.parquet, .csv or .jsonl)"),
    input_format: Optional[InputFormat] = InputFormatOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Evaluate two products on the same rows: approval rates, flow matrix, rules behind each flip, limit and rate change."""
    from engine.batch.impact import compare, render_impact
    from engine.batch.run import evaluate_batch
    from engine.batch.writing import write_frame

    day, catalog, out_fmt = _start(on, pack, output)
    loaded, first = _run_batch(catalog, product_a, input_file, day, input_format=input_format, keep=[], quiet=quiet, detail=True)
    second = evaluate_batch(catalog.compiled(product_b, day), loaded, day, detail=True)
    result = compare(first, second)
    if first.rejects and not quiet:
        typer.echo(f"{first.rows_rejected:,} row(s) rejected by validation are left out of the comparison", err=True)
    if output:
        write_frame(result.flipped, output, out_fmt)  # type: ignore[arg-type]
    typer.echo(render_impact(result), nl=False)


def generate(
    product: str = ProductArgument,
    n: int = typer.Option(1000, "--n", min=0, help="number of applicants"),
    seed: int = typer.Option(0, "--seed", help="the same seed gives the same applicants"),
    output: Path = typer.Option(..., "-o", "--output", help=".parquet (typed), .csv (dotted columns) or .jsonl (nested documents)"),
    invalid: float = typer.Option(0.0, "--invalid", min=0.0, max=1.0, help="share of rows with an impossible value, e.g. 0.01"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Realistic synthetic applicants for a product (correlated fields, some missing data), for demos and tests."""
    from engine.batch.generate import generated_chunks, write_generated
    from engine.batch.writing import output_format

    day = parse_day(on)
    catalog = catalog_for(pack)
    fmt = output_format(output)
    compiled = catalog.compiled(product, day)
    write_generated(generated_chunks(compiled.doc, catalog.dictionary, n, seed=seed, on=day, invalid=invalid), output, fmt)
    typer.echo(f"{n:,} applicants for {compiled.code} written to {output}", err=True)
