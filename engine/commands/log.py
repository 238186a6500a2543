"""`pf log …`: the decision log. `pf log verify` walks the hash chain and names every broken record."""
from __future__ import annotations

from typing import Optional

import typer

from engine.commands.options import fail

log_app = typer.Typer(no_args_is_help=True, help="The tamper-evident decision log (docs/decision-log.md).")

DbOption = typer.Option(None, "--db", help="database: a SQLite file or a postgresql:// URL (default $PF_DB, else pf.db)")


@log_app.command()
def verify(db: Optional[str] = DbOption) -> None:
    """Check every record's hash and link; exit 1 naming each edited, deleted, inserted, reordered or truncated record."""
    from engine.ledger import DecisionLog

    log = DecisionLog.open(db, create=False)
    try:
        problems = log.verify()
        size = log.size()
    finally:
        log.close()
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        fail(f"decision log: {len(problems)} problem(s) in {size} record(s)", code=1)
    typer.echo(f"decision log intact: {size} record(s)")
