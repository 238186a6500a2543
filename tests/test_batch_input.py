"""Batch input as warehouses and careless exports produce it: every Parquet column type gives the decisions
the canonical types give, damaged CSV records are rejects with their row and line, and numbers are checked
from their digits in every format."""
from __future__ import annotations

import time

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from engine.batch.generate import generate
from engine.batch.run import evaluate_batch
from engine.batch.sources import open_source, read_batch
from engine.catalog import Catalog
from tests.conftest import EVALUATION_DATE

ON = EVALUATION_DATE
RESULT = ["row", "id", "decision", "reasons", "limit", "binding_cap", "rate_bp"]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture(scope="module")
def applicants(catalog):
    product = catalog.compiled("shuiqitong-xw", ON)
    return product, generate(product.doc, catalog.dictionary, 1_500, seed=8, on=ON)


def _results(catalog, product, frame: pl.DataFrame, tmp_path, name: str) -> pl.DataFrame:
    path = tmp_path / f"{name}.parquet"
    frame.write_parquet(path)
    result = evaluate_batch(product, read_batch(path, catalog.dictionary), ON)
    assert not result.rejects, result.rejects[:3]
    return result.frame.select(RESULT)


@pytest.mark.parametrize("dtype", [pl.Int64, pl.Int32, pl.UInt32, pl.UInt64, pl.Decimal(38, 0), pl.Float64, pl.String])
def test_whole_yuan_money_of_any_integer_type_decides_as_decimal_money(catalog, applicants, tmp_path, dtype):
    product, frame = applicants
    money = [c for c, t in frame.schema.items() if isinstance(t, pl.Decimal) and c != "pre_credit.appraisal_votes_ratio"]
    yuan = frame.with_columns(pl.col(c).round(0) for c in money)  # whole yuan, as an integer export holds
    expected = _results(catalog, product, yuan, tmp_path, "decimal")
    as_type = yuan.with_columns(pl.col(money).cast(pl.Int64).cast(dtype))
    assert _results(catalog, product, as_type, tmp_path, "typed").equals(expected)


def test_money_as_decimal_of_high_precision_and_scale_decides_the_same(catalog, applicants, tmp_path):
    product, frame = applicants
    money = [c for c, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    expected = _results(catalog, product, frame, tmp_path, "decimal")
    for dtype in (pl.Decimal(38, 2), pl.Decimal(38, 6), pl.Decimal(30, 10)):
        assert _results(catalog, product, frame.with_columns(pl.col(money).cast(dtype)), tmp_path, "wide").equals(expected)


def test_dates_as_midnight_timestamps_decide_as_dates_and_other_times_reject(catalog, applicants, tmp_path):
    product, frame = applicants
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    expected = _results(catalog, product, frame, tmp_path, "dates")
    stamps = frame.with_columns(pl.col(dates).cast(pl.Datetime("ms")))
    assert _results(catalog, product, stamps, tmp_path, "stamps").equals(expected)
    zoned = frame.with_columns(pl.col(dates).cast(pl.Datetime("us")).dt.replace_time_zone("Asia/Shanghai"))
    assert _results(catalog, product, zoned, tmp_path, "zoned").equals(expected)
    column = dates[0]
    noon = stamps.with_columns(pl.when(pl.col("id") == "SHUIQI-0000003").then(pl.col(column).dt.offset_by("13h"))
                               .otherwise(pl.col(column)).alias(column))
    noon.write_parquet(tmp_path / "noon.parquet")
    batch = read_batch(tmp_path / "noon.parquet", catalog.dictionary)
    assert [(r.row, r.field) for r in batch.rejects] == [(4, column)]
    assert "with a time of day" in batch.rejects[0].message


def test_csv_records_of_the_wrong_shape_are_rejects_with_row_and_line(catalog, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,applicant.age,tax.grade\n\nc1,40,A\nc2,41\n\n  \nc3,42,B,x\nc4,43,B\ngarbage\n", encoding="utf-8")
    for chunk in (None, 1, 2):
        source = open_source(path, catalog.dictionary, chunk_rows=chunk)
        batches = [b for b, _ in source.chunks()]
        rejects = [(r.row, r.id, r.message) for b in batches for r in b.rejects]
        assert rejects == [(2, "c2", "line 4: 2 cell(s), the header has 3: a truncated or damaged record"),
                           (3, "c3", "line 7: 4 cell(s), the header has 3: a truncated or damaged record"),
                           (5, "garbage", "line 9: 1 cell(s), the header has 3: a truncated or damaged record")]
        rows = [r for b in batches for r in b.frame.get_column("$row").to_list()]
        assert rows == [1, 4] and sum(b.rows_read for b in batches) == 5


@settings(max_examples=25, deadline=None)
@given(cells=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=30),
       chunk=st.integers(min_value=1, max_value=7))
def test_every_record_is_read_once_and_only_well_formed_ones_are_evaluated(tmp_path_factory, cells, chunk):
    dictionary = Catalog().dictionary
    path = tmp_path_factory.mktemp("csv") / "a.csv"
    lines = ["id,applicant.age,tax.grade"] + [",".join([f"r{i}", "40", "A", "x", "y", "z"][:n]) if n else "" for i, n in enumerate(cells)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batches = [b for b, _ in open_source(path, dictionary, chunk_rows=chunk).chunks()]
    records = [n for n in cells if n]  # blank lines are not records
    assert sum(b.rows_read for b in batches) == len(records)
    good = [i + 1 for i, n in enumerate(records) if n == 3]
    assert [r for b in batches for r in b.frame.get_column("$row").to_list()] == good
    assert sorted(r.row for b in batches for r in b.rejects) == [i + 1 for i, n in enumerate(records) if n != 3]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_huge_exponents_and_non_ascii_digits_reject_at_once_in_every_format(catalog, tmp_path, fmt):
    cells = ["1.0e+999999999", "1e400", "100000000000000000000000000", "８６５００", "86500"]
    path = tmp_path / f"a.{fmt}"
    if fmt == "csv":
        path.write_text("id,tax.paid_12m\n" + "".join(f"r{i},{c}\n" for i, c in enumerate(cells)), encoding="utf-8")
    elif fmt == "jsonl":
        path.write_text("".join(f'{{"id": "r{i}", "tax": {{"paid_12m": {c if c[0] != "８" else chr(34) + c + chr(34)}}}}}\n'
                                for i, c in enumerate(cells)), encoding="utf-8")
    else:
        pl.DataFrame({"id": [f"r{i}" for i in range(len(cells))], "tax.paid_12m": cells}).write_parquet(path)
    started = time.perf_counter()
    batch = read_batch(path, catalog.dictionary)
    assert time.perf_counter() - started < 60  # a hang would never return
    messages = {r.row: r.message for r in batch.rejects}
    assert set(messages) == {1, 2, 3, 4}
    assert all("is too large (the limit is below 10^18)" in messages[row] for row in (1, 2, 3))
    assert "'８' (U+FF18 FULLWIDTH DIGIT EIGHT) is not an ASCII digit" in messages[4]
    assert batch.frame.get_column("tax.paid_12m").to_list() == [8650000]


def test_gbk_csv_names_the_line_and_the_encoding_and_reads_with_encoding(catalog, tmp_path):
    from engine.core.errors import UsageError

    path = tmp_path / "a.csv"
    path.write_bytes("id,loan.purpose\nb1,进货\nb2,经营周转\n".encode("gb18030"))
    with pytest.raises(UsageError) as error:
        read_batch(path, catalog.dictionary)
    assert f"{path}:2:4: not valid utf-8" in str(error.value) and "GBK/GB18030" in str(error.value)
    batch = read_batch(path, catalog.dictionary, encoding="gb18030")
    assert batch.frame.get_column("loan.purpose").to_list() == ["进货", "经营周转"]
