"""`pf validate`, `pf test`, `pf schema export`: checking and documenting packs while writing them."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from engine.commands.options import PackOption, catalog_for, catalog_of_folder, fail

schema_app = typer.Typer(help="JSON Schemas for editors (yaml-language-server).", no_args_is_help=True)


@schema_app.command("export")
def schema_export(
    out: Optional[Path] = typer.Option(None, "--out", help="folder to write to (default: schemas/ of the built-in pack)"),
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Write JSON Schemas for products, rulesets, packs, params, tests and applicant data (and docs/reference.md)."""
    from engine.authoring.schema_export import export_catalog

    for line in export_catalog(catalog_for(pack), out):
        typer.echo(line)


def run_tests(
    paths: Optional[list[Path]] = typer.Argument(None, help="test files (*.tests.yaml) or pack folders; default: every loaded pack"),
    show_coverage: bool = typer.Option(False, "--coverage", help="which rules and table rows the cases made pass, fail and go unknown"),
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Run the product test cases written in YAML; exit 1 if any case fails."""
    from engine.authoring.testing import coverage, render_coverage, render_results, run_file, test_files
    from engine.catalog import _display

    catalog = catalog_for(pack)
    catalog.packs  # loads every pack
    files = test_files(paths or [p.root for p in catalog.packs if p.root is not None])
    catalogs: dict = {}
    results = [r for f in files for r in run_file(catalog, f, _display(f), catalogs, trace=show_coverage)]
    typer.echo(render_results(results), nl=False)
    if show_coverage:
        typer.echo("\nCoverage")
        typer.echo(render_coverage(coverage(results)), nl=False)
    if any(r.status != "pass" for r in results):
        raise typer.Exit(1)


def validate(
    path: Optional[Path] = typer.Argument(None, help="a pack folder (default: the built-in pack and PF_PACKS)"),
    strict: bool = typer.Option(False, "--strict", help="also list warnings (unused params, rules that can never "
                                "fail or pass, table gaps, ...) and fail on them"),
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Load and compile every product and ruleset, then analyse them; list every problem (exit 2 if any)."""
    from engine.authoring.validate import validate_catalog

    catalog = catalog_of_folder(path, pack)
    checked, problems = validate_catalog(catalog, analyse=True)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for problem in errors + (warnings if strict else []):
        typer.echo(problem.render(with_code=True), err=True)
    if errors or (strict and warnings):
        fail(f"{len(errors)} error(s), {len(warnings)} warning(s) in {checked} document(s)")
    note = f"; {len(warnings)} warning(s): see pf validate --strict" if warnings else ""
    typer.echo(f"OK: {checked} documents load and compile{note}")
