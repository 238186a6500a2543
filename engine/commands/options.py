"""Options and arguments shared by several commands, declared once, and the helpers every command uses."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from engine.core.errors import UsageError

if TYPE_CHECKING:
    from engine.catalog import Catalog


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class InputFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


PackOption = typer.Option(None, "--pack", help="a pack folder layered on the built-in pack (repeatable; "
                          "default list from PF_PACKS, separated by the path separator)")
DateOption = typer.Option(None, "--date", help="evaluation date YYYY-MM-DD (default: today)")
FormatOption = typer.Option(OutputFormat.table, "--format", help="table or json")
ProductArgument = typer.Argument(..., help="product code, CODE@VERSION, or Chinese name")
OtherProductArgument = typer.Argument(..., help="product code, CODE@VERSION or name")
InputFormatOption = typer.Option(None, "--input-format", help="when the extension does not tell")


def fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def catalog_for(packs: Optional[list[Path]] = None, root: Optional[Path] = None) -> Catalog:
    """The catalog a command works on: the built-in pack (or root), then PF_PACKS, then the packs given."""
    from engine.catalog import Catalog, packs_from_environment

    return Catalog(root, packs_from_environment() + list(packs or []))


def catalog_of_folder(path: Optional[Path], packs: Optional[list[Path]] = None) -> Catalog:
    """The catalog `pf validate PATH` checks: PATH as the root pack, or as a pack layered on the built-in one."""
    from engine.catalog import is_root_pack

    if path is not None and not path.is_dir():
        raise UsageError(f"{path}: not a folder (give a pack folder holding products/, rulesets/, schemas/)")
    if path is None:
        return catalog_for(packs)
    if is_root_pack(path):
        return catalog_for(packs, root=path)
    return catalog_for([path] + list(packs or []))


def read_applicant(applicant: str, catalog: Catalog) -> dict[str, Any]:
    """The applicant file named on the command line, or stdin for '-'."""
    from engine.documents.applicant import load_applicant

    if applicant == "-":
        buffer = getattr(sys.stdin, "buffer", None)  # the bytes, so the encoding is checked as a file's is
        if buffer is not None:
            return load_applicant("-", catalog.dictionary, stdin=buffer)
        from engine.core.limits import LIMITS

        return load_applicant("-", catalog.dictionary, stdin_text=sys.stdin.read(LIMITS.applicant_bytes + 1))
    return load_applicant(applicant, catalog.dictionary)
