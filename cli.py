"""The `pf` command line. The only place that turns errors into exit codes and messages.

Exit codes: 0 for any decision (a decline is a result, not an error), 1 when `pf test` has a failing case,
2 for usage and validation errors. Results go to stdout, errors to stderr, and no traceback ever reaches
a user (set PF_DEBUG=1 to see one). The commands live in engine/commands/, one module per group.
"""
from __future__ import annotations

import os
import sys

import typer

from engine.commands import authoring, batch, catalog, evaluating, paperwork
from engine.commands.lines import line_app, pool_app
from engine.commands.log import log_app
from engine.commands.serve import keys_app, serve
from engine.core.env import env_flag
from engine.core.errors import ProductFactoryError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Product Factory: evaluate small-business loan products declared in YAML.",
)

# Registration order is the order `pf --help` lists them in.
app.command()(evaluating.evaluate)
app.command("list")(catalog.list_products)
app.command()(catalog.show)
app.command()(catalog.diff)
app.command()(catalog.packs)
app.add_typer(authoring.schema_app, name="schema")
app.command("test")(authoring.run_tests)
app.command()(authoring.validate)
app.command()(evaluating.schedule)
app.command()(batch.batch)
app.command()(batch.impact)
app.command()(batch.generate)
app.command()(paperwork.document)
app.add_typer(log_app, name="log")
app.command()(serve)
app.add_typer(keys_app, name="keys")
app.add_typer(line_app, name="line")
app.add_typer(pool_app, name="pool")


def main() -> None:
    # pydantic looks for plugins by scanning every installed distribution's entry points (~12 ms of each
    # start); the engine uses none. PYDANTIC_DISABLE_PLUGINS set by the user (even empty) still wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        debug = env_flag("PF_DEBUG")
    except ProductFactoryError as exc:
        typer.echo(exc.render(), err=True)
        sys.exit(exc.exit_code)
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
        if debug:
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (set PF_DEBUG=1 for details; please report it)", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
