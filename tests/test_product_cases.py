"""The product test cases written in YAML (products/*.tests.yaml in every pack), run by pytest too."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.authoring.testing import coverage, discover, load_test_file, render_coverage, render_results, run_file
from engine.catalog import Catalog
from tests.conftest import EXAMPLE_PACKS, ROOT

PACK_ROOTS = [ROOT, *EXAMPLE_PACKS]
CASE_FILES = discover(PACK_ROOTS)


def _case_ids() -> list[tuple[Path, int, str]]:
    found = []
    for path in CASE_FILES:
        tests, _ = load_test_file(path, str(path.relative_to(ROOT)))
        found.extend((path, i, f"{path.relative_to(ROOT)}::{case.name}") for i, case in enumerate(tests.cases))
    return found


CASES = _case_ids()


@pytest.fixture(scope="module")
def packs_catalog() -> Catalog:
    return Catalog(ROOT, EXAMPLE_PACKS)


@pytest.fixture(scope="module")
def results(packs_catalog):
    return {path: run_file(packs_catalog, path, str(path.relative_to(ROOT)), trace=True) for path in CASE_FILES}


@pytest.mark.parametrize("path, index, label", CASES, ids=[c[2] for c in CASES])
def test_product_case(results, path, index, label):
    result = results[path][index]
    assert result.status == "pass", render_results([result])


def test_every_product_has_test_cases(packs_catalog):
    tested = {r.product.partition("@")[0] for path in CASE_FILES for r in run_file(packs_catalog, path, str(path))}
    assert set(packs_catalog.products) <= tested


def test_full_rule_coverage(results):
    report = coverage([r for rs in results.values() for r in rs])
    incomplete = {code: cov for code, cov in report.items() if not cov.complete}
    assert not incomplete, render_coverage(incomplete)
