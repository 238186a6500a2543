"""`pf evaluate` and `pf schedule`: one applicant's decision, offers and repayment schedule.

This is the path a cold start must keep short: the heavy modules are imported inside the commands."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from engine.commands.options import DateOption, FormatOption, OutputFormat, PackOption, ProductArgument, catalog_for, read_applicant
from engine.core.dates import parse_day
from engine.core.errors import UsageError
from engine.core.money import parse_amount


class ScheduleFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def evaluate(
    product: str = ProductArgument,
    applicant: str = typer.Argument(..., help="applicant YAML or JSON file, or - for stdin"),
    on: Optional[str] = DateOption,
    output: OutputFormat = FormatOption,
    trace: bool = typer.Option(False, "--trace", help="show every rule and table row evaluated, in order"),
    pack: Optional[list[Path]] = PackOption,
    offers: bool = typer.Option(False, "--offers", help="add offers: schedule totals, fees and APR for the allowed (or requested) "
                                "terms and repayment methods"),
    amount: Optional[str] = typer.Option(None, "--amount", help="with --offers: the amount asked for (default: the limit)"),
    term: Optional[int] = typer.Option(None, "--term", help="with --offers: only this term in months (default: loan.term_months, else all)"),
    method: Optional[str] = typer.Option(None, "--method", help="with --offers: only this repayment method (default: loan.repayment_method, else all)"),
    start: Optional[str] = typer.Option(None, "--start", help="with --offers: drawdown date YYYY-MM-DD (due dates follow)"),
    log: bool = typer.Option(False, "--log", help="append the decision to the decision log (docs/decision-log.md) before printing it"),
    db: Optional[str] = typer.Option(None, "--db", help="with --log: a SQLite file or postgresql:// URL (default $PF_DB, else pf.db)"),
) -> None:
    """Evaluate an applicant against a product: decision, reasons, limit, rate, terms (and offers)."""
    from engine.evaluate.interpreter import evaluate as run
    from engine.results.build import to_decision
    from engine.results.render import render_json, render_table

    day = parse_day(on)
    catalog = catalog_for(pack)
    compiled = catalog.compiled(product, day)
    record = read_applicant(applicant, catalog)
    request = _request(amount, term, method, start)
    if not offers and request is not None:
        raise UsageError("--amount, --term, --method and --start choose the offers: add --offers")
    decision = to_decision(run(compiled, record, day, trace=trace))
    if offers:
        from engine.results.offer_render import offers_lines
        from engine.results.offers import Request, build_offers

        decision = decision.model_copy(update={"offers": build_offers(compiled, record, day, request or Request())})
    if log:
        # Logged before it is shown: a decision the log could not keep is never handed out.
        import uuid

        from engine.ledger import DecisionLog, LogRecord

        decision_log = DecisionLog.open(db)
        try:
            decision_log.append([LogRecord.from_decision(decision, record, request_id=str(uuid.uuid4()), channel="cli")])
        finally:
            decision_log.close()
    if output is OutputFormat.json:
        typer.echo(render_json(decision))
    else:
        text = render_table(decision)
        typer.echo(text + ("\n".join(offers_lines(decision.offers)) + "\n" if decision.offers is not None else ""), nl=False)


def _request(amount: Optional[str], term: Optional[int], method: Optional[str], start: Optional[str]):
    """The offer options, checked; None when they choose nothing. Without any of them the offers module
    (and schedules) stay unloaded."""
    if amount is None and term is None and method is None and not start:
        return None
    from engine.results.offers import Request, parse_request

    request = parse_request(amount, term, method, start)
    return None if request == Request() else request


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
    from engine.finance.schedule_render import render_csv, render_table, schedule_to_json
    from engine.finance.schedule_request import schedule_from_text

    missing = [name for name, value in (("--amount", amount), ("--rate", rate), ("--term", term)) if value is None]
    if missing:
        raise UsageError(f"missing {', '.join(missing)} (or give PRODUCT APPLICANT to schedule a product's offer)")
    assert amount is not None and rate is not None and term is not None
    try:
        # The typed amount is read here, by the one reader of amounts (a comma only separates thousands).
        principal = parse_amount(amount)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    result = schedule_from_text(str(principal), rate, term, method, start)
    renderers = {ScheduleFormat.table: render_table, ScheduleFormat.json: schedule_to_json, ScheduleFormat.csv: render_csv}
    typer.echo(renderers[output](result), nl=False)


def _product_schedule(product: str, applicant: Optional[str], amount: Optional[str], rate: Optional[str], term: Optional[int],
                      method: Optional[str], start: Optional[str], output: ScheduleFormat, on: Optional[str],
                      pack: Optional[list[Path]]) -> None:
    from engine.results.offer_render import offer_document, render_offer_csv, render_offer_json, render_offer_table
    from engine.results.offers import parse_request, single_offer

    if applicant is None:
        raise UsageError("missing APPLICANT: pf schedule PRODUCT APPLICANT [--amount A] [--term N] [--method M]")
    if rate is not None:
        raise UsageError("--rate cannot be given with PRODUCT: the product prices the offer (drop --rate, or drop PRODUCT APPLICANT)")
    day = parse_day(on)
    request = parse_request(amount, term, method, start)
    catalog = catalog_for(pack)
    compiled = catalog.compiled(product, day)
    record = read_applicant(applicant, catalog)
    offer, _ = single_offer(compiled, record, day, request)
    if output is ScheduleFormat.json:
        typer.echo(render_offer_json(offer_document(compiled, day, record.get("$id"), offer)))
    elif output is ScheduleFormat.csv:
        typer.echo(render_offer_csv(offer), nl=False)
    else:
        typer.echo(render_offer_table(offer_document(compiled, day, record.get("$id"), offer), offer.decision), nl=False)
