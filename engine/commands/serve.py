"""`pf serve`: the decision service over HTTP (docs/service.md). TLS belongs to the reverse proxy in front."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from engine.commands.options import PackOption, catalog_for


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (put a TLS reverse proxy in front)"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    workers: int = typer.Option(1, "--workers", help="worker processes (one per core)"),
    pack: Optional[list[Path]] = PackOption,
    db: Optional[str] = typer.Option(None, "--db", help="decision log: a SQLite file or postgresql:// URL (default $PF_DB, else pf.db)"),
    no_log: bool = typer.Option(False, "--no-log", help="do not append decisions to the decision log"),
) -> None:
    """Serve evaluations to channels over HTTP; every decision is appended to the decision log."""
    import uvicorn

    from engine.ledger import DecisionLog
    from engine.service import build_app

    app = build_app(catalog_for(pack), None if no_log else DecisionLog.open(db))
    if workers != 1:
        raise typer.BadParameter("--workers above 1 is not supported yet: run one process per core behind the proxy")
    uvicorn.run(app, host=host, port=port, log_level="warning")
