"""The example packs: 泸州银行 (luzhou-bank, seed 000) and 江苏海安农商行 (haian-rcb, seed 004).

Every pack applicant is evaluated on 2026-11-25 (1-year LPR 300 bp, policy.inclusive_max_spread_bp 250, so the
rate cap is 550 bp) with all three packs loaded. The figures are worked out by hand from the YAML, e.g.
  shuie-dai-approve:        min(126,400 × 8 = 1,011,200, sales 6,480,000 × 15% = 972,000, A cap 2,000,000,
                            max 2,000,000, asked 1,200,000) = 972,000 -> 970,000 (step 10,000, sales_share);
                            rate 300 + 70 (A, tax paid < 200,000) − 15 online = 355 bp
  leyedai-xwlh-approve:     min(purchases 520,000 × 40% = 208,000, farmer cap 300,000, max 500,000, asked 250,000)
                            = 208,000 (step 1,000, purchase_history); rate 300 + 60 (farmer, ≥ 24 months) − 20
                            recommended by the core enterprise = 340 bp
  leyedai-xwlh-yzc-approve: min(1,560,000 × 50% = 780,000, 850 pigs × 900 = 765,000, 1,000,000, 1,000,000, asked
                            1,000,000) = 765,000 (herd_feed_need); rate 300 + 60 − 20 = 340 bp
  huirongtong-diya-approve: inclusive (300,000 + 2,000,000 ≤ 10,000,000) and warning level none, so the green-lane
                            uplift applies: 3,000,000 × (70% + 10%) − 500,000 = 1,900,000 (collateral);
                            rate 300 + 80 (residential, 36 months) = 380 bp
  huirongtong-diya-approve-non-inclusive: 9,000,000 + 6,000,000 > 10,000,000, no uplift:
                            12,000,000 × 50% − 1,000,000 = 5,000,000 (collateral); rate 300 + 100 = 400 bp
  fangdidai-xw-haian-approve: 1,600,000 × (70% + 10%) − 300,000 = 980,000 (collateral);
                            rate 300 + 80 − 10 online − 5 “我的海安” APP = 365 bp
  fangdidai-xw-haian-refer: Haian's shop LTV 55% (province: 60%) + 10% uplift: 2,000,000 × 65% = 1,300,000;
                            rate 300 + 90 (commercial, 24 months), counter = 390 bp
  cansang-dai-approve:      min(12 mu × 5,000 = 60,000, cocoon sales 68,000 × 60% = 40,800, 300,000, 1,000,000,
                            asked 60,000) = 40,800 -> 40,000 (step 1,000, cocoon_sales); rate 300 + 40 − 10 = 330 bp
"""
from __future__ import annotations

import json
import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import cli
from engine.authoring.validate import validate_catalog
from engine.catalog import Catalog
from engine.documents.applicant import load_applicant
from engine.evaluate.interpreter import evaluate
from engine.results.build import to_decision
from tests.conftest import EVALUATION_DATE, ROOT

PACKS = ROOT / "examples" / "packs"
LUZHOU = PACKS / "luzhou-bank"
HAIAN = PACKS / "haian-rcb"
PACK_ARGS = ["--pack", str(LUZHOU), "--pack", str(HAIAN)]

# (pack folder, applicant file, product code, decision, reason codes, limit, binding cap, rate bp)
EXPECTED = [
    # 税e贷
    (LUZHOU, "shuie-dai-approve.yaml", "shuie-dai", "approve", [], "970000.00", "sales_share", 355),
    (LUZHOU, "shuie-dai-decline.yaml", "shuie-dai", "decline", ["AGE_RANGE", "TX_GRADE"], None, None, None),
    # 42,000 < (112,000 − 42,000) × 70%; min(42,000 × 5, 1,900,000 × 15%, ...) = 210,000; 300 + 120 (B), counter
    (LUZHOU, "shuie-dai-refer.yaml", "shuie-dai", "refer", ["TAX_TREND"], "210000.00", "tax_multiple", 420),
    # 融e贷: min(model 420,000, A cap 500,000, 1,800,000 × 50% − 260,000 = 640,000, ...) ; 300 + 80 (A)
    (LUZHOU, "rong-e-dai-approve.yaml", "rong-e-dai", "approve", [], "420000.00", "model_suggested", 380),
    (LUZHOU, "rong-e-dai-decline.yaml", "rong-e-dai", "decline",
     ["WARNING_LEVEL", "CB_CONSECUTIVE_OVERDUE", "RW_MEDIUM_WARNING"], None, None, None),
    # grade C: min(250,000, C cap 200,000, 1,200,000 × 50% − 310,000 = 290,000, ...); 300 + 180 (C)
    (LUZHOU, "rong-e-dai-refer.yaml", "rong-e-dai", "refer", ["MODEL_GRADE_REVIEW"], "200000.00", "grade_cap", 480),
    # 乐业贷: 2,150,000 × 30% = 645,000 -> 640,000; 300 + 90 (≥ 36 months) − 20 recommended
    (LUZHOU, "leyedai-approve.yaml", "leyedai", "approve", [], "640000.00", "purchase_history", 370),
    (LUZHOU, "leyedai-decline.yaml", "leyedai", "decline", ["ENTRUSTED_PAYMENT", "SC_OVERDUE_PAYABLES"], None, None, None),
    # 900,000 < 1,500,000 × 70%; 900,000 × 30% = 270,000; 300 + 110 (26 months)
    (LUZHOU, "leyedai-refer.yaml", "leyedai", "refer", ["SC_PURCHASE_TREND"], "270000.00", "purchase_history", 410),
    # 乐业贷·新希望六和购料贷
    (LUZHOU, "leyedai-xwlh-approve.yaml", "leyedai-xwlh", "approve", [], "208000.00", "purchase_history", 340),
    (LUZHOU, "leyedai-xwlh-decline.yaml", "leyedai-xwlh", "decline", ["SC_TRADE_MONTHS"], None, None, None),
    # dealer: 1,100,000 × 40% = 440,000 < 500,000; 300 + 120 (dealer, 20 months)
    (LUZHOU, "leyedai-xwlh-refer.yaml", "leyedai-xwlh", "refer", ["DEALER_REGISTRATION"], "440000.00", "purchase_history", 420),
    # 乐业贷·新希望六和购料贷(规模猪场)
    (LUZHOU, "leyedai-xwlh-yzc-approve.yaml", "leyedai-xwlh-yzc", "approve", [], "765000.00", "herd_feed_need", 340),
    (LUZHOU, "leyedai-xwlh-yzc-decline.yaml", "leyedai-xwlh-yzc", "decline", ["SCALE_FARM"], None, None, None),
    # min(600,000 × 50% = 300,000, 420 × 900 = 378,000, 500,000, ...); 300 + 80 (farmer, 18 months)
    (LUZHOU, "leyedai-xwlh-yzc-refer.yaml", "leyedai-xwlh-yzc", "refer", ["EPIDEMIC_CERTIFICATE"], "300000.00",
     "purchase_history", 380),
    # 乐业贷·白酒经销商进货贷: min(9,600,000 × 25% = 2,400,000, max 2,000,000, asked 2,500,000); 300 + 90
    (LUZHOU, "leyedai-jxs-approve.yaml", "leyedai-jxs", "approve", [], "2000000.00", "product_max", 390),
    (LUZHOU, "leyedai-jxs-decline.yaml", "leyedai-jxs", "decline", ["DEALER_AUTHORIZATION"], None, None, None),
    # 3 purchase months < 4; 1,200,000 × 25% = 300,000; 300 + 110 − 20
    (LUZHOU, "leyedai-jxs-refer.yaml", "leyedai-jxs", "refer", ["SC_PURCHASE_CONTINUITY"], "300000.00", "purchase_history", 390),
    # 惠融通抵押经营贷(绿色审批)
    (LUZHOU, "huirongtong-diya-approve.yaml", "huirongtong-diya", "approve", [], "1900000.00", "collateral", 380),
    (LUZHOU, "huirongtong-diya-approve-non-inclusive.yaml", "huirongtong-diya", "approve", [], "5000000.00", "collateral", 400),
    (LUZHOU, "huirongtong-diya-decline.yaml", "huirongtong-diya", "decline", ["PROPERTY_SEIZED"], None, None, None),
    # warning level medium: refer, and no green-lane uplift: 2,500,000 × 60% = 1,500,000; 300 + 110 (shop, 24 months)
    (LUZHOU, "huirongtong-diya-refer.yaml", "huirongtong-diya", "refer", ["RW_MEDIUM_WARNING"], "1500000.00", "collateral", 410),
    # 房抵贷-小微经营贷(海安)
    (HAIAN, "fangdidai-xw-haian-approve.yaml", "fangdidai-xw-haian", "approve", [], "980000.00", "collateral", 365),
    (HAIAN, "fangdidai-xw-haian-decline.yaml", "fangdidai-xw-haian", "decline", ["REGISTRY_OWNER"], None, None, None),
    (HAIAN, "fangdidai-xw-haian-refer.yaml", "fangdidai-xw-haian", "refer", ["PROPERTY_REGISTRY", "ONLINE_MORTGAGE_REGISTRATION"],
     "1300000.00", "collateral", 390),
    # 蚕桑贷
    (HAIAN, "cansang-dai-approve.yaml", "cansang-dai", "approve", [], "40000.00", "cocoon_sales", 330),
    (HAIAN, "cansang-dai-decline.yaml", "cansang-dai", "decline", ["MULBERRY_ACREAGE", "VILLAGE_APPRAISAL"], None, None, None),
    # min(80 × 5,000 = 400,000, 520,000 × 60% = 312,000, 1,000,000, ...); 300 + 80 (new agri entity, no appraisal)
    (HAIAN, "cansang-dai-refer.yaml", "cansang-dai", "refer", ["COCOON_CONTRACT"], "312000.00", "cocoon_sales", 380),
]

PACK_PRODUCTS = {
    "luzhou-bank": {"shuie-dai", "rong-e-dai", "leyedai", "leyedai-xwlh", "leyedai-xwlh-yzc", "leyedai-jxs", "huirongtong-diya"},
    "haian-rcb": {"fangdidai-xw-haian", "cansang-dai"},
}


@pytest.fixture(scope="module")
def layered() -> Catalog:
    return Catalog(packs=[LUZHOU, HAIAN])


def _decide(catalog: Catalog, pack: Path, file_name: str, code: str):
    product = catalog.compiled(code, EVALUATION_DATE)
    record = load_applicant(pack / "applicants" / file_name, catalog.dictionary)
    return to_decision(evaluate(product, record, EVALUATION_DATE))


def _ids(rows):
    return [f"{code}:{file_name}" for _, file_name, code, *_ in rows]


# ---------------------------------------------------------------- loading


def test_both_packs_load_and_compile_on_top_of_the_built_in_pack(layered):
    checked, problems = validate_catalog(layered)
    assert problems == []
    assert [p.name for p in layered.packs] == ["builtin", "luzhou-bank", "haian-rcb"]
    for name, codes in PACK_PRODUCTS.items():
        assert {e.code for e in layered.entries() if e.pack.name == name} == codes
    assert "supply_chain_trade" in layered.rulesets
    assert checked >= 1 + len(layered.rulesets) + len(layered.entries())  # dictionary, rulesets, product versions


@pytest.mark.parametrize("packs", [[LUZHOU], [HAIAN]], ids=["luzhou-bank", "haian-rcb"])
def test_each_pack_also_loads_alone(packs):
    assert validate_catalog(Catalog(packs=packs))[1] == []


def test_pack_dictionary_extensions_add_sources_and_fields(layered):
    dictionary = layered.dictionary
    assert dictionary.field("supply_chain.purchases_12m").type == "money"
    assert dictionary.field("supply_chain.core_enterprise_id").type == "string"
    assert dictionary.field("loan.payee_id").type == "string"          # a new field on a built-in source
    assert dictionary.field("loan.amount") is not None                 # the built-in fields are kept
    assert dictionary.field("livestock.head_in_stock").type == "integer"
    assert dictionary.field("big_data.model_grade").values == ["A", "B", "C", "D", "E"]
    assert dictionary.field("county_registry.certificate_no").type == "string"
    assert dictionary.field("sericulture.mulberry_mu").type == "number"


def test_the_bank_policy_overrides_the_parameter_centre(layered):
    entries = layered.shared_entries()["policy"]
    uplift = entries["inclusive_ltv_uplift"]
    assert uplift.pack.name == "luzhou-bank" and uplift.param.value_on(EVALUATION_DATE) == Decimal("0.10")
    assert entries["green_lane_warning_levels"].pack.name == "luzhou-bank"
    assert entries["inclusive_credit_ceiling"].pack.name == "builtin"  # not overridden: the built-in value stays
    assert Catalog().shared_entries()["policy"]["inclusive_ltv_uplift"].pack.name == "builtin"


# ---------------------------------------------------------------- every applicant, exact figures


def test_every_pack_product_has_an_approve_and_a_decline_example():
    outcomes = {(code, decision) for _, _, code, decision, *_ in EXPECTED}
    for code in set().union(*PACK_PRODUCTS.values()):
        assert {(code, "approve"), (code, "decline")} <= outcomes, code
    for pack in (LUZHOU, HAIAN):
        listed = sorted(f for folder, f, *_ in EXPECTED if folder == pack)
        assert sorted(p.name for p in (pack / "applicants").iterdir()) == listed


@pytest.mark.parametrize("pack, file_name, code, decision, reasons, limit, binding, rate_bp", EXPECTED, ids=_ids(EXPECTED))
def test_pack_example_decision(layered, pack, file_name, code, decision, reasons, limit, binding, rate_bp):
    result = _decide(layered, pack, file_name, code)
    assert result.decision == decision
    assert [f.code for f in result.findings] == reasons
    assert result.product.code == code and result.product.pack == pack.name
    if limit is None:
        assert result.limit is None and result.rate is None
    else:
        assert result.limit.amount == Decimal(limit) and result.limit.binding_cap == binding
        assert result.rate.final_bp == rate_bp


def test_the_green_lane_uplift_is_what_raises_the_mortgage_limit(layered):
    """huirongtong-diya-approve without the uplift would get 3,000,000 × 70% − 500,000 = 1,600,000."""
    product = layered.compiled("huirongtong-diya", EVALUATION_DATE)
    record = load_applicant(LUZHOU / "applicants" / "huirongtong-diya-approve.yaml", layered.dictionary)
    assert to_decision(evaluate(product, record, EVALUATION_DATE)).limit.amount == Decimal("1900000")
    record["risk_warning.warning_level"] = "medium"  # outside the green lane's internal risk conditions
    result = to_decision(evaluate(product, record, EVALUATION_DATE))
    assert result.decision == "refer" and result.limit.amount == Decimal("1600000")


def test_a_variant_changes_the_decision_of_the_same_applicant(layered):
    """The farmer of leyedai-xwlh-approve is outside the base product's customer types; the feed dealer of
    leyedai-jxs-approve buys in 5 months of 12, which the base product's trade rules send to review."""
    base = _decide(layered, LUZHOU, "leyedai-xwlh-approve.yaml", "leyedai")
    assert base.decision == "decline" and [f.code for f in base.findings][0] == "CUSTOMER_TYPE"
    base = _decide(layered, LUZHOU, "leyedai-jxs-approve.yaml", "leyedai")
    assert base.decision == "refer" and [f.code for f in base.findings] == ["SC_PURCHASE_CONTINUITY"]
    # the province's 房抵贷 does not read the county registry: the Haian owner mismatch passes there
    province = _decide(layered, HAIAN, "fangdidai-xw-haian-decline.yaml", "fangdidai-xw")
    assert province.decision == "approve" and province.limit.amount == Decimal("600000")


def test_decisions_name_the_pack_and_hash_the_resolved_variant(layered):
    hashes = {}
    for pack, file_name, code in [(LUZHOU, "leyedai-approve.yaml", "leyedai"), (LUZHOU, "leyedai-approve.yaml", "leyedai-xwlh"),
                                  (LUZHOU, "leyedai-approve.yaml", "leyedai-xwlh-yzc"), (LUZHOU, "leyedai-approve.yaml", "leyedai-jxs"),
                                  (HAIAN, "fangdidai-xw-haian-approve.yaml", "fangdidai-xw"),
                                  (HAIAN, "fangdidai-xw-haian-approve.yaml", "fangdidai-xw-haian")]:
        product = _decide(layered, pack, file_name, code).product
        hashes[code] = product.content_hash
        assert product.pack == ("builtin" if code == "fangdidai-xw" else pack.name)
        assert product.version == "1.0" and len(product.content_hash) == 16
    assert len(set(hashes.values())) == len(hashes)
    again = _decide(Catalog(packs=[LUZHOU, HAIAN]), LUZHOU, "leyedai-approve.yaml", "leyedai-xwlh")
    assert again.product.content_hash == hashes["leyedai-xwlh"]  # stable across loads


def _perturbed(record: dict, rng: random.Random) -> dict:
    out = {}
    for key, value in record.items():
        if rng.random() < 0.15:
            continue
        if isinstance(value, Decimal):
            value = value * Decimal(rng.choice(["0", "0.5", "1", "1", "2"]))
        elif isinstance(value, int) and not isinstance(value, bool):
            value = value + rng.choice([-1, 0, 0, 1, 3])
        out[key] = value
    return out


@pytest.mark.parametrize("pack, file_name, code", [row[:3] for row in EXPECTED], ids=_ids(EXPECTED))
def test_fused_fast_path_equals_traced_path(layered, pack, file_name, code):
    product = layered.compiled(code, EVALUATION_DATE)
    base = load_applicant(pack / "applicants" / file_name, layered.dictionary)
    rng = random.Random(file_name)
    for _ in range(60):
        record = _perturbed(base, rng)
        fast = to_decision(evaluate(product, record, EVALUATION_DATE))
        traced = to_decision(evaluate(product, record, EVALUATION_DATE, trace=True))
        assert fast.model_dump(exclude={"trace"}) == traced.model_dump(exclude={"trace"})


# ---------------------------------------------------------------- the command line


def pf(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["pf", *args])
    monkeypatch.delenv("PF_PACKS", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def _row(out: str, first: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.split()[:1] == [first])


def test_pf_packs_and_validate(monkeypatch, capsys):
    code, out, err = pf(monkeypatch, capsys, "packs", *PACK_ARGS)
    assert code == 0 and err == ""
    luzhou, haian = _row(out, "luzhou-bank"), _row(out, "haian-rcb")
    assert luzhou[1] == "1.0" and luzhou[2].endswith("examples/packs/luzhou-bank") and luzhou[3:] == ["builtin", "7", "1", "1"]
    assert haian[2].endswith("examples/packs/haian-rcb") and haian[3:] == ["builtin", "2", "0", "0"]
    code, out, err = pf(monkeypatch, capsys, "validate", *PACK_ARGS)
    assert code == 0 and out.startswith("OK:") and err == ""


def test_pf_list_shows_pack_products_and_their_parents(monkeypatch, capsys):
    code, out, err = pf(monkeypatch, capsys, "list", *PACK_ARGS)
    assert code == 0 and err == ""
    assert _row(out, "leyedai")[-1] == "luzhou-bank"
    assert _row(out, "leyedai-xwlh")[1:] == ["乐业贷·新希望六和购料贷", "1.0", "2024-01-01", "—", "luzhou-bank", "leyedai"]
    assert _row(out, "leyedai-xwlh-yzc")[-2:] == ["luzhou-bank", "leyedai-xwlh"]
    assert _row(out, "leyedai-jxs")[-2:] == ["luzhou-bank", "leyedai"]
    assert _row(out, "fangdidai-xw-haian")[-2:] == ["haian-rcb", "fangdidai-xw"]
    assert _row(out, "cansang-dai")[-1] == "haian-rcb"


def test_pf_show_resolved_names_the_pack_file_of_every_override(monkeypatch, capsys):
    code, out, err = pf(monkeypatch, capsys, "show", "leyedai-xwlh-yzc", "--resolved", "--date", "2026-11-25", *PACK_ARGS)
    assert code == 0 and err == ""
    assert "inheritance: leyedai-xwlh-yzc@1.0" in out and "<-  leyedai-xwlh@1.0" in out and "<-  leyedai@1.0" in out
    where = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.startswith("  ") and len(line.split()) >= 3}
    yzc = LUZHOU / "products" / "leyedai-xwlh-yzc.yaml"
    line = next(i for i, text in enumerate(yzc.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("  purchase_share:"))
    assert where["params.purchase_share"].endswith(f"luzhou-bank/products/leyedai-xwlh-yzc.yaml:{line}")   # overridden twice
    assert where["params.core_enterprises"].split(":")[0].endswith("luzhou-bank/products/leyedai-xwlh.yaml")  # the scene's
    assert where["params.min_age"].split(":")[0].endswith("luzhou-bank/products/leyedai.yaml")               # the base's
    assert where["eligibility.SCALE_FARM"].split(":")[0].endswith("leyedai-xwlh-yzc.yaml")
    assert where["eligibility.YEARS_IN_BUSINESS"].split(":")[0].endswith("leyedai-xwlh.yaml")                # replaced
    assert where["tables.rate_spread"].split(":")[0].endswith("leyedai-xwlh-yzc.yaml")                       # replaced twice
    assert where["risk_controls.trade"].split(":")[0].endswith("leyedai-xwlh.yaml")
    assert where["limit.caps.herd_feed_need"].split(":")[0].endswith("leyedai-xwlh-yzc.yaml")
    assert "eligibility.BORROWER_ROLE" not in where and "eligibility.DEALER_REGISTRATION" not in where        # removed


def test_pf_show_resolved_names_the_bank_policy_file(monkeypatch, capsys):
    code, out, _ = pf(monkeypatch, capsys, "show", "huirongtong-diya", "--resolved", "--date", "2026-11-25", *PACK_ARGS)
    assert code == 0
    policy = LUZHOU / "params" / "policy.yaml"
    # the param is a block mapping (description + history): its position is its first key, the line after the name
    line = 1 + next(i for i, text in enumerate(policy.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("  inclusive_ltv_uplift:"))
    uplift = next(l for l in out.splitlines() if l.split()[:1] == ["policy.inclusive_ltv_uplift"])
    assert uplift.split()[1] == "0.1" and f"luzhou-bank/params/policy.yaml:{line} (pack luzhou-bank)" in uplift
    ceiling = next(l for l in out.splitlines() if l.split()[:1] == ["policy.inclusive_credit_ceiling"])
    assert "(pack builtin)" in ceiling


def test_pf_show_resolved_of_the_haian_variant(monkeypatch, capsys):
    code, out, _ = pf(monkeypatch, capsys, "show", "fangdidai-xw-haian", "--resolved", "--date", "2026-11-25", *PACK_ARGS)
    assert code == 0
    where = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.startswith("  ") and len(line.split()) >= 3}
    assert where["params.max_amount"].split(":")[0].endswith("haian-rcb/products/fangdidai-xw-haian.yaml")
    assert where["eligibility.PROPERTY_REGISTRY"].split(":")[0].endswith("haian-rcb/products/fangdidai-xw-haian.yaml")
    assert where["tables.ltv"].split(":")[0].endswith("haian-rcb/products/fangdidai-xw-haian.yaml")
    assert where["tables.rate_spread"].split(":")[0] == "products/fangdidai-xw.yaml" or \
        where["tables.rate_spread"].split(":")[0].endswith("/products/fangdidai-xw.yaml")                    # inherited


def test_pf_diff_between_a_base_and_its_scene_variant(monkeypatch, capsys):
    code, out, err = pf(monkeypatch, capsys, "diff", "leyedai", "leyedai-xwlh", "--date", "2026-11-25", *PACK_ARGS)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("--- leyedai@1.0 (") and lines[1].startswith("+++ leyedai-xwlh@1.0 (")
    assert lines[0].split("(")[1] != lines[1].split("(")[1]  # different content hashes
    assert "~ params.purchase_share: 0.3  ->  0.4" in lines
    assert "~ params.core_enterprises: ['XWLH', 'JQ-LZ01', 'JC-LZ01']  ->  ['XWLH']" in lines
    assert any(line.startswith("~ eligibility.YEARS_IN_BUSINESS.when: (none)  ->  ") for line in lines)  # replaced: now guarded
    assert "+ eligibility.FEED_PURCHASE: supply_chain.goods_category == 'feed' [decline]" in lines
    assert any(line.startswith("+ limit.caps.customer_type_cap:") for line in lines)
    code, out, _ = pf(monkeypatch, capsys, "diff", "leyedai-xwlh", "leyedai-xwlh-yzc", "--date", "2026-11-25", *PACK_ARGS)
    lines = out.splitlines()
    assert code == 0 and "~ params.purchase_share: 0.4  ->  0.5" in lines
    assert any(line.startswith("- eligibility.BORROWER_ROLE:") for line in lines)
    assert any(line.startswith("- eligibility.DEALER_REGISTRATION:") for line in lines)
    assert "+ eligibility.SCALE_FARM: livestock.head_in_stock >= params.min_head_in_stock [decline]" in lines
    assert any(line.startswith("+ limit.caps.herd_feed_need:") for line in lines)
    code, out, _ = pf(monkeypatch, capsys, "diff", "fangdidai-xw", "fangdidai-xw-haian", "--date", "2026-11-25", "--format", "json", *PACK_ARGS)
    changes = {c["part"]: c for c in json.loads(out)["changes"]}
    assert changes["params.max_amount"]["before"] == 10000000 and changes["params.max_amount"]["after"] == 5000000
    assert changes["eligibility.REGISTRY_OWNER"]["kind"] == "added"
    assert changes["tables.ltv.rows[1]"]["after"] == ["commercial", "0.55"]


def test_pf_evaluate_a_pack_variant_as_json(monkeypatch, capsys):
    applicant = str(LUZHOU / "applicants" / "leyedai-xwlh-yzc-approve.yaml")
    code, out, err = pf(monkeypatch, capsys, "evaluate", "乐业贷·新希望六和购料贷(规模猪场)", applicant, "--date", "2026-11-25",
                        "--format", "json", *PACK_ARGS)
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["product"]["code"] == "leyedai-xwlh-yzc" and data["product"]["pack"] == "luzhou-bank"
    assert data["decision"] == "approve" and data["limit"]["amount"] == "765000.00"
    assert data["limit"]["binding_cap"] == "herd_feed_need" and data["rate"]["final_bp"] == 340
    assert data["terms"]["months"] == [6, 12]
