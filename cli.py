"""The `pf` command line. The only place that turns errors into exit codes and messages.

Exit codes: 0 for any decision (a decline is a result, not an error), 2 for usage and validation
errors. Results go to stdout, errors to stderr, and no traceback ever reaches a user
(set PF_DEBUG=1 to see one).
"""
from __future__ import annotations

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


def _catalog(root: Optional[Path] = None):
    from engine.catalog import Catalog

    return Catalog(root)


@app.command()
def evaluate(
    product: str = typer.Argument(..., help="product code or Chinese name"),
    applicant: str = typer.Argument(..., help="applicant YAML or JSON file, or - for stdin"),
    on: Optional[str] = typer.Option(None, "--date", help="evaluation date YYYY-MM-DD (default: today)"),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
    trace: bool = typer.Option(False, "--trace", help="show every rule and table row evaluated, in order"),
) -> None:
    """Evaluate an applicant against a product: decision, reasons, limit, rate, terms."""
    from engine.applicant import load_applicant
    from engine.evaluate import evaluate as run
    from engine.render import render_json, render_table

    day = _parse_date(on)
    catalog = _catalog()
    compiled = catalog.compiled(product)
    effective = compiled.doc.effective
    if not effective.covers(day):
        until = effective.to.isoformat() if effective.to else "open-ended"
        raise UsageError(f"{compiled.doc.name} ({compiled.code} v{compiled.doc.version}) is in force from "
                         f"{effective.from_.isoformat()} to {until}, not on {day.isoformat()}")
    if applicant == "-":
        record = load_applicant("-", catalog.dictionary, stdin_text=sys.stdin.read())
    else:
        record = load_applicant(applicant, catalog.dictionary)
    decision = run(compiled, record, day, trace=trace).to_decision()
    typer.echo(render_json(decision) if output is OutputFormat.json else render_table(decision), nl=output is OutputFormat.json)


@app.command("list")
def list_products() -> None:
    """List the products: code, name, version, effective dates."""
    from engine.render import table

    rows = [["code", "name", "version", "effective from", "to"]]
    for product in sorted(_catalog().products.values(), key=lambda p: p.doc.code):
        doc = product.doc
        rows.append([doc.code, doc.name, doc.version, doc.effective.from_.isoformat(), doc.effective.to.isoformat() if doc.effective.to else "—"])
    typer.echo("\n".join(table(rows, indent="")))


@app.command()
def show(
    product: str = typer.Argument(..., help="product code or Chinese name"),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
) -> None:
    """Show a product: params, rules (with the rulesets it combines), tables, limit, pricing, terms."""
    from engine.describe import describe_product

    catalog = _catalog()
    compiled = catalog.compiled(product)
    if output is OutputFormat.json:
        typer.echo(compiled.doc.model_dump_json(indent=2, by_alias=True))
    else:
        typer.echo(describe_product(compiled, catalog.rulesets), nl=False)


@app.command()
def validate(path: Optional[Path] = typer.Argument(None, help="a pack folder (default: the built-in pack)")) -> None:
    """Load and compile every product and ruleset; list every problem (exit 2 if any)."""
    if path is not None and not path.is_dir():
        raise UsageError(f"{path}: not a folder (give a pack folder holding products/, rulesets/, schemas/)")
    checked, problems = _catalog(path).validate()
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
