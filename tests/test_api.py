"""The public API: catalogs from folders or memory, JSON-typed applicants, decisions as models or JSON, frames."""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import engine
from engine.authoring.validate import validate_catalog
from engine.batch.reading import frame_batch, read_batch
from engine.core.errors import DocumentError
from engine.documents.applicant import load_applicant
from engine.documents.loaders import FolderLoader, MemoryLoader
from engine.evaluate.interpreter import evaluate as run
from engine.results.build import to_decision
from tests.conftest import EVALUATION_DATE, EXAMPLE_PACKS, ROOT

APPLICANTS = ROOT / "examples" / "applicants"


def _pack_files(folder: Path) -> dict[str, str]:
    """Every file of a pack folder as {relative path: text}: what a service would hold in memory."""
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for sub in ("schemas", "params", "rulesets", "products") if (folder / sub).is_dir()
            for p in sorted((folder / sub).glob("*.yaml"))} | (
        {"pack.yaml": (folder / "pack.yaml").read_text(encoding="utf-8")} if (folder / "pack.yaml").exists() else {})


@pytest.fixture(scope="module")
def memory_catalog() -> engine.Catalog:
    return engine.catalog_from_memory({"builtin": _pack_files(ROOT)})


def _json_applicant(path: Path) -> dict:
    """The applicant file as a service would receive it: JSON with binary floats (dates as text)."""
    from engine.documents.source import load_document

    data = load_document(path).data
    return json.loads(json.dumps(data, default=lambda v: float(v) if isinstance(v, Decimal) else str(v)))


# ---------------------------------------------------------------- loaders

def test_a_catalog_in_memory_evaluates_as_the_folders_do(catalog, memory_catalog):
    assert validate_catalog(memory_catalog) == (validate_catalog(catalog)[0], [])
    assert sorted(memory_catalog.products) == sorted(catalog.products)
    for path in sorted(APPLICANTS.glob("*.yaml")):
        product = path.stem.rsplit("-", 1)[0]
        if product not in catalog.products:
            continue
        record = load_applicant(path, catalog.dictionary)
        on_disk = to_decision(run(catalog.compiled(product, EVALUATION_DATE), record, EVALUATION_DATE))
        in_memory = to_decision(run(memory_catalog.compiled(product, EVALUATION_DATE), record, EVALUATION_DATE))
        assert in_memory == on_disk, path.name


@pytest.mark.parametrize("pack", EXAMPLE_PACKS, ids=lambda p: p.name)
def test_layered_packs_in_memory_compile_as_the_folders_do(pack):
    on_disk = engine.Catalog(ROOT, [pack])
    layers = {"builtin": _pack_files(ROOT), pack.name: _pack_files(pack)}
    in_memory = engine.catalog_from_memory(layers)
    assert sorted(in_memory.products) == sorted(on_disk.products)
    for code in on_disk.products:
        entry = on_disk.products[code]
        day = max(entry.header.effective.from_, EVALUATION_DATE) if entry.header.effective.covers(EVALUATION_DATE) else entry.header.effective.from_
        assert in_memory.compiled(code, day).content_hash == on_disk.compiled(code, day).content_hash


def test_problems_in_memory_name_a_stable_pseudo_path():
    files = _pack_files(ROOT)
    files["products/broken.yaml"] = "code: broken\nname: [unclosed\n"
    problems = validate_catalog(engine.catalog_from_memory({"mine": files}))[1]
    assert [p.file for p in problems] == ["<mine>/products/broken.yaml"]
    assert problems[0].render().startswith("<mine>/products/broken.yaml:3:1: $: malformed YAML")
    assert validate_catalog(engine.catalog_from_memory({"empty": {}}))[1][0].render().startswith(
        "<empty>/schemas/dictionary.yaml: the first pack must have schemas/dictionary.yaml")


def test_memory_loader_lists_only_the_yaml_files_of_one_folder():
    loader = MemoryLoader({"products/a.yaml": "", "products/b.tests.yaml": "", "products/sub/c.yaml": "", "products/d.txt": "",
                           "params/e.yaml": ""})
    assert loader.files("products") == ["products/a.yaml", "products/b.tests.yaml"]
    assert loader.files("missing") == [] and loader.root is None and loader.exists("params/e.yaml")
    folder = FolderLoader(ROOT)
    assert folder.files("rulesets") == sorted(f"rulesets/{p.name}" for p in (ROOT / "rulesets").glob("*.yaml"))


def test_validation_compiles_at_a_stated_date(catalog):
    from engine.authoring.validate import validation_date

    loaded = catalog.load()
    day = validation_date(loaded)
    assert day >= max(e.header.effective.from_ for e in catalog.entries())
    assert validate_catalog(catalog, on=day) == validate_catalog(catalog)


# ---------------------------------------------------------------- evaluating JSON-typed data

@pytest.mark.parametrize("path", sorted(APPLICANTS.glob("*.yaml")), ids=lambda p: p.name)
def test_a_json_loads_applicant_with_floats_decides_as_the_yaml_file(catalog, path):
    product = path.stem.rsplit("-", 1)[0]
    if product not in catalog.products:
        pytest.skip("not a built-in product")
    expected = to_decision(run(catalog.compiled(product, EVALUATION_DATE), load_applicant(path, catalog.dictionary), EVALUATION_DATE))
    data = _json_applicant(path)
    assert any(isinstance(v, float) for source in data.values() if isinstance(source, dict) for v in source.values())
    decision = engine.evaluate_applicant(catalog, product, data, EVALUATION_DATE)
    assert decision == expected
    assert engine.decision_json(decision) == expected.model_dump_json(indent=2, exclude_none=False)
    assert isinstance(decision, engine.Decision)


def test_json_typed_applicants_keep_the_validation_messages(catalog):
    data = _json_applicant(APPLICANTS / "shuiqitong-xw-approve.yaml")
    data["tax"]["paid_12m"] = 0.1 + 0.2
    data["tax"]["months_filed_continuous"] = 24.5
    data["loan"]["amount"] = float("nan")
    with pytest.raises(DocumentError) as caught:
        engine.evaluate_applicant(catalog, "shuiqitong-xw", data, "2026-11-25")
    messages = [p.message for p in caught.value.problems]
    assert messages == ["money has at most 2 decimals (cents), got 0.30000000000000004",
                        "expected a whole number, got 24.5", "expected a number (元), got nan"]


@given(st.floats(allow_nan=True, allow_infinity=True))
@settings(max_examples=300, deadline=None)
def test_a_float_converts_to_the_decimal_of_its_shortest_repr(x):
    from engine.documents.applicant import check_value
    from engine.documents.models import FieldDef

    money = FieldDef.model_validate({"type": "money", "description": "amount"})
    value, error = check_value(money, x)
    if not math.isfinite(x):
        assert error is not None
        return
    exact = Decimal(repr(x))
    from engine.core.limits import number_problem

    if number_problem(exact):  # beyond the declared limits (docs/limits.md): refused, named as given
        assert error == f"{x!r} {number_problem(exact)}"
    elif exact.as_tuple().exponent < -2:
        assert error == f"money has at most 2 decimals (cents), got {exact}"
    else:
        assert error is None and value == exact  # whole cents are spelled with two decimals, the same number


# ---------------------------------------------------------------- frames (the columnar path)

MONEY = ["tax.paid_12m", "tax.taxable_sales_12m", "loan.amount"]


def _frame(catalog, n: int = 400) -> pl.DataFrame:
    from engine.batch.generate import generate

    return generate(catalog.compiled("shuiqitong-xw", EVALUATION_DATE).doc, catalog.dictionary, n, seed=7, on=EVALUATION_DATE)


def test_a_float64_frame_decides_as_the_decimal_frame(catalog):
    frame = _frame(catalog)
    money = [c for c in frame.columns if (d := catalog.dictionary.field(c)) is not None and d.type == "money"]
    floats = frame.with_columns(pl.col(money).cast(pl.Float64))
    expected = engine.evaluate_frame(catalog, "shuiqitong-xw", frame, EVALUATION_DATE)
    assert engine.evaluate_frame(catalog, "shuiqitong-xw", floats, EVALUATION_DATE).equals(expected)
    converted = frame_batch(floats, catalog.dictionary)
    assert converted.frame.select(money).equals(frame_batch(frame, catalog.dictionary).frame.select(money))


def test_evaluate_frame_raises_on_invalid_rows_and_the_result_keeps_them(catalog):
    frame = _frame(catalog, 5).with_columns(pl.col("tax.paid_12m").cast(pl.Float64))
    frame = frame.with_columns(pl.Series("tax.paid_12m", [0.1 + 0.2] + frame["tax.paid_12m"].to_list()[1:]))
    with pytest.raises(DocumentError, match=re.escape("money has at most 2 decimals (cents), got 0.30000000000000004")):
        engine.evaluate_frame(catalog, "shuiqitong-xw", frame, EVALUATION_DATE)
    result = engine.evaluate_frame_result(catalog, "shuiqitong-xw", frame, EVALUATION_DATE)
    assert result.frame.height == 4 and [r.row for r in result.rejects] == [1]


FLOAT_CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not abs(x) >= 1e30),  # beyond 10^30: see below
    st.integers(-10**17, 10**17).map(lambda k: k / 100),  # the common case: whole cents
    st.sampled_from([0.1 + 0.2, 1e16, 1e15, 1e-7, -0.0, 5e-324, 123456789.12, 0.07, 999999999999999.9, 2.5e13, 1.005]),
)


@given(st.lists(FLOAT_CELLS, min_size=1, max_size=12), st.sampled_from(["tax.paid_12m", "tax.months_filed_continuous"]))
@settings(max_examples=150, deadline=None)
def test_float64_cells_convert_as_one_json_applicant_would(dictionary, cells, path):
    """Each Float64 cell is accepted with exactly the value the row path gives Decimal(repr(x)), or rejected
    with the row path's message; values beyond the columnar bound go to the row path (fallback)."""
    from engine.documents.applicant import check_value

    batch = frame_batch(pl.DataFrame({path: pl.Series(cells, dtype=pl.Float64)}), dictionary)
    definition = dictionary.field(path)
    rejects = {r.row: r.message for r in batch.rejects}
    kept = iter(batch.frame.get_column(path).to_list())
    scale = batch.fields[path].scale
    for row, x in enumerate(cells, start=1):
        value, error = check_value(definition, x)
        if error is None:
            from decimal import Decimal as D
            assert row not in rejects
            assert next(kept) == int(D(value).scaleb(scale)), (x, value)
        else:
            assert rejects.get(row) == error, (x, error)


def test_numbers_beyond_the_declared_limit_are_rejected_not_crashing(dictionary):
    batch = frame_batch(pl.DataFrame({"tax.paid_12m": pl.Series([3.4e36, 12.5, 2e18], dtype=pl.Float64)}), dictionary)
    assert [(r.row, r.message) for r in batch.rejects] == [(1, "3.4e+36 is too large (the limit is below 10^18)"),
                                                           (3, "2e+18 is too large (the limit is below 10^18)")]


def test_parquet_with_float64_money_reads_as_with_decimal_money(catalog, tmp_path):
    frame = _frame(catalog, 50)
    money = [c for c in frame.columns if (d := catalog.dictionary.field(c)) is not None and d.type == "money"]
    frame.write_parquet(tmp_path / "decimal.parquet")
    frame.with_columns(pl.col(money).cast(pl.Float64)).write_parquet(tmp_path / "float.parquet")
    a = read_batch(tmp_path / "decimal.parquet", catalog.dictionary)
    b = read_batch(tmp_path / "float.parquet", catalog.dictionary)
    assert a.frame.equals(b.frame) and a.fields == b.fields and not b.rejects


# ---------------------------------------------------------------- the documentation's examples run

def _examples() -> list[str]:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_docs_api_examples_run(tmp_path):
    examples = _examples()
    assert len(examples) >= 3
    script = tmp_path / "examples.py"
    script.write_text("\n\n".join(examples), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_import_engine_is_cheap():
    done = subprocess.run([sys.executable, "-c", "import sys, engine; print(sorted(m for m in sys.modules if m.startswith(('engine.', 'polars', 'pydantic'))))"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
