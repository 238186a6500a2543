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

from engine.errors import ProductFactoryError, UsageError

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
) -> None:
    """Evaluate an applicant against a product: decision, reasons, limit, rate, terms."""
    from engine.applicant import load_applicant
    from engine.evaluate import evaluate as run
    from engine.render import render_json, render_table

    day = _parse_date(on)
    catalog = _catalog(pack)
    compiled = catalog.compiled(product, day)
    if applicant == "-":
        record = load_applicant("-", catalog.dictionary, stdin_text=sys.stdin.read())
    else:
        record = load_applicant(applicant, catalog.dictionary)
    decision = run(compiled, record, day, trace=trace).to_decision()
    typer.echo(render_json(decision) if output is OutputFormat.json else render_table(decision), nl=output is OutputFormat.json)


@app.command("list")
def list_products(pack: Optional[list[Path]] = PackOption) -> None:
    """List every product version: code, name, version, effective dates, pack, parent."""
    from engine.render import table

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
    from engine.describe import describe_product, provenance_json, describe_resolved

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
    from engine.diff import diff_products, render_diff

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
    from engine.render import table

    catalog = _catalog(pack)
    catalog.validate()
    rows = [["pack", "version", "path", "depends on", "products", "rulesets", "shared params"]]
    for loaded_pack in catalog.packs:
        manifest = loaded_pack.manifest
        products = sum(1 for e in catalog.entries() if e.pack is loaded_pack)
        rows.append([loaded_pack.name, loaded_pack.version, str(loaded_pack.root),
                     ", ".join(manifest.depends_on) if manifest else "", str(products),
                     str(len(loaded_pack.files("rulesets"))), str(len(loaded_pack.files("params")))])
    typer.echo("\n".join(table(rows, indent="")))


@app.command("test")
def run_tests(
    paths: Optional[list[Path]] = typer.Argument(None, help="test files (*.tests.yaml) or pack folders; default: every loaded pack"),
    show_coverage: bool = typer.Option(False, "--coverage", help="which rules and table rows the cases made pass, fail and go unknown"),
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Run the product test cases written in YAML; exit 1 if any case fails."""
    from engine.catalog import _display
    from engine.testing import coverage, discover, render_coverage, render_results, run_file

    catalog = _catalog(pack)
    catalog.validate()  # loads every pack
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
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Load and compile every product and ruleset of the packs; list every problem (exit 2 if any)."""
    from engine.catalog import is_root_pack

    if path is not None and not path.is_dir():
        raise UsageError(f"{path}: not a folder (give a pack folder holding products/, rulesets/, schemas/)")
    if path is None:
        catalog = _catalog(pack)
    elif is_root_pack(path):
        catalog = _catalog(pack, root=path)
    else:
        catalog = _catalog([path] + list(pack or []))
    checked, problems = catalog.validate()
    if problems:
        for problem in problems:
            typer.echo(problem.render(), err=True)
        _fail(f"{len(problems)} problem(s) in {checked} document(s)")
    typer.echo(f"OK: {checked} documents load and compile")


@app.command()
def schedule(
    amount: str = typer.Option(..., "--amount", help="principal in yuan, e.g. 1000000"),
    rate: str = typer.Option(..., "--rate", help="yearly rate in percent: 4.9 or 4.9%"),
    term: int = typer.Option(..., "--term", help="term in months"),
    method: str = typer.Option("equal-installment", "--method",
                               help="equal-installment, equal-principal, interest-only, on-demand (or 等额本息 ...)"),
    start: Optional[str] = typer.Option(None, "--start", help="first drawdown date YYYY-MM-DD (due dates follow)"),
    output: ScheduleFormat = typer.Option(ScheduleFormat.table, "--format", help="table, json or csv"),
) -> None:
    """Compute a repayment schedule, exact to the cent."""
    from decimal import Decimal, InvalidOperation

    from engine.money import parse_percent
    from engine.schedules import build_schedule, parse_method, render_csv, render_table, schedule_to_json

    try:
        principal = Decimal(amount.replace(",", ""))
        annual = parse_percent(rate)
        chosen = parse_method(method)
        start_day = _parse_date(start) if start else None
        result = build_schedule(principal, annual, term, chosen, start_day)
    except InvalidOperation:
        raise UsageError(f"--amount: {amount!r} is not a number") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    renderers = {ScheduleFormat.table: render_table, ScheduleFormat.json: schedule_to_json, ScheduleFormat.csv: render_csv}
    typer.echo(renderers[output](result), nl=False)


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
