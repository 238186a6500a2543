"""`pf serve` and `pf keys add`: the decision service over HTTP (docs/service.md). TLS belongs to the
reverse proxy in front."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from engine.commands.options import PackOption, catalog_for

keys_app = typer.Typer(help="API keys of the decision service's channels (stored hashed).", no_args_is_help=True)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (put a TLS reverse proxy in front)"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    pack: Optional[list[Path]] = PackOption,
    db: Optional[str] = typer.Option(None, "--db", help="decision log: a SQLite file or postgresql:// URL (default $PF_DB, else pf.db)"),
    keys: Optional[Path] = typer.Option(None, "--keys", help="the API keys file (pf keys add); without it every caller is let in"),
    no_log: bool = typer.Option(False, "--no-log", help="do not append decisions to the decision log"),
) -> None:
    """Serve evaluations to channels over HTTP; every decision is appended to the decision log. SIGHUP reloads the packs."""
    import signal

    import uvicorn

    from engine.ledger import DecisionLog
    from engine.service import build_app
    from engine.service.keys import load_keys

    app = build_app(lambda: catalog_for(pack), None if no_log else DecisionLog.open(db),
                    load_keys(keys) if keys is not None else None)
    service = app.state.service

    def on_hangup(signum: int, frame: object) -> None:
        try:
            service.reload()
            typer.echo("packs reloaded", err=True)
        except Exception as exc:  # the refused packs are reported; the old ones keep serving
            typer.echo(f"reload refused, previous packs keep serving:\n{exc}", err=True)

    signal.signal(signal.SIGHUP, on_hangup)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@keys_app.command("add")
def add(
    channel: str = typer.Argument(..., help="the channel the key is for, e.g. mobile-banking"),
    keys: Path = typer.Option(Path("keys.json"), "--keys", help="the keys file"),
    product: Optional[list[str]] = typer.Option(None, "--product", help="a product code it may use (repeatable; default all)"),
    operation: Optional[list[str]] = typer.Option(None, "--operation", help="evaluate, read or admin (repeatable; default evaluate, read)"),
    rate: float = typer.Option(100.0, "--rate", help="requests per second it may make"),
) -> None:
    """Create an API key for a channel: its hash is stored, the key is printed once."""
    from engine.core.errors import UsageError
    from engine.service.keys import OPERATIONS, add_key

    unknown = [o for o in operation or [] if o not in OPERATIONS]
    if unknown:
        raise UsageError(f"--operation: {', '.join(unknown)} is not one of {', '.join(OPERATIONS)}")
    typer.echo(add_key(keys, channel, list(product or []), list(operation or []), rate))
