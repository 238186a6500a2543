"""The `pf` command line. The only place that turns errors into exit codes and messages.

Exit codes: 0 for any decision (a decline is a result, not an error), 2 for usage and validation
errors. Results go to stdout, errors to stderr, and no traceback ever reaches a user
(set PF_DEBUG=1 to see one).
"""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from engine.core.errors import ProductFactoryError, UsageError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Product Factory: evaluate small-business loan products declared in YAML.",
)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class ScheduleFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _parse_date(text: Optional[str]) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date: {text!r} is not an ISO date (YYYY-MM-DD)") from None


PackOption = typer.Option(None, "--pack", help="a pack folder layered on the built-in pack (repeatable; "
                          "default list from PF_PACKS, separated by the path separator)")
DateOption = typer.Option(None, "--date", help="evaluation date YYYY-MM-DD (default: today)")


def _catalog(packs: Optional[list[Path]] = None, root: Optional[Path] = None):
    from engine.catalog import Catalog, packs_from_environment

    return Catalog(root, packs_from_environment() + list(packs or []))


@app.command()
def evaluate(
    product: str = typer.Argument(..., help="product code, CODE@VERSION, or Chinese name"),
    applicant: str = typer.Argument(..., help="applicant YAML or JSON file, or - for stdin"),
    on: Optional[str] = DateOption,
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
    trace: bool = typer.Option(False, "--trace", help="show every rule and table row evaluated, in order"),
    pack: Optional[list[Path]] = PackOption,
    offers: bool = typer.Option(False, "--offers", help="add offers: schedule totals, fees and APR for the allowed (or requested) "
                                "terms and repayment methods"),
    amount: Optional[str] = typer.Option(None, "--amount", help="with --offers: the amount asked for (default: the limit)"),
    term: Optional[int] = typer.Option(None, "--term", help="with --offers: only this term in months (default: loan.term_months, else all)"),
    method: Optional[str] = typer.Option(None, "--method", help="with --offers: only this repayment method (default: loan.repayment_method, else all)"),
    start: Optional[str] = typer.Option(None, "--start", help="with --offers: drawdown date YYYY-MM-DD (due dates follow)"),
) -> None:
    """Evaluate an applicant against a product: decision, reasons, limit, rate, terms (and offers)."""
    from engine.documents.applicant import load_applicant
    from engine.evaluate.interpreter import evaluate as run
    from engine.results.render import render_json, render_table

    day = _parse_date(on)
    catalog = _catalog(pack)
    compiled = catalog.compiled(product, day)
    if applicant == "-":
        record = load_applicant("-", catalog.dictionary, stdin_text=sys.stdin.read())
    else:
        record = load_applicant(applicant, catalog.dictionary)
    request = _offer_request(amount, term, method, start)
    if not offers and request != _empty_request():
        raise UsageError("--amount, --term, --method and --start choose the offers: add --offers")
    decision = run(compiled, record, day, trace=trace).to_decision()
    if offers:
        from engine.results.offer_render import offers_lines
        from engine.results.offers import build_offers

        decision = decision.model_copy(update={"offers": build_offers(compiled, record, day, request)})
    if output is OutputFormat.json:
        typer.echo(render_json(decision))
    else:
        text = render_table(decision)
        typer.echo(text + ("\n".join(offers_lines(decision.offers)) + "\n" if decision.offers is not None else ""), nl=False)


def _empty_request():
    from engine.results.offers import Request

    return Request()


def _offer_request(amount: Optional[str], term: Optional[int], method: Optional[str], start: Optional[str]):
    """The customer's choices from the command line, checked: whole cents, a known method, an ISO date."""
    from decimal import Decimal, InvalidOperation

    from engine.results.offers import Request
    from engine.finance.schedules import parse_method

    principal = None
    if amount is not None:
        try:
            principal = Decimal(amount.replace(",", ""))
        except InvalidOperation:
            raise UsageError(f"--amount: {amount!r} is not a number") from None
        if not principal.is_finite() or principal <= 0 or principal != principal.quantize(Decimal("0.01")):
            raise UsageError(f"--amount: {amount!r} must be a positive amount in yuan with at most 2 decimals")
    try:
        chosen = parse_method(method).value if method is not None else None
    except ValueError as exc:
        raise UsageError(f"--method: {exc}") from None
    return Request(principal, term, chosen, _parse_date(start) if start else None)


@app.command("list")
def list_products(pack: Optional[list[Path]] = PackOption) -> None:
    """List every product version: code, name, version, effective dates, pack, parent."""
    from engine.results.render import table

    catalog = _catalog(pack)
    rows = [["code", "name", "version", "effective from", "to", "pack", "extends"]]
    for entry in catalog.entries():
        header = entry.header
        rows.append([header.code, header.name, header.version, header.effective.from_.isoformat(),
                     header.effective.to.isoformat() if header.effective.to else "—", entry.pack.name, header.extends or ""])
    typer.echo("\n".join(table(rows, indent="")))
    for problem in catalog.load_problems:
        typer.echo(problem.render(), err=True)
    if catalog.load_problems:
        _fail(f"{len(catalog.load_problems)} problem(s) while loading; run pf validate")


@app.command()
def show(
    product: str = typer.Argument(..., help="product code, CODE@VERSION, or Chinese name"),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
    resolved: bool = typer.Option(False, "--resolved", help="the effective product after inheritance, with the file "
                                  "and line every param, rule and table came from"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Show a product: params, rules (with the rulesets it combines), tables, limit, pricing, terms."""
    from engine.authoring.describe import describe_product, provenance_json, describe_resolved

    day = _parse_date(on)
    catalog = _catalog(pack)
    compiled = catalog.compiled(product, day)
    loaded = catalog.resolve(catalog.select(product, day), day)
    if output is OutputFormat.json:
        data = compiled.doc.model_dump(mode="json", by_alias=True)
        if resolved:
            data = {"product": data, "provenance": provenance_json(loaded, catalog, day)}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif resolved:
        typer.echo(describe_resolved(loaded, compiled, catalog, day), nl=False)
    else:
        typer.echo(describe_product(compiled, catalog.rulesets), nl=False)


@app.command()
def diff(
    first: str = typer.Argument(..., help="product code, CODE@VERSION or name"),
    second: str = typer.Argument(..., help="product code, CODE@VERSION or name"),
    on: Optional[str] = DateOption,
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """What differs between two products, or two versions of one: params, rules, tables, limit, pricing."""
    from engine.authoring.diff import diff_products, render_diff

    day = _parse_date(on)
    catalog = _catalog(pack)
    left = catalog.compiled(first, day)
    right = catalog.compiled(second, day)
    changes = diff_products(left, right, catalog.rulesets)
    if output is OutputFormat.json:
        typer.echo(changes.model_dump_json(indent=2))
    else:
        typer.echo(render_diff(changes), nl=False)


@app.command()
def packs(pack: Optional[list[Path]] = PackOption) -> None:
    """The packs loaded, in layering order, and what each brings."""
    from engine.results.render import table

    catalog = _catalog(pack)
    rows = [["pack", "version", "path", "depends on", "products", "rulesets", "shared params"]]
    for loaded_pack in catalog.packs:
        manifest = loaded_pack.manifest
        products = sum(1 for e in catalog.entries() if e.pack is loaded_pack)
        rows.append([loaded_pack.name, loaded_pack.version, str(loaded_pack.root),
                     ", ".join(manifest.depends_on) if manifest else "", str(products),
                     str(len(loaded_pack.files("rulesets"))), str(len(loaded_pack.files("params")))])
    typer.echo("\n".join(table(rows, indent="")))


schema_app = typer.Typer(help="JSON Schemas for editors (yaml-language-server).", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


@schema_app.command("export")
def schema_export(
    out: Optional[Path] = typer.Option(None, "--out", help="folder to write to (default: schemas/ of the built-in pack)"),
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Write JSON Schemas for products, rulesets, packs, params, tests and applicant data (and docs/reference.md)."""
    from engine.catalog import Catalog
    from engine.authoring.reference import render_reference
    from engine.authoring.schema_export import FILES, applicant_schema, build_schemas, export, render

    catalog = _catalog(pack)
    folder = out or catalog.root / "schemas"
    # The built-in pack's schemas describe the built-in dictionary; each pack gets its own applicant schema below.
    dictionary = catalog.dictionary if out is not None else Catalog(catalog.root).dictionary
    written = export(dictionary, folder)
    typer.echo(f"{len(build_schemas(dictionary))} schemas in {folder}; {len(written)} updated")
    for index, extra in enumerate(catalog.packs[1:], start=1):
        # A pack that extends the data dictionary gets an applicant schema of its own (its fields included).
        if out is None and (extra.root / "schemas" / "dictionary.yaml").exists():
            layered = Catalog(catalog.root, [p.root for p in catalog.packs[1:index + 1]])
            path = extra.root / "schemas" / FILES["applicant"]
            text = render(applicant_schema(layered.dictionary))
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                typer.echo(f"{path} updated")
    if out is None and (catalog.root / "docs").is_dir():
        reference = catalog.root / "docs" / "reference.md"
        text = render_reference()
        if not reference.exists() or reference.read_text(encoding="utf-8") != text:
            reference.write_text(text, encoding="utf-8")
            typer.echo(f"{reference} updated")


@app.command("test")
def run_tests(
    paths: Optional[list[Path]] = typer.Argument(None, help="test files (*.tests.yaml) or pack folders; default: every loaded pack"),
    show_coverage: bool = typer.Option(False, "--coverage", help="which rules and table rows the cases made pass, fail and go unknown"),
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Run the product test cases written in YAML; exit 1 if any case fails."""
    from engine.catalog import _display
    from engine.authoring.testing import coverage, discover, render_coverage, render_results, run_file

    catalog = _catalog(pack)
    catalog.packs  # loads every pack
    files: list[Path] = []
    for path in paths or [p.root for p in catalog.packs]:
        if path.is_dir():
            files.extend(discover([path]))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such test file or pack folder")
    if not files:
        raise UsageError("no *.tests.yaml files found")
    catalogs: dict = {}
    results = [r for f in files for r in run_file(catalog, f, _display(f), catalogs, trace=show_coverage)]
    typer.echo(render_results(results), nl=False)
    if show_coverage:
        typer.echo("\nCoverage")
        typer.echo(render_coverage(coverage(results)), nl=False)
    if any(r.status != "pass" for r in results):
        raise typer.Exit(1)


@app.command()
def validate(
    path: Optional[Path] = typer.Argument(None, help="a pack folder (default: the built-in pack and PF_PACKS)"),
    strict: bool = typer.Option(False, "--strict", help="also list warnings (unused params, rules that can never "
                                "fail or pass, table gaps, ...) and fail on them"),
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Load and compile every product and ruleset, then analyse them; list every problem (exit 2 if any)."""
    from engine.authoring.validate import validate_catalog
    from engine.catalog import is_root_pack

    if path is not None and not path.is_dir():
        raise UsageError(f"{path}: not a folder (give a pack folder holding products/, rulesets/, schemas/)")
    if path is None:
        catalog = _catalog(pack)
    elif is_root_pack(path):
        catalog = _catalog(pack, root=path)
    else:
        catalog = _catalog([path] + list(pack or []))
    checked, problems = validate_catalog(catalog, analyse=True)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in errors + (warnings if strict else []):
        typer.echo(problem.render(with_code=True), err=True)
    if errors or (strict and warnings):
        _fail(f"{len(errors)} error(s), {len(warnings)} warning(s) in {checked} document(s)")
    note = f"; {len(warnings)} warning(s): see pf validate --strict" if warnings else ""
    typer.echo(f"OK: {checked} documents load and compile{note}")


@app.command()
def schedule(
    product: Optional[str] = typer.Argument(None, help="a product code or name: the schedule of its offer to APPLICANT"),
    applicant: Optional[str] = typer.Argument(None, help="with PRODUCT: applicant YAML or JSON file, or - for stdin"),
    amount: Optional[str] = typer.Option(None, "--amount", help="principal in yuan, e.g. 1000000 (with PRODUCT: default the limit)"),
    rate: Optional[str] = typer.Option(None, "--rate", help="yearly rate in percent: 4.9 or 4.9% (not with PRODUCT: the product prices it)"),
    term: Optional[int] = typer.Option(None, "--term", help="term in months (with PRODUCT: default loan.term_months)"),
    method: Optional[str] = typer.Option(None, "--method",
                                         help="equal-installment (default without PRODUCT), equal-principal, interest-only, on-demand "
                                              "(or 等额本息 ...); with PRODUCT default loan.repayment_method"),
    start: Optional[str] = typer.Option(None, "--start", help="first drawdown date YYYY-MM-DD (due dates follow)"),
    output: ScheduleFormat = typer.Option(ScheduleFormat.table, "--format", help="table, json or csv"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """A repayment schedule, exact to the cent: of an amount at a rate, or of a product's offer to an applicant
    (checked against the limit, the allowed terms and methods; with its fees and APR)."""
    if product is not None:
        _product_schedule(product, applicant, amount, rate, term, method, start, output, on, pack)
        return
    from decimal import Decimal, InvalidOperation

    from engine.core.money import parse_percent
    from engine.finance.schedules import build_schedule, parse_method, render_csv, render_table, schedule_to_json

    missing = [name for name, value in (("--amount", amount), ("--rate", rate), ("--term", term)) if value is None]
    if missing:
        raise UsageError(f"missing {', '.join(missing)} (or give PRODUCT APPLICANT to schedule a product's offer)")
    assert amount is not None and rate is not None and term is not None
    try:
        principal = Decimal(amount.replace(",", ""))
        annual = parse_percent(rate)
        chosen = parse_method(method or "equal-installment")
        start_day = _parse_date(start) if start else None
        result = build_schedule(principal, annual, term, chosen, start_day)
    except InvalidOperation:
        raise UsageError(f"--amount: {amount!r} is not a number") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    renderers = {ScheduleFormat.table: render_table, ScheduleFormat.json: schedule_to_json, ScheduleFormat.csv: render_csv}
    typer.echo(renderers[output](result), nl=False)


def _product_schedule(product: str, applicant: Optional[str], amount: Optional[str], rate: Optional[str], term: Optional[int],
                      method: Optional[str], start: Optional[str], output: ScheduleFormat, on: Optional[str],
                      pack: Optional[list[Path]]) -> None:
    from engine.documents.applicant import load_applicant
    from engine.results.offer_render import OfferDocument, render_offer_csv, render_offer_json, render_offer_table
    from engine.results.offers import single_offer
    from engine.results.decision import ProductRef

    if applicant is None:
        raise UsageError("missing APPLICANT: pf schedule PRODUCT APPLICANT [--amount A] [--term N] [--method M]")
    if rate is not None:
        raise UsageError("--rate cannot be given with PRODUCT: the product prices the offer (drop --rate, or drop PRODUCT APPLICANT)")
    day = _parse_date(on)
    request = _offer_request(amount, term, method, start)
    catalog = _catalog(pack)
    compiled = catalog.compiled(product, day)
    if applicant == "-":
        record = load_applicant("-", catalog.dictionary, stdin_text=sys.stdin.read())
    else:
        record = load_applicant(applicant, catalog.dictionary)
    offer, base = single_offer(compiled, record, day, request)
    doc = compiled.doc
    document = OfferDocument(product=ProductRef(code=doc.code, name=doc.name, version=doc.version, pack=compiled.pack,
                                                content_hash=compiled.content_hash),
                             evaluated_on=day, applicant_id=record.get("$id"), offer=offer)
    if output is ScheduleFormat.json:
        typer.echo(render_offer_json(document))
    elif output is ScheduleFormat.csv:
        typer.echo(render_offer_csv(offer), nl=False)
    else:
        typer.echo(render_offer_table(document, offer.decision), nl=False)


# ---------------------------------------------------------------- batch: customer lists (engine.batch)


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


def _run_batch(catalog, product: str, input_file: Path, day: date, *, input_format: Optional[str], keep: list[str],
               quiet: bool, detail: bool, mode: str = "auto"):
    from engine.batch.reading import read_batch
    from engine.batch.run import evaluate_batch

    compiled = catalog.compiled(product, day)
    batch = read_batch(input_file, catalog.dictionary, fmt=input_format, keep=keep)
    progress = _progress(quiet, batch.frame.height, f"{compiled.code}")
    with progress as bar:
        task = bar.add_task("evaluate", total=batch.frame.height) if bar is not None else None
        advance = (lambda rows: bar.advance(task, rows)) if bar is not None else None
        return batch, evaluate_batch(compiled, batch, day, mode=mode, detail=detail, progress=advance)  # type: ignore[arg-type]


class InputFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


class BatchMode(str, Enum):
    auto = "auto"
    columnar = "columnar"
    rows = "rows"


@app.command()
def batch(
    product: str = typer.Argument(..., help="product code, CODE@VERSION, or Chinese name"),
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
    input_format: Optional[InputFormat] = typer.Option(None, "--input-format", help="when the extension does not tell"),
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

    day = _parse_date(on)
    catalog = _catalog(pack)
    out_fmt = output_format(output) if output else None
    if near_miss_output:
        output_format(near_miss_output)
    try:
        loaded, result = _run_batch(catalog, product, input_file, day, input_format=input_format.value if input_format else None,
                                    keep=list(keep or []), quiet=quiet, detail=near_miss or bool(near_miss_output), mode=mode.value)
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
            declined = dict(summary.decisions and [(d, n) for d, n, _ in summary.decisions]).get("decline", 0)
            typer.echo("\n" + render_near_misses(group_near_misses(misses, top), declined), nl=False)
    if result.rows_read != result.rows_written + result.rows_rejected:  # pragma: no cover - an invariant
        _fail(f"rows read {result.rows_read} != written {result.rows_written} + rejected {result.rows_rejected}", 3)


@app.command()
def impact(
    product_a: str = typer.Argument(..., help="the current product (code, CODE@VERSION or name)"),
    product_b: str = typer.Argument(..., help="the changed product: another version, a variant, another product"),
    input_file: Path = typer.Argument(..., metavar="INPUT", help="customer list: .csv, .jsonl or .parquet"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="the flipped rows (.parquet, .csv or .jsonl)"),
    input_format: Optional[InputFormat] = typer.Option(None, "--input-format", help="when the extension does not tell"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Evaluate two products on the same rows: approval rates, flow matrix, rules behind each flip, limit and rate change."""
    from engine.batch.impact import compare, render_impact
    from engine.batch.run import evaluate_batch
    from engine.batch.writing import output_format, write_frame

    day = _parse_date(on)
    catalog = _catalog(pack)
    out_fmt = output_format(output) if output else None
    loaded, first = _run_batch(catalog, product_a, input_file, day, input_format=input_format.value if input_format else None,
                               keep=[], quiet=quiet, detail=True)
    second = evaluate_batch(catalog.compiled(product_b, day), loaded, day, detail=True)
    result = compare(first, second)
    if first.rejects and not quiet:
        typer.echo(f"{first.rows_rejected:,} row(s) rejected by validation are left out of the comparison", err=True)
    if output:
        write_frame(result.flipped, output, out_fmt)  # type: ignore[arg-type]
    typer.echo(render_impact(result), nl=False)


@app.command()
def generate(
    product: str = typer.Argument(..., help="product code, CODE@VERSION, or Chinese name"),
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

    day = _parse_date(on)
    catalog = _catalog(pack)
    fmt = output_format(output)
    compiled = catalog.compiled(product, day)
    frame = make(compiled.doc, catalog.dictionary, n, seed=seed, on=day, invalid=invalid)
    write_generated(frame, output, fmt)
    typer.echo(f"{n:,} applicants for {compiled.code} written to {output}", err=True)


def main() -> None:
    try:
        # Without standalone mode click returns an exit code instead of calling sys.exit.
        returned = app(standalone_mode=False)
        sys.exit(returned if isinstance(returned, int) else 0)
    except ProductFactoryError as exc:
        typer.echo(exc.render(), err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # click's usage errors (typer may vendor click) and anything unexpected
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if os.environ.get("PF_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (set PF_DEBUG=1 for details; please report it)", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
