"""The product test cases written in YAML (products/*.tests.yaml in every pack), run by pytest too, on every
backend: the traced interpreter (coverage needs the trace), the fused path `pf evaluate` and `pf test` use, and
the columnar batch path (one batch per product and date, holding all its cases)."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from engine.authoring.testing import CaseResult, coverage, discover, load_test_file, render_coverage, render_results, run_file
from engine.batch.plan import columnar_support
from engine.batch.reading import records_batch
from engine.batch.run import evaluate_batch
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


@pytest.fixture(scope="module")
def fused_results(packs_catalog):
    return {path: run_file(packs_catalog, path, str(path.relative_to(ROOT))) for path in CASE_FILES}


@pytest.mark.parametrize("path, index, label", CASES, ids=[c[2] for c in CASES])
def test_product_case(results, path, index, label):
    result = results[path][index]
    assert result.status == "pass", render_results([result])


@pytest.mark.parametrize("path, index, label", CASES, ids=[c[2] for c in CASES])
def test_product_case_on_the_fused_path(fused_results, path, index, label):
    result = fused_results[path][index]
    assert result.evaluation is not None and result.evaluation.trace is None  # really the untraced path
    assert result.status == "pass", render_results([result])


def outcome(decision: str, reasons: list[str], limit: Any, binding: str | None, rate_bp: int | None) -> dict[str, Any]:
    return {"decision": decision, "reasons": list(reasons), "limit": limit, "binding_cap": binding, "rate_bp": rate_bp}


def row_outcome(result: CaseResult) -> dict[str, Any]:
    e = result.evaluation
    assert e is not None
    return outcome(e.decision, [r.id for r, _ in e.findings], e.limit.amount if e.limit else None,
                   e.limit.binding if e.limit else None, e.rate.final if e.rate else None)


@pytest.fixture(scope="module")
def columnar_results(fused_results) -> dict[tuple[Path, int], dict[str, Any] | str]:
    """Per case: its outcome on the columnar path, or why the columnar path cannot run its product (a string).
    The cases of one product, date and catalog go through the columnar path as one batch."""
    groups: dict[tuple[int, Any], list[tuple[Path, int, CaseResult]]] = defaultdict(list)
    for path, file_results in fused_results.items():
        for index, result in enumerate(file_results):
            if result.evaluation is not None and result.record is not None:
                groups[(id(result.evaluation.product), result.day)].append((path, index, result))
    found: dict[tuple[Path, int], dict[str, Any] | str] = {}
    for members in groups.values():
        first = members[0][2]
        product = first.evaluation.product  # type: ignore[union-attr]
        unsupported = columnar_support(product)
        if unsupported:
            found.update({(path, index): unsupported for path, index, _ in members})
            continue
        records = [result.record for _, _, result in members]
        batch = records_batch(records, list(range(1, len(records) + 1)), first.catalog.dictionary, len(records))
        run = evaluate_batch(product, batch, first.day, mode="columnar")
        assert (run.columnar_rows, run.row_path_rows, run.rejects) == (len(records), 0, []), run.notes
        f = run.frame
        by_row = {row: outcome(*values) for row, *values in zip(f["row"].to_list(), f["decision"].to_list(), f["reasons"].to_list(),
                                                                f["limit"].to_list(), f["binding_cap"].to_list(), f["rate_bp"].to_list())}
        found.update({(path, index): by_row[row] for row, (path, index, _) in enumerate(members, start=1)})
    return found


@pytest.mark.parametrize("path, index, label", CASES, ids=[c[2] for c in CASES])
def test_product_case_on_the_columnar_path(fused_results, columnar_results, path, index, label):
    result = fused_results[path][index]
    assert result.status == "pass", render_results([result])
    got = columnar_results[(path, index)]
    if isinstance(got, str):
        pytest.skip(f"the columnar path cannot run {result.product} yet: {got}")
    assert got == row_outcome(result)


def test_every_product_has_test_cases(packs_catalog, fused_results):
    tested = {r.product.partition("@")[0] for rs in fused_results.values() for r in rs}
    assert set(packs_catalog.products) <= tested


def test_full_rule_coverage(results):
    report = coverage([r for rs in results.values() for r in rs])
    incomplete = {code: cov for code, cov in report.items() if not cov.complete}
    assert not incomplete, render_coverage(incomplete)
