"""Validating a whole catalog: load every pack, compile every ruleset and product version, check
every test file, and (optionally) add the static analysis findings. What `pf validate` reports."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from engine.authoring.analysis import analyse_product, analyse_ruleset
from engine.authoring.offer_checks import offer_problems
from engine.authoring.testing import parse_test_file
from engine.catalog import Catalog, LoadedPacks, content_hash
from engine.compile.partial import problems_behind_schema_errors
from engine.compile.product import compile_product, compile_ruleset
from engine.core.errors import (
    DocumentError,
    Problem,
    ProblemCollector,
    ProductFactoryError,
    UsageError,
)
from engine.documents.loaders import is_test_file, load_source


def validation_date(loaded: LoadedPacks) -> date:
    """The default date rulesets are compiled at: the latest day anything in the catalog takes effect (a
    product version's start or a shared param's history entry). It depends only on the files, so the same
    catalog validates the same way on every day, and every dated param is in force."""
    days = [entry.header.effective.from_ for versions in loaded.entries.values() for entry in versions]
    days += [h.from_ for params in loaded.shared.values() for e in params.values() for h in (e.param.history or ())]
    return max(days, default=date(2000, 1, 1))


def validate_catalog(catalog: Catalog, analyse: bool = False, on: date | None = None) -> tuple[int, list[Problem]]:
    """Load and compile everything; return (documents checked, every problem found).

    Rulesets are compiled with the shared params in force on `on` (default: validation_date, see above);
    each product version is compiled on the first day of its effective range. With analyse,
    static-analysis findings (warnings, and overlapping 'unique' rows) are added."""
    try:
        loaded = catalog.load()
    except UsageError as exc:
        return 0, [Problem("", None, None, (), exc.render(), code="PF004")]
    problems = ProblemCollector()
    problems.extend(_coded(loaded.problems, "PF004"))
    if loaded.dictionary is None:
        return len(catalog.loaders), problems.problems
    checked = 1 + len(loaded.rulesets) + sum(len(v) for v in loaded.entries.values())
    day = on or validation_date(loaded)
    for code, ruleset in loaded.rulesets.items():
        # A ruleset reads the params its own pack sees (packs.md: each pack's params are its own namespace).
        rules, found = compile_ruleset(ruleset, loaded.dictionary, catalog.shared_on(day, loaded.ruleset_packs[code].name))
        problems.extend(_coded(found, "PF004"))
        if analyse and not found:
            problems.extend(analyse_ruleset(ruleset, [r for r in rules if r is not None], loaded.dictionary))
    for entry in catalog.entries():
        start = entry.header.effective.from_
        try:
            product = catalog.resolve(entry, start)
            shared = catalog.shared_on(start, entry.pack.name)
            compiled = compile_product(product, loaded.rulesets, loaded.dictionary, shared, pack=entry.pack.name,
                                       content_hash=content_hash(product, loaded.rulesets, shared))
        except DocumentError as exc:
            problems.extend(_coded(exc.problems or [Problem(entry.source.file, None, None, (), exc.render())], "PF002"))
            problems.extend(_coded(problems_behind_schema_errors(  # the compile problems the schema errors would hide
                lambda: catalog.resolve_document(entry, start), loaded.rulesets, loaded.dictionary,
                catalog.shared_on(start, entry.pack.name)), "PF004"))
            continue
        except ProductFactoryError as exc:
            problems.extend(_coded(exc.problems or [Problem(entry.source.file, None, None, (), exc.render())], "PF004"))
            continue
        problems.extend(offer_problems(compiled, product))
        if analyse:
            problems.extend(analyse_product(compiled, product, loaded.dictionary, start))
    # Test cases inside a product file were validated with the product; here the separate test files.
    for pack in loaded.packs:
        for relative in pack.loader.files("products"):
            if not is_test_file(relative):
                continue
            checked += 1
            try:
                parse_test_file(load_source(pack.loader, relative), test_file=True)
            except ProductFactoryError as exc:
                problems.extend(_coded(exc.problems, "PF002"))
    unique = list(dict.fromkeys(problems.problems))
    return checked, unique


def _coded(problems: list[Problem], default: str) -> list[Problem]:
    return [p if p.code else replace(p, code=default) for p in problems]
