"""`pf list`, `pf show`, `pf diff`, `pf packs`: what the loaded packs hold."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from engine.commands.options import (
    DateOption,
    FormatOption,
    OtherProductArgument,
    OutputFormat,
    PackOption,
    ProductArgument,
    catalog_for,
    fail,
)
from engine.core.dates import parse_day


def list_products(pack: Optional[list[Path]] = PackOption) -> None:
    """List every product version: code, name, version, effective dates, pack, parent."""
    from engine.authoring.describe import product_rows
    from engine.results.render import table

    catalog = catalog_for(pack)
    typer.echo("\n".join(table(product_rows(catalog), indent="")))
    for problem in catalog.load_problems:
        typer.echo(problem.render(), err=True)
    if catalog.load_problems:
        fail(f"{len(catalog.load_problems)} problem(s) while loading; run pf validate")


def show(
    product: str = ProductArgument,
    output: OutputFormat = FormatOption,
    resolved: bool = typer.Option(False, "--resolved", help="the effective product after inheritance, with the file "
                                  "and line every param, rule and table came from"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Show a product: params, rules (with the rulesets it combines), tables, limit, pricing, terms."""
    from engine.authoring.describe import describe_product, describe_resolved, provenance_json

    day = parse_day(on)
    catalog = catalog_for(pack)
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


def diff(
    first: str = OtherProductArgument,
    second: str = OtherProductArgument,
    on: Optional[str] = DateOption,
    output: OutputFormat = FormatOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """What differs between two products, or two versions of one: params, rules, tables, limit, pricing."""
    from engine.authoring.diff import diff_products, render_diff

    day = parse_day(on)
    catalog = catalog_for(pack)
    changes = diff_products(catalog.compiled(first, day), catalog.compiled(second, day), catalog.rulesets)
    if output is OutputFormat.json:
        typer.echo(changes.model_dump_json(indent=2))
    else:
        typer.echo(render_diff(changes), nl=False)


def packs(pack: Optional[list[Path]] = PackOption) -> None:
    """The packs loaded, in layering order, and what each brings."""
    from engine.authoring.describe import pack_rows
    from engine.results.render import table

    catalog = catalog_for(pack)
    typer.echo("\n".join(table(pack_rows(catalog), indent="")))
