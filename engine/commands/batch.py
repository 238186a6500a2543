"""`pf batch`, `pf impact`, `pf generate`: customer lists (整村授信, 园区授信, pre-approval), see engine.batch."""
from __future__ import annotations

import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

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
    mode: BatchMode = typer.Option(BatchMode.auto, "--mode", help="auto (columnar, row path where needed), columnar, rows"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar and no summary table"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Evaluate a whole customer list (整村授信, 园区授信, pre-approval) and summarise it."""
    from engine.batch.nearmiss import group_near_misses, near_miss_frame, near_misses, render_near_misses
    from engine.batch.run import Unsupported
    from engine.batch.summary import render_text, summarize, write_report
    from engine.batch.writing import default_rejects_path, output_format, write_frame, write_json, write_rejects

    day, catalog, out_fmt = _start(on, pack, output)
    if near_miss_output:
        output_format(near_miss_output)
    try:
        loaded, result = _run_batch(catalog, product, input_file, day, input_format=input_format, keep=list(keep or []),
                                    quiet=quiet, detail=near_miss or bool(near_miss_output), mode=mode.value)
    except Unsupported as exc:
        raise UsageError(f"--mode columnar: {exc}") from None
    if output:
        frame = result.frame.drop("reason_actions") if "reason_actions" in result.frame.columns else result.frame
        write_frame(frame, output, out_fmt)  # type: ignore[arg-type]
    if result.rejects:
        target = rejects or (default_rejects_path(output) if output else None)
        if target is not None:
            write_rejects(result.rejects, target, output_format(target))
        elif not quiet:
            typer.echo(f"{result.rows_rejected:,} row(s) rejected; give -o or --rejects to keep them", err=True)
    summary = summarize(result)
    if report:
        write_report(summary, report)
    if summary_json:
        write_json(summary.as_dict(), summary_json)
    if not quiet:
        typer.echo(render_text(summary, top), nl=False)
    if near_miss or near_miss_output:
        misses = near_misses(result, loaded)
        if near_miss_output:
            write_frame(near_miss_frame(misses), near_miss_output, output_format(near_miss_output))
        if near_miss:
            typer.echo("\n" + render_near_misses(group_near_misses(misses, top), summary.count("decline")), nl=False)
    if result.rows_read != result.rows_written + result.rows_rejected:  # pragma: no cover - an invariant
        fail(f"rows read {result.rows_read} != written {result.rows_written} + rejected {result.rows_rejected}", 3)


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
    from engine.batch.generate import generate as make, write_generated
    from engine.batch.writing import output_format

    day = parse_day(on)
    catalog = catalog_for(pack)
    fmt = output_format(output)
    compiled = catalog.compiled(product, day)
    frame = make(compiled.doc, catalog.dictionary, n, seed=seed, on=day, invalid=invalid)
    write_generated(frame, output, fmt)
    typer.echo(f"{n:,} applicants for {compiled.code} written to {output}", err=True)
