"""`pf line …` and `pf pool show`: the lines store (docs/lines.md). Exit 0 for any result, 2 for bad input."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Optional

import typer
from pydantic import BaseModel

from engine.commands.options import FormatOption, OutputFormat
from engine.core.dates import parse_day

line_app = typer.Typer(no_args_is_help=True, help="Credit lines: grant, draw, repay, freeze, unfreeze, show, list (docs/lines.md).")
pool_app = typer.Typer(no_args_is_help=True, help="Risk compensation pools (docs/lines.md).")

DbOption = typer.Option(None, "--db", help="database: a SQLite file or a postgresql:// URL (default $PF_DB, else pf.db)")
ActorOption = typer.Option("cli", "--actor", help="who makes the change (recorded in the event)")
DayOption = typer.Option(None, "--date", help="business date YYYY-MM-DD (default: today)")


def _amount(text: str) -> Decimal:
    """The amount as given; operations check it is positive and whole cents, naming the value."""
    from engine.lines.store import LineError

    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise LineError(f"--amount {text!r} is not a number of yuan, e.g. 1234.50") from None


def _emit(result: BaseModel, fmt: OutputFormat, rows: list[tuple[str, object]]) -> None:
    if fmt == OutputFormat.json:
        typer.echo(result.model_dump_json(indent=2))
        return
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        typer.echo(f"{key.ljust(width)}  {value}")


@line_app.command()
def repay(line: str, amount: str = typer.Option(..., "--amount"), on: Optional[str] = DayOption, db: Optional[str] = DbOption,
          actor: str = ActorOption, fmt: OutputFormat = FormatOption) -> None:
    """Repay: interest accrued by actual days first, then principal."""
    from engine.lines.operations import repay as do_repay
    from engine.lines.store import Store

    store = Store.open(db, create=False)
    try:
        result = do_repay(store, line, _amount(amount), on=parse_day(on), actor=actor)
    finally:
        store.close()
    _emit(result, fmt, [("line", result.line_id), ("interest", result.interest), ("principal", result.principal),
                        ("outstanding", result.outstanding), ("available", result.available)])


def _state(kind: str, line: str, reason: str, on: Optional[str], db: Optional[str], actor: str, fmt: OutputFormat) -> None:
    from engine.lines.operations import set_state
    from engine.lines.store import Store

    store = Store.open(db, create=False)
    try:
        result = set_state(store, line, kind, reason=reason, on=parse_day(on), actor=actor)
    finally:
        store.close()
    _emit(result, fmt, [("line", result.line_id), ("state", result.state), ("event", result.event_seq)])


@line_app.command()
def freeze(line: str, reason: str = typer.Option(..., "--reason"), on: Optional[str] = DayOption,
           db: Optional[str] = DbOption, actor: str = ActorOption, fmt: OutputFormat = FormatOption) -> None:
    """Freeze an active line: it refuses draws until it is unfrozen."""
    _state("frozen", line, reason, on, db, actor, fmt)


@line_app.command()
def unfreeze(line: str, reason: str = typer.Option(..., "--reason"), on: Optional[str] = DayOption,
             db: Optional[str] = DbOption, actor: str = ActorOption, fmt: OutputFormat = FormatOption) -> None:
    """Unfreeze a frozen line (recorded, with the reason)."""
    _state("unfrozen", line, reason, on, db, actor, fmt)


@line_app.command()
def show(line: str, db: Optional[str] = DbOption, fmt: OutputFormat = FormatOption) -> None:
    """A line and its event history."""
    from engine.lines.models import LineDetail
    from engine.lines.store import Store
    from engine.lines.views import line_model

    store = Store.open(db, create=False)
    try:
        with store.db.read() as conn:
            row = store.line_row(conn, line)
        detail = LineDetail(line=line_model(row), events=store.events(line))
    finally:
        store.close()
    if fmt == OutputFormat.json:
        typer.echo(detail.model_dump_json(indent=2))
        return
    for key, value in detail.line.model_dump().items():
        typer.echo(f"{key.ljust(18)}  {value}")
    for e in detail.events:
        typer.echo(f"#{e.seq} {e.on} {e.kind} by {e.actor} {e.rule or ''} {e.evidence or ''}".rstrip())


@pool_app.command("show")
def pool_show(pool: str, db: Optional[str] = DbOption, fmt: OutputFormat = FormatOption) -> None:
    """Capacity (fund x leverage), used, available and losses of a pool."""
    from engine.lines.pools import show_pool
    from engine.lines.store import Store

    store = Store.open(db, create=False)
    try:
        result = show_pool(store, pool)
    finally:
        store.close()
    _emit(result, fmt, [(k, v) for k, v in result.model_dump().items()])


@line_app.command("list")
def list_lines(customer: Optional[str] = typer.Option(None, "--customer"), state: Optional[str] = typer.Option(None, "--state"),
               db: Optional[str] = DbOption, fmt: OutputFormat = FormatOption) -> None:
    """The lines, optionally of one customer and/or in one state."""
    from sqlalchemy import select

    from engine.lines.store import LineError, Store
    from engine.lines.tables import lines
    from engine.lines.views import line_model

    if state is not None and state not in ("active", "frozen", "expired", "closed"):
        raise LineError(f"--state {state!r}: use active, frozen, expired or closed")
    query = select(lines).order_by(lines.c.line_id)
    if customer is not None:
        query = query.where(lines.c.customer_id == customer)
    if state is not None:
        query = query.where(lines.c.state == state)
    store = Store.open(db, create=False)
    try:
        with store.db.read() as conn:
            found = [line_model(dict(r)) for r in conn.execute(query).mappings()]
    finally:
        store.close()
    if fmt == OutputFormat.json:
        typer.echo("[" + ",\n".join(m.model_dump_json() for m in found) + "]")
        return
    for m in found:
        typer.echo(f"{m.line_id}  {m.customer_id}  {m.product_code}  {m.state}  limit {m.limit}  outstanding {m.outstanding}")


@line_app.command("draw")
def draw_line(line: str, amount: str = typer.Option(..., "--amount"), term: int = typer.Option(..., "--term"),
              payee: Optional[str] = typer.Option(None, "--payee"), key: Optional[str] = typer.Option(None, "--key"),
              on: Optional[str] = DayOption, db: Optional[str] = DbOption, actor: str = ActorOption,
              fmt: OutputFormat = FormatOption) -> None:
    """Draw on a line: approve / refer / decline with reasons; booked only on approve, once per --key."""
    from engine.catalog import Catalog
    from engine.drawdown import DrawRequest
    from engine.lines.draw import draw
    from engine.lines.store import Store

    request = DrawRequest(amount=_amount(amount), term_months=term, on=parse_day(on), payee=payee, key=key)
    store = Store.open(db, create=False)
    try:
        result = draw(store, Catalog(), line, request, actor=actor)
    finally:
        store.close()
    reasons = "; ".join(f"{r.code}: {r.message}" for r in result.decision.reasons) or "-"
    _emit(result, fmt, [("line", line), ("decision", result.decision.decision), ("booked", result.recorded),
                        ("retried", result.replayed), ("reasons", reasons)])


@line_app.command("grant")
def grant_line(product: str, applicant: str, on: Optional[str] = DayOption, db: Optional[str] = DbOption,
               line: Optional[str] = typer.Option(None, "--line", help="the new line's id (default: from the decision id)"),
               customer: Optional[str] = typer.Option(None, "--customer", help="customer id (default: the applicant's id)"),
               actor: str = ActorOption, fmt: OutputFormat = FormatOption) -> None:
    """Evaluate the applicant; on approve grant a line from the decision, on refer / decline grant nothing."""
    import yaml

    from engine.api import evaluate_applicant
    from engine.commands.options import catalog_for, read_applicant
    from engine.lines.granting import grant_from_decision
    from engine.lines.store import LineError, Store

    day = parse_day(on)
    catalog = catalog_for()
    if applicant == "-":
        raise LineError("give the applicant as a file (not -): its problems are named by file:line:column")
    read_applicant(applicant, catalog)  # the file's problems are reported with file:line:column first
    with open(applicant, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)  # JSON is YAML: the data evaluate_applicant takes
    decision = evaluate_applicant(catalog, product, data, day)
    store = Store.open(db)
    try:
        result = grant_from_decision(store, decision, on=day, actor=actor, line_id=line, customer_id=customer)
    finally:
        store.close()
    reasons = "; ".join(f"{f.code}: {f.message}" for f in decision.findings) or "-"
    rows: list[tuple[str, object]] = [("decision", decision.decision), ("decision id", result.decision_id), ("reasons", reasons)]
    if result.line is not None:
        m = result.line
        rows += [("line", m.line_id), ("limit", m.limit), ("rate bp", f"{m.base_bp} + {m.spread_bp} = {m.rate_bp}"),
                 ("valid", f"{m.valid_from} .. {m.valid_to}"), ("maturity", m.maturity), ("revolving", m.revolving)]
    else:
        rows.append(("line", "none granted"))
    _emit(result, fmt, rows)
