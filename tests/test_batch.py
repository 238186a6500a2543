"""Batch evaluation: the columnar path against the row path, file formats, rejects, reports, near misses,
impact, the generator and the CLI."""
from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
import pytest
from typer.testing import CliRunner

from engine.batch.generate import documents, generate, write_generated
from engine.batch.impact import compare
from engine.batch.nearmiss import group_near_misses, near_misses
from engine.batch.reading import read_batch, records_batch
from engine.batch.run import evaluate_batch
from engine.batch.summary import render_html, render_text, summarize
from engine.batch.writing import atomic_path, write_frame
from engine.catalog import Catalog
from engine.documents.applicant import check_value, flatten
from engine.evaluate.interpreter import evaluate
from tests.conftest import EVALUATION_DATE, ROOT
from tests.fixtures import MINI_PRODUCT, write_product

BUILT_IN = ["shuiqitong-xw", "shuiqitong-zz", "fangdidai-xw", "yangguang-e-xw", "yiqitong"]
ON = EVALUATION_DATE


def row_path(catalog: Catalog, code: str, docs: list[dict]) -> dict[int, tuple]:
    """The row path from the nested documents themselves, as `pf evaluate` would run each one, by row number
    (1-based, as the batch numbers its input rows)."""
    product = catalog.compiled(code, ON)
    out = {}
    for row, doc in enumerate(docs, start=1):
        def report(*args, **kwargs):
            raise AssertionError(args)
        e = evaluate(product, flatten(doc, catalog.dictionary, report), ON)
        out[row] = (e.decision, [r.id for r, _ in e.findings], e.limit.amount if e.limit else None,
                    e.limit.binding if e.limit else None, e.rate.final if e.rate else None)
    return out


def batch_rows(result) -> dict[int, tuple]:
    """The batch's results by the row number it carries, so every row is compared with its own expectation."""
    f = result.frame
    rows = f["row"].to_list()
    assert len(set(rows)) == len(rows), "a row number appears twice in the batch output"
    return dict(zip(rows, zip(f["decision"].to_list(), f["reasons"].to_list(), f["limit"].to_list(),
                              f["binding_cap"].to_list(), f["rate_bp"].to_list())))


def mismatches(got: dict[int, tuple], expected: dict[int, tuple]) -> list[tuple]:
    """Rows whose result differs from the expectation, and rows present on one side only."""
    return [(row, got.get(row), expected.get(row)) for row in sorted(got.keys() | expected.keys())
            if got.get(row) != expected.get(row)]


def assert_comparison_sees_a_repeated_row(got: dict[int, tuple], expected: dict[int, tuple]) -> None:
    """Self-check: corrupting the expectation of a row that repeats an earlier row's result must be noticed."""
    first_seen: dict[tuple, int] = {}
    repeated = next(row for row, result in sorted(got.items())
                    if first_seen.setdefault(_hashable(result), row) != row)
    decision, *rest = expected[repeated]
    corrupted = {**expected, repeated: ("approve" if decision != "approve" else "decline", *rest)}
    assert [row for row, *_ in mismatches(got, corrupted)] == [repeated]


def _hashable(result: tuple) -> tuple:
    return tuple(tuple(x) if isinstance(x, list) else x for x in result)


# ---------------------------------------------------------------- the differential test


@pytest.mark.parametrize("code", BUILT_IN)
def test_columnar_equals_row_path_on_10000_generated_applicants(catalog, code, tmp_path):
    product = catalog.compiled(code, ON)
    frame = generate(product.doc, catalog.dictionary, 10_000, seed=11, on=ON)
    path = tmp_path / "a.parquet"
    write_generated(frame, path, "parquet")
    assert frame.null_count().sum_horizontal().item() > 10_000  # missing data is part of the test
    result = evaluate_batch(product, read_batch(path, catalog.dictionary), ON)
    expected = row_path(catalog, code, documents(frame))
    got = batch_rows(result)
    different = mismatches(got, expected)
    assert not different, different[:3]
    assert_comparison_sees_a_repeated_row(got, expected)
    assert result.rows_written == 10_000
    assert {d for d, *_ in got.values()} == {"approve", "refer", "decline"}
    # The columnar path really ran, limit models and scorecards included; only out-of-range numbers go per row.
    assert result.fallback_reason is None and result.columnar_rows > 9_000 and not result.notes[1:]


FEATURES = """\
code: features
name: 特性测试贷
version: "1.0"
effective: {from: 2025-01-01}
borrower: individual
customer_types: [small_business_owner, individual_business]
data_sources: [applicant, enterprise, tax, credit_bureau, judicial, risk_warning, loan]
params:
  mult: {A: 10, B: 6, M: 3}
  term_factor: {"3": 1.5, "6": 1.2, "12": 1.0}
  share: 0.125
eligibility:
  - {id: RATIO, rule: "credit_bureau.total_debt / enterprise.annual_revenue <= 0.7", message: 负债率, action: refer}
  - {id: RATIO2, rule: "tax.paid_12m / 12 >= credit_bureau.total_debt / 120", message: 比较, action: refer}
  - {id: ROUNDS, rule: "round(tax.paid_12m * 0.035, 1) >= floor(tax.paid_12m * 0.001) * 0 + ceil(0.2)", message: r, action: refer}
  - {id: CLAMP, rule: "clamp(credit_bureau.loan_inquiries_3m, 1, 5) < 5", message: c, action: refer}
  - {id: EXTREMES, rule: "max(applicant.age, 30) - min(applicant.age, 40) <= 25", message: m, action: decline}
  - {id: ABS_NEG, rule: "abs(-tax.arrears_amount) == 0", message: a, action: decline, on_missing: decline}
  - {id: MONTHS, rule: "months_since(enterprise.registered_on) >= 30", message: mo, action: refer}
  - {id: FLAGS, rule: "len(risk_warning.flags) == 0 and not contains_any(['write_off', 'bad_debt'], credit_bureau.special_status)", message: f, action: decline}
  - {id: GRADE_NOT_IN, rule: "tax.grade not in ['C', 'D']", message: g, action: decline}
  - {id: COALESCE, rule: "coalesce(loan.channel, 'counter') != 'counter' or coalesce(applicant.residence_years, 0) > 3", message: co, action: refer}
  - {id: IFELSE, when: "has(tax)", rule: "(tax.paid_12m if tax.grade == 'A' else tax.paid_12m * 2) >= 20000", message: i, action: refer}
  - {id: ROUND_DOWN, rule: "round_down(enterprise.annual_revenue, 100000) > round_down(-credit_bureau.total_debt, 30000)", message: rd, action: refer}
tables:
  - id: band
    hit_policy: unique
    inputs: [tax.grade, credit_bureau.loan_inquiries_3m]
    outputs: [spread]
    rows:
      - [A, "<= 3", 40.5]
      - [A, "[2, 9]", 60]
      - [B, "-", 100]
      - [M, "-", 150]
    no_match: {output: {spread: 200}}
limit:
  caps:
    - {id: tax_multiple, label: 纳税倍数, value: "tax.paid_12m * params.mult[tax.grade] * params.term_factor[loan.term_months]", on_missing: skip}
    - {id: sales, label: 销售, value: "tax.taxable_sales_12m * params.share"}
    - {id: fixed, label: 上限, value: 1000000.005}
  round_down_to: 1000
  min_amount: 10000.5
  below_min_action: refer
pricing:
  base_label: LPR
  base_bp: 300
  spread_bp: tables.band.spread
  adjustments:
    - {id: online, label: 线上, when: "loan.channel == 'mobile_banking'", bp: -10.5}
    - {id: small, label: 小额, when: "loan.amount < 300000", bp: "credit_bureau.loan_inquiries_3m * 2.5"}
  floor_bp: 320
  cap_bp: 440
terms:
  months: [3, 6, 12]
  max_months: (65 - applicant.age) * 0.5
repayment_methods:
  - method: interest_only
"""


def test_columnar_equals_row_path_for_every_construct(pack, tmp_path):
    """A product using every construct the columnar compiler handles, forced columnar (no fallback)."""
    write_product(pack, FEATURES, "features.yaml")
    catalog = Catalog(pack)
    product = catalog.compiled("features", ON)
    frame = generate(product.doc, catalog.dictionary, 10_000, seed=5, on=ON)
    batch = records_batch([flatten(d, catalog.dictionary, lambda *a, **k: None) for d in documents(frame)],
                          list(range(1, 10_001)), catalog.dictionary, 10_000)
    result = evaluate_batch(product, batch, ON, mode="columnar")
    assert result.columnar_rows == 10_000
    expected = row_path(catalog, "features", documents(frame))
    got = batch_rows(result)
    different = mismatches(got, expected)
    assert not different, different[:3]
    assert_comparison_sees_a_repeated_row(got, expected)
    assert {d for d, *_ in got.values()} == {"approve", "refer", "decline"}
    reasons = {r for _, rs, *_ in got.values() for r in rs}
    assert {"RATIO", "AMBIGUOUS_BAND", "LIMIT_BELOW_MINIMUM", "RATE_ADJUSTMENT_UNKNOWN", "NO_ELIGIBLE_TERM"} <= reasons


# ---------------------------------------------------------------- formats, rejects, atomic output


def test_formats_round_trip_to_the_same_results(catalog, tmp_path):
    product = catalog.compiled("shuiqitong-xw", ON)
    frame = generate(product.doc, catalog.dictionary, 1500, seed=2, on=ON)
    results = {}
    for fmt in ("parquet", "csv", "jsonl"):
        path = tmp_path / f"in.{fmt}"
        write_generated(frame, path, fmt)
        result = evaluate_batch(product, read_batch(path, catalog.dictionary), ON)
        results[fmt] = batch_rows(result)
        out = tmp_path / f"out.{fmt}"
        write_frame(result.frame, out, fmt)
        back = pl.read_parquet(out) if fmt == "parquet" else pl.read_csv(out) if fmt == "csv" else pl.read_ndjson(out)
        assert back.height == 1500 and back.columns[:3] == ["row", "id", "decision"]
    assert results["parquet"] == results["csv"] == results["jsonl"]
    csv = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    row = csv.filter(pl.col("limit").is_not_null()).row(0, named=True)
    assert row["limit"].endswith(".00") and ";" in ";".join(csv["reasons"].drop_nulls().to_list())
    parquet = pl.read_parquet(tmp_path / "out.parquet")
    assert parquet.schema["reasons"] == pl.List(pl.String) and isinstance(parquet.schema["limit"], pl.Decimal)


BAD_CSV = """id,applicant.age,tax.paid_12m,tax.grade,enterprise.registered_on,credit_bureau.special_status,applicant.same_product_other_enterprise
ok-1,40,12345.60,A,2015-03-01,[],false
bad-2,abc,12345.60,A,2015-03-01,,false
bad-3,40,12.345,A,2015-03-01,,false
bad-4,40,100,E,2015-13-01,,maybe
ok-5,41,,B,,write_off;bad_debt,
bad-6,150,-5,A,2015-03-01,,true
ok-7,40.0,7700,A,2010-01-01,,no
"""


def test_rejects_are_counted_and_explained_in_the_row_path_vocabulary(catalog, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    batch = read_batch(path, catalog.dictionary)
    result = evaluate_batch(catalog.compiled("shuiqitong-xw", ON), batch, ON)
    assert result.rows_read == 7 and result.rows_written == 3 and result.rows_rejected == 4
    assert result.rows_written + result.rows_rejected == result.rows_read
    assert result.frame["id"].to_list() == ["ok-1", "ok-5", "ok-7"]
    problems = {(r.row, r.field): r.message for r in result.rejects}
    d = catalog.dictionary
    assert problems[(2, "applicant.age")] == check_value(d.field("applicant.age"), "abc")[1]
    assert problems[(3, "tax.paid_12m")] == check_value(d.field("tax.paid_12m"), Decimal("12.345"))[1]
    assert problems[(4, "tax.grade")] == check_value(d.field("tax.grade"), "E")[1]
    assert problems[(4, "enterprise.registered_on")] == check_value(d.field("enterprise.registered_on"), "2015-13-01")[1]
    assert "expected true or false" in problems[(4, "applicant.same_product_other_enterprise")]
    assert problems[(6, "applicant.age")] == check_value(d.field("applicant.age"), 150)[1]
    assert problems[(6, "tax.paid_12m")] == check_value(d.field("tax.paid_12m"), -5)[1]
    records = dict(zip(batch.frame["$id"].to_list(), batch.frame["credit_bureau.special_status"].to_list()))
    assert records["ok-5"] == ["write_off", "bad_debt"] and records["ok-1"] == []


def test_output_is_atomic(tmp_path):
    target = tmp_path / "out.parquet"
    target.write_text("previous result")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp:
            temp.write_text("half written")
            raise RuntimeError("interrupted")
    assert target.read_text() == "previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


# ---------------------------------------------------------------- summary, near misses, impact


def test_summary_and_html_report(catalog, tmp_path):
    product = catalog.compiled("shuiqitong-xw", ON)
    frame = generate(product.doc, catalog.dictionary, 2000, seed=4, on=ON)
    result = evaluate_batch(product, records_batch([flatten(d, catalog.dictionary, lambda *a, **k: None)
                                                     for d in documents(frame)], list(range(1, 2001)),
                                                    catalog.dictionary, 2000), ON, detail=True)
    summary = summarize(result)
    counts = dict((d, n) for d, n, _ in summary.decisions)
    assert sum(counts.values()) == 2000 and counts == dict(result.frame.group_by("decision").len().iter_rows())
    declined = result.frame.filter(pl.col("decision") == "decline")
    top = summary.decline_reasons[0]
    expected = sum(1 for codes, actions in zip(declined["reasons"].to_list(), declined["reason_actions"].to_list())
                   if any(c == top.code and a == "decline" for c, a in zip(codes, actions)))
    assert top.applicants == expected and top.applicants > 0
    assert summary.limit_quantiles[0][1] == f"{min(result.frame['limit'].drop_nulls()):,.2f}"
    text = render_text(summary)
    assert "rows read 2,000 = written 2,000 + rejected 0" in text and top.code in text
    html = render_html(summary)
    assert html.count("<svg") == 4 and top.code in html and "http" not in html.replace("http-equiv", "")
    assert f"{counts['decline']:,}" in html


def test_near_miss_figures_for_hand_made_rows(catalog):
    base = json.loads((ROOT / "examples/applicants/shuiqitong-xw-approve.yaml").read_text(encoding="utf-8")
                      if False else "{}")
    from engine.documents.applicant import load_applicant

    record = load_applicant(ROOT / "examples/applicants/shuiqitong-xw-approve.yaml", catalog.dictionary)
    short = dict(record, **{"tax.paid_12m": Decimal("7700.00"), "$id": "short"})
    young = dict(record, **{"applicant.age": 17, "$id": "young"})
    two = dict(record, **{"tax.paid_12m": Decimal("7700.00"), "applicant.age": 17, "$id": "two"})
    batch = records_batch([record, short, young, two], [1, 2, 3, 4], catalog.dictionary, 4)
    result = evaluate_batch(catalog.compiled("shuiqitong-xw", ON), batch, ON, detail=True)
    misses = {m.id: m for m in near_misses(result, batch)}
    assert set(misses) == {"short", "young"}  # 'two' failed two rules; the approved one is no miss
    assert misses["short"].rule == "TX_MIN_PAID" and misses["short"].gap == Decimal("2300")
    assert "short by 2,300" in misses["short"].describe()
    assert misses["young"].rule == "AGE_RANGE" and misses["young"].gap == 1 and misses["young"].op == ">="
    groups = group_near_misses(list(misses.values()))
    assert sorted(g.rule for g in groups) == ["AGE_RANGE", "TX_MIN_PAID"]
    assert base == {}


VARIANT = """\
code: mini-strict
name: 测试贷(严格)
extends: mini
version: "1.0"
effective: {from: 2025-06-01}
params:
  min_paid: 20000
"""


def test_impact_flow_matrix_product_against_variant(pack):
    write_product(pack, MINI_PRODUCT)
    write_product(pack, VARIANT, "mini-strict.yaml")
    catalog = Catalog(pack)
    base = catalog.compiled("mini", ON)
    docs = []
    for i, paid in enumerate(["5000", "15000", "15000", "30000", "19999.99"]):
        docs.append({"id": f"r{i}", "applicant": {"customer_type": "small_business_owner", "age": 40},
                     "tax": {"grade": "A", "paid_12m": Decimal(paid)},
                     "credit_bureau": {"loan_inquiries_3m": 2, "current_overdue_amount": Decimal(0)},
                     "loan": {"amount": Decimal(200000), "term_months": 12}})
    batch = records_batch([flatten(d, catalog.dictionary, lambda *a, **k: None) for d in docs], [1, 2, 3, 4, 5],
                          catalog.dictionary, 5)
    a = evaluate_batch(base, batch, ON, detail=True)
    b = evaluate_batch(catalog.compiled("mini-strict", ON), batch, ON, detail=True)
    impact = compare(a, b)
    assert impact.matrix == {("decline", "decline"): 1, ("approve", "decline"): 3, ("approve", "approve"): 1}
    assert impact.responsible == {("approve", "decline"): [("PAID", 3)]}
    assert impact.approval_a == "80.0%" and impact.approval_b == "20.0%"
    assert impact.flipped["id"].to_list() == ["r1", "r2", "r4"]
    assert impact.limit_rows == 1 and impact.limit_total_change == 0


# ---------------------------------------------------------------- generator and CLI


def test_generator_is_deterministic_and_plausible(catalog):
    product = catalog.compiled("fangdidai-xw", ON).doc
    one = generate(product, catalog.dictionary, 3000, seed=9, on=ON)
    assert one.equals(generate(product, catalog.dictionary, 3000, seed=9, on=ON))
    assert not one.equals(generate(product, catalog.dictionary, 3000, seed=10, on=ON))
    ages = one["applicant.age"].drop_nulls()
    assert 19 <= ages.min() and ages.max() <= 72 and 0 < one["property.valuation"].null_count() < 300
    corr = one.select(pl.corr(pl.col("enterprise.annual_revenue").cast(pl.Float64),
                              pl.col("credit_bureau.total_debt").cast(pl.Float64))).item()
    assert corr > 0.3  # correlated fields
    bad = generate(product, catalog.dictionary, 1000, seed=9, on=ON, invalid=0.02)
    assert (bad["applicant.age"] == 150).sum() + (bad["loan.term_months"] == 0).sum() > 0


def test_cli_batch_impact_generate_and_exit_codes(pack, tmp_path, monkeypatch):
    from cli import app

    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "a.csv"
    result = runner.invoke(app, ["generate", "shuiqitong-xw", "--n", "400", "--seed", "1", "--invalid", "0.02",
                                 "-o", str(data), "--date", "2026-11-25"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["batch", "shuiqitong-xw", str(data), "-o", str(out), "--report", "r.html",
                                 "--near-miss", "--date", "2026-11-25"])
    assert result.exit_code == 0, result.output
    assert "rows read 400 = written 392 + rejected 8" in result.output and "near misses" in result.output
    assert pl.read_parquet(out).height == 392 and pl.read_parquet(tmp_path / "out.rejects.parquet")["row"].n_unique() == 8
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    quiet = runner.invoke(app, ["batch", "shuiqitong-xw", str(data), "-o", "q.csv", "-q", "--date", "2026-11-25"])
    assert quiet.exit_code == 0 and quiet.output == ""
    result = runner.invoke(app, ["impact", "shuiqitong-xw", "shuiqitong-zz", str(data), "-o", "flips.jsonl",
                                 "--date", "2026-11-25", "-q"])
    assert result.exit_code == 0 and "flow matrix" in result.output
    assert (tmp_path / "flips.jsonl").exists()
    # A product with limit models runs columnar too (it used to be refused with --mode columnar).
    forced = runner.invoke(app, ["batch", "fangdidai-xw", str(data), "-o", "f.csv", "-q", "--mode", "columnar",
                                 "--date", "2026-11-25"])
    assert forced.exit_code == 0, forced.output
    bad_column = tmp_path / "b.csv"
    bad_column.write_text("id,tax.paid12m\n1,5\n", encoding="utf-8")
    for args in (["batch", "no-such-product", str(data)], ["batch", "shuiqitong-xw", str(bad_column)],
                 ["batch", "shuiqitong-xw", str(data), "-o", "out.xlsx"], ["batch", "shuiqitong-xw", "missing.csv"]):
        import subprocess
        import sys

        run = subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], capture_output=True, text=True,
                             cwd=ROOT)
        assert run.returncode == 2, (args, run.stderr)
        assert "Traceback" not in run.stderr and run.stderr.strip()
    assert "did you mean 'tax.paid_12m'" in subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "batch", "shuiqitong-xw", str(bad_column)],
        capture_output=True, text=True, cwd=ROOT).stderr


# ---------------------------------------------------------------- every cap kind and scorecards, columnar


@pytest.mark.parametrize("code", ["cansang-dai", "fangdidai-xw-haian", "huirongtong-diya", "leyedai", "leyedai-jxs",
                                  "leyedai-xwlh", "leyedai-xwlh-yzc", "rong-e-dai", "shuie-dai"])
def test_columnar_equals_row_path_for_the_example_pack_products(code):
    from tests.conftest import EXAMPLE_PACKS

    layered = Catalog(packs=EXAMPLE_PACKS)
    product = layered.compiled(code, ON)
    frame = generate(product.doc, layered.dictionary, 3_000, seed=13, on=ON)
    docs = documents(frame)
    batch = records_batch([flatten(d, layered.dictionary, lambda *a, **k: None) for d in docs],
                          list(range(1, 3_001)), layered.dictionary, 3_000)
    result = evaluate_batch(product, batch, ON, mode="columnar")
    assert result.columnar_rows == 3_000 and result.row_path_rows == 0
    expected = row_path(layered, code, docs)
    assert [(i, g, e) for i, (g, e) in enumerate(zip(batch_rows(result), expected)) if g != e] == []


def _kinds_products():
    from tests import test_limits as t

    stressed = t.AFFORD_CAP.replace("STRESS", "stress_bp: coalesce(credit_bureau.loan_inquiries_3m, 0) * 50")
    half = "    - {id: half, label: 半, kind: affordability, monthly_cash_flow: applicant.monthly_income, ratio: 0.3,\n" \
           "       term_months: \"coalesce(loan.term_months, 0)\", method: \"'interest_only'\", step: 500}\n"
    return {
        "tax_based": t.product_text(t.TAX_CAP, params="  mult: {A: 10, B: 6, M: 0.5}\n"),
        "collateral": t.product_text(t.COLLATERAL_CAP, top=t.LTV_TABLE),
        "affordability": t.product_text(stressed + half, spread="coalesce(credit_bureau.loan_inquiries_3m, 1) * 25 - 100"),
        "scorecard": t.product_text(t.SCORE_CAP, top=t.SCORE_TABLE + t.SCORECARD, spread="tables.spread.bp"),
    }


@pytest.mark.parametrize("kind", ["tax_based", "collateral", "affordability", "scorecard"])
def test_columnar_equals_row_path_for_each_cap_kind(pack, kind):
    """Unknown uplifts and factors, refused vs missing consent, grades without a multiplier, invalid terms,
    zero-rate interest-only and unscored scorecards: the same findings, in the same order, row by row."""
    (pack / "products" / "lim.yaml").write_text(_kinds_products()[kind], encoding="utf-8")
    catalog = Catalog(pack)
    product = catalog.compiled("lim", ON)
    frame = generate(product.doc, catalog.dictionary, 4_000, seed=17, on=ON)
    docs = documents(frame)
    batch = records_batch([flatten(d, catalog.dictionary, lambda *a, **k: None) for d in docs],
                          list(range(1, 4_001)), catalog.dictionary, 4_000)
    result = evaluate_batch(product, batch, ON, mode="columnar")
    assert result.columnar_rows == 4_000
    expected = row_path(catalog, "lim", docs)
    got = batch_rows(result)
    different = mismatches(got, expected)
    assert not different, different[:3]
    assert any(limit is not None for _, _, limit, _, _ in got.values())
