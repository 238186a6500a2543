"""Every example applicant of every built-in product: exact decision, reasons, limit and rate.

The figures are worked out by hand from the product files, e.g.
  shuiqitong-xw-approve: min(86,500×10, 3,850,000×20%, A cap 1,000,000, max 3,000,000, asked 800,000)
                         = 770,000 (sales_share); rate 300 LPR + 65 (A, tax < 100,000) − 10 online = 355 bp
  fangdidai-xw-approve:  2,800,000 × (70% + 10% inclusive uplift) − 600,000 mortgaged = 1,640,000;
                         rate 300 + 80 (residential, 36 months) − 10 online = 370 bp
  yiqitong-approve:      12,600,000 × 25% − 800,000 outstanding = 2,350,000 (score_line 12,600,000 × 30% × 1.0 =
                         3,780,000 does not bind); scorecard 500 + 30 + 40 + 30 + 30 + 40 + 40 = 710, grade A;
                         rate 300 + 80 (grade A, small) − 10 online − 20 tax grade A = 350 bp
"""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from engine.authoring.validate import validate_catalog
from engine.documents.applicant import load_applicant
from engine.evaluate.interpreter import evaluate
from engine.results.build import to_decision
from tests.conftest import EVALUATION_DATE, ROOT

EXAMPLES = ROOT / "examples" / "applicants"

EXPECTED = [
    ("fangdidai-xw-approve.yaml", "approve", [], "1640000.00", "collateral", 370),
    ("fangdidai-xw-decline.yaml", "decline", ["SPOUSE_CONSENT"], None, None, None),
    ("fangdidai-xw-refer.yaml", "refer", ["SPOUSE_CONSENT"], "960000.00", "collateral", 360),
    ("shuiqitong-xw-approve.yaml", "approve", [], "770000.00", "sales_share", 355),
    ("shuiqitong-xw-decline.yaml", "decline", ["CB_CONSECUTIVE_OVERDUE"], None, None, None),
    ("shuiqitong-xw-refer.yaml", "refer", ["CB_INQUIRIES"], "280000.00", "tax_multiple", 395),
    ("shuiqitong-zz-approve.yaml", "approve", [], "3360000.00", "tax_multiple", 315),
    ("shuiqitong-zz-decline.yaml", "decline", ["TX_ARREARS"], None, None, None),
    ("shuiqitong-zz-refer.yaml", "refer", ["BORROWING_RESOLUTION"], "320000.00", "tax_multiple", 375),
    ("yangguang-e-xw-approve.yaml", "approve", [], "150000.00", "requested", 320),
    ("yangguang-e-xw-decline.yaml", "decline", ["APPRAISAL_POOR", "APPRAISAL_VOTES"], None, None, None),
    ("yangguang-e-xw-refer.yaml", "refer", ["APPRAISAL_FAIR_REVIEW"], "400000.00", "requested", 440),
    ("yiqitong-approve.json", "approve", [], "2350000.00", "revenue", 350),
    ("yiqitong-decline.yaml", "decline", ["YEARS_IN_BUSINESS"], None, None, None),
    ("yiqitong-refer.yaml", "refer", ["REVENUE_CONSISTENCY"], "3500000.00", "revenue", 380),
]


def product_code(file_name: str) -> str:
    return file_name.rsplit("-", 1)[0]


def test_every_product_has_an_approve_refer_and_decline_example(catalog):
    outcomes = {(product_code(f), decision) for f, decision, *_ in EXPECTED}
    assert outcomes == {(code, d) for code in catalog.products for d in ("approve", "refer", "decline")}
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(f for f, *_ in EXPECTED)


@pytest.mark.parametrize("file_name, decision, reasons, limit, binding, rate_bp", EXPECTED)
def test_example_decision(catalog, file_name, decision, reasons, limit, binding, rate_bp):
    product = catalog.compiled(product_code(file_name))
    result = to_decision(evaluate(product, load_applicant(EXAMPLES / file_name, catalog.dictionary), EVALUATION_DATE))
    assert result.decision == decision
    assert [f.code for f in result.findings] == reasons
    if limit is None:
        assert result.limit is None and result.rate is None
    else:
        assert result.limit.amount == Decimal(limit) and result.limit.binding_cap == binding
        assert result.rate.final_bp == rate_bp


def test_decline_reasons_carry_the_deciding_values(catalog):
    product = catalog.compiled("shuiqitong-zz")
    result = to_decision(evaluate(product, load_applicant(EXAMPLES / "shuiqitong-zz-decline.yaml", catalog.dictionary), EVALUATION_DATE))
    finding = result.findings[0]
    assert finding.message == "当前欠税23,650.00元" and finding.inputs == {"tax.arrears_amount": "23650.00"}
    assert finding.source == "ruleset:tax_compliance"


def _perturbed(record: dict, rng: random.Random) -> dict:
    """Drop some fields and nudge numbers: missing data and boundaries, for the differential test."""
    out = {}
    for key, value in record.items():
        if rng.random() < 0.15:
            continue
        if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
            value = type(value)(value * Decimal(rng.choice(["0", "0.5", "1", "1", "2"]))) if isinstance(value, Decimal) else value + rng.choice([-1, 0, 0, 1, 3])
        out[key] = value
    return out


@pytest.mark.parametrize("file_name", [f for f, *_ in EXPECTED])
def test_fused_fast_path_equals_traced_path(catalog, file_name):
    product = catalog.compiled(product_code(file_name))
    base = load_applicant(EXAMPLES / file_name, catalog.dictionary)
    rng = random.Random(file_name)
    for _ in range(150):
        record = _perturbed(base, rng)
        fast = to_decision(evaluate(product, record, EVALUATION_DATE))
        traced = to_decision(evaluate(product, record, EVALUATION_DATE, trace=True))
        assert fast.model_dump(exclude={"trace"}) == traced.model_dump(exclude={"trace"})


def test_validate_passes_on_the_built_in_pack(catalog):
    checked, problems = validate_catalog(catalog)
    products = [p for p in (ROOT / "products").glob("*.yaml") if not p.name.endswith(".tests.yaml")]
    tests = list((ROOT / "products").glob("*.tests.yaml"))
    assert problems == [] and checked == 1 + len(list((ROOT / "rulesets").glob("*.yaml"))) + len(products) + len(tests)


