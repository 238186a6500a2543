"""Variants, packs, versions and the parameter centre."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.authoring.validate import validate_catalog
from engine.catalog import Catalog
from engine.core.errors import UnknownProductError, UsageError
from engine.evaluate.interpreter import evaluate
from engine.results.build import to_decision
from tests.conftest import EVALUATION_DATE
from tests.fixtures import MINI_PRODUCT, good_applicant, write_product

VARIANT = """\
code: mini-local
name: 测试贷(本地)
extends: mini
version: "1.0"
effective: {from: 2025-06-01}
params:
  min_paid: 20000
eligibility:
  remove: [B_GRADE_REVIEW]
  replace:
    - {id: INQUIRIES, rule: "credit_bureau.loan_inquiries_3m <= 3", message: 查询过多, action: refer}
  add:
    - {id: LOCAL_AGE, rule: "applicant.age <= 60", message: 本地产品年龄上限60岁, action: decline}
tables:
  replace:
    - id: spread
      hit_policy: first
      inputs: [tax.grade]
      outputs: [bp]
      rows: [[A, 30], [B, 90]]
      no_match: {output: {bp: 200}}
pricing:
  floor_bp: 300
"""

BRANCH = """\
code: mini-branch
name: 测试贷(支行)
extends: mini-local
version: "1.0"
effective: {from: 2025-06-01}
params:
  multiplier: {A: 4, B: 2}
limit:
  caps:
    - {id: tax_multiple, label: 纳税倍数, value: "tax.paid_12m * params.multiplier[tax.grade]"}
  round_down_to: 1000
"""


def decide(catalog: Catalog, code: str, changes: dict | None = None, on: date = EVALUATION_DATE):
    record = good_applicant()
    record.update(changes or {})
    return to_decision(evaluate(catalog.compiled(code, on), record, on))


@pytest.fixture
def family(pack: Path) -> Catalog:
    write_product(pack)
    write_product(pack, VARIANT, "mini-local.yaml")
    write_product(pack, BRANCH, "mini-branch.yaml")
    return Catalog(pack)


# ---------------------------------------------------------------- inheritance


def test_variant_overrides_removes_replaces_and_adds(family):
    resolved = family.resolve(family.select("mini-local", EVALUATION_DATE), EVALUATION_DATE).doc
    assert resolved.params["min_paid"] == 20000 and resolved.params["lpr"] == 300  # merged, not replaced
    assert [r.id for r in resolved.eligibility] == ["PAID", "INQUIRIES", "OVERDUE", "LOCAL_AGE"]
    assert resolved.eligibility[1].rule == "credit_bureau.loan_inquiries_3m <= 3"
    assert [t.id for t in resolved.tables] == ["spread"] and len(resolved.tables[0].rows) == 2
    assert resolved.pricing.floor_bp == 300 and resolved.pricing.cap_bp == 400  # merged key by key
    assert resolved.limit.caps[0].id == "tax_multiple"  # inherited untouched


def test_variant_decides_with_its_own_rules(family):
    assert decide(family, "mini", {"tax.paid_12m": Decimal("15000")}).decision == "approve"
    d = decide(family, "mini-local", {"tax.paid_12m": Decimal("15000")})
    assert d.decision == "decline" and [f.code for f in d.findings] == ["PAID"]
    assert [f.code for f in decide(family, "mini-local", {"credit_bureau.loan_inquiries_3m": 4}).findings] == ["INQUIRIES"]
    assert decide(family, "mini-local", {"tax.grade": "B"}).findings == []  # B_GRADE_REVIEW removed
    assert [f.code for f in decide(family, "mini-local", {"applicant.age": 61}).findings] == ["LOCAL_AGE"]
    assert decide(family, "mini-local").rate.spread_bp == 30


def test_chain_of_variants(family):
    d = decide(family, "mini-branch", {"tax.paid_12m": Decimal("30000.50")})
    assert d.decision == "approve"
    assert d.limit.amount == Decimal("120000") and d.limit.binding_cap == "tax_multiple"  # 30,000.50 × 4, step 1,000
    assert [c.id for c in d.limit.caps] == ["tax_multiple"]  # limit replaced whole
    assert d.rate.spread_bp == 30  # the middle variant's table


def test_provenance_names_the_file_and_line_of_every_part(family, pack):
    branch = family.resolve(family.select("mini-branch", EVALUATION_DATE), EVALUATION_DATE)
    where = lambda *path: branch.source.where(path).replace(str(pack) + "/", "")  # noqa: E731
    assert where("params", "multiplier") == "products/mini-branch.yaml:7"
    assert where("params", "min_paid") == "products/mini-local.yaml:7"
    assert where("params", "lpr") == "products/mini.yaml:11"
    assert where("eligibility", 0) == "products/mini.yaml:13"
    assert where("eligibility", 1) == "products/mini-local.yaml:11"
    assert where("eligibility", 3) == "products/mini-local.yaml:13"
    assert where("tables", 0) == "products/mini-local.yaml:16"
    assert where("limit") == "products/mini-branch.yaml:9"


def test_errors_in_inherited_and_added_parts_point_at_their_own_files(pack):
    write_product(pack)
    write_product(pack, VARIANT.replace("applicant.age <= 60", "applicant.agee <= 60"), "mini-local.yaml")
    problems = [p.render().replace(str(pack) + "/", "") for p in validate_catalog(Catalog(pack))[1]]
    assert problems == ["products/mini-local.yaml:13:30: $.eligibility.add[0].rule: unknown field 'applicant.agee' "
                        "(did you mean 'applicant.age' or 'applicant.name' or 'applicant.role'?)"]


@pytest.mark.parametrize("edit, message", [
    ("  remove: [B_GRADE_REVIEW]", "  remove: [B_GRADE_REVEIW]", ),
])
def test_removing_an_unknown_rule_suggests(pack, edit, message):
    write_product(pack)
    write_product(pack, VARIANT.replace(edit, message), "mini-local.yaml")
    problems = [p.render() for p in validate_catalog(Catalog(pack))[1]]
    assert len(problems) == 1
    assert "mini-local.yaml:9:12: $.eligibility.remove[0]: cannot remove 'B_GRADE_REVEIW': the parent has no such id " \
           "(did you mean 'B_GRADE_REVIEW'?)" in problems[0]


def test_adding_an_existing_rule_and_unknown_edit(pack):
    write_product(pack)
    text = VARIANT.replace("LOCAL_AGE", "PAID").replace("  remove: [B_GRADE_REVIEW]", "  delete: [B_GRADE_REVIEW]")
    write_product(pack, text, "mini-local.yaml")
    problems = sorted(p.render().replace(str(pack) + "/", "") for p in validate_catalog(Catalog(pack))[1])
    assert problems == [
        "products/mini-local.yaml:13:7: $.eligibility.add[0]: cannot add 'PAID': the parent already has it (use replace)",
        "products/mini-local.yaml:9:3: $.eligibility.delete: unknown list edit 'delete' (expected remove, replace or add)",
    ]


def test_unknown_parent_and_cycles_are_errors(pack):
    write_product(pack, VARIANT.replace("extends: mini", "extends: mnii"), "mini-local.yaml")
    problems = [p.render() for p in validate_catalog(Catalog(pack))[1]]
    assert len(problems) == 1 and "mini-local.yaml:3:10: $.extends: cannot extend 'mnii': unknown product 'mnii'" in problems[0]
    write_product(pack, VARIANT.replace("extends: mini", "extends: mini-branch"), "mini-local.yaml")
    write_product(pack, BRANCH, "mini-branch.yaml")
    problems = [p.render() for p in validate_catalog(Catalog(pack))[1]]
    assert any("variants form a cycle: mini-local -> mini-branch -> mini-local" in p for p in problems)


# ---------------------------------------------------------------- versions


VERSION_2 = MINI_PRODUCT.replace('version: "1.0"\neffective: {from: 2025-01-01, to: 2027-12-31}',
                                 'version: "2.0"\neffective: {from: 2028-01-01}').replace("min_paid: 10000", "min_paid: 50000")


def test_the_version_in_force_is_chosen_by_date_and_explicit_versions_work(pack):
    write_product(pack)
    write_product(pack, VERSION_2, "mini-v2.yaml")
    catalog = Catalog(pack)
    assert catalog.compiled("mini", date(2026, 1, 1)).doc.version == "1.0"
    assert catalog.compiled("mini", date(2028, 3, 1)).doc.version == "2.0"
    assert catalog.compiled("mini@2.0", date(2026, 1, 1)).doc.params["min_paid"] == 50000
    with pytest.raises(UsageError, match=r"mini has no version in force on 2024-06-01 \(1.0: 2025-01-01 to 2027-12-31; 2.0: 2028-01-01 to open-ended\)"):
        catalog.compiled("mini", date(2024, 6, 1))
    with pytest.raises(UnknownProductError, match=r"mini has no version '3.0' \(versions: 1.0, 2.0\)"):
        catalog.compiled("mini@3.0", date(2026, 1, 1))


def test_overlapping_versions_are_load_errors(pack):
    write_product(pack)
    write_product(pack, VERSION_2.replace("from: 2028-01-01", "from: 2027-06-01"), "mini-v2.yaml")
    problems = [p.render() for p in validate_catalog(Catalog(pack))[1]]
    assert any("mini@2.0 is in force from 2027-06-01, which overlaps mini@1.0 (2025-01-01 to 2027-12-31)" in p for p in problems)


def test_decisions_record_version_pack_and_content_hash(family, pack):
    base, variant = decide(family, "mini"), decide(family, "mini-local")
    assert (base.product.code, base.product.version, base.product.pack) == ("mini", "1.0", pack.name)
    assert base.product.content_hash != variant.product.content_hash
    assert decide(Catalog(pack), "mini").product.content_hash == base.product.content_hash  # stable across loads


# ---------------------------------------------------------------- packs and the parameter centre


def make_pack(root: Path, name: str, manifest_extra: str = "", products: dict[str, str] | None = None,
              files: dict[str, str] | None = None) -> Path:
    folder = root / name
    (folder / "products").mkdir(parents=True)
    (folder / "pack.yaml").write_text(f"name: {name}\nversion: '1.0'\ndescription: 测试包\ndepends_on: [base]\n{manifest_extra}",
                                      encoding="utf-8")
    for file_name, text in (products or {}).items():
        (folder / "products" / file_name).write_text(text, encoding="utf-8")
    for relative, text in (files or {}).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def base(pack: Path) -> Path:
    (pack / "pack.yaml").write_text("name: base\nversion: '1.0'\ndescription: 基础包\n", encoding="utf-8")
    write_product(pack, MINI_PRODUCT.replace("base_bp: params.lpr", "base_bp: market.lpr_1y_bp"))
    (pack / "params").mkdir()
    (pack / "params" / "market.yaml").write_text(
        "group: market\ndescription: 市场\nparams:\n  lpr_1y_bp:\n    description: 1年期LPR\n    history:\n"
        "      - {from: 2024-10-21, value: 310}\n      - {from: 2025-05-20, value: 300}\n", encoding="utf-8")
    return pack


def test_a_later_pack_adds_a_variant(base, tmp_path):
    bank = make_pack(tmp_path, "bank", products={"mini-local.yaml": VARIANT})
    catalog = Catalog(base, [bank])
    assert validate_catalog(catalog)[1] == []
    d = decide(catalog, "mini-local")
    assert d.product.pack == "bank" and d.rate.base_bp == 300


def test_a_later_pack_never_silently_shadows_a_code(base, tmp_path):
    bank = make_pack(tmp_path, "bank", products={"mini.yaml": MINI_PRODUCT})
    problems = [p.render() for p in validate_catalog(Catalog(base, [bank]))[1]]
    assert len(problems) == 1 and "bank/products/mini.yaml:1:7: $.code: product code 'mini' is already defined in" in problems[0]
    assert "to replace it, list it under replaces.products in pack.yaml" in problems[0]


def test_a_pack_may_replace_a_code_it_names(base, tmp_path):
    replacement = MINI_PRODUCT.replace("min_paid: 10000", "min_paid: 99999").replace("params.lpr\n", "market.lpr_1y_bp\n")
    bank = make_pack(tmp_path, "bank", "replaces: {products: [mini]}\n", products={"mini.yaml": replacement})
    catalog = Catalog(base, [bank])
    assert validate_catalog(catalog)[1] == []
    compiled = catalog.compiled("mini", EVALUATION_DATE)
    assert compiled.pack == "bank" and compiled.doc.params["min_paid"] == 99999


def test_dependencies_must_be_loaded_first(base, tmp_path):
    bank = make_pack(tmp_path, "bank", products={})
    (bank / "pack.yaml").write_text("name: bank\nversion: '1.0'\ndescription: x\ndepends_on: [province]\n", encoding="utf-8")
    problems = [p.render() for p in validate_catalog(Catalog(base, [bank]))[1]]
    assert problems and "pack 'bank' depends on 'province', which is not loaded before it" in problems[0]


def test_dictionary_extensions_add_fields_but_never_redefine(base, tmp_path):
    extension = ("sources:\n  property:\n    description: 房产\n    fields:\n"
                 "      county_registry_verified: {type: boolean, description: 县不动产登记中心已核验}\n")
    bank = make_pack(tmp_path, "bank", files={"schemas/dictionary.yaml": extension})
    catalog = Catalog(base, [bank])
    assert catalog.dictionary.field("property.county_registry_verified").type == "boolean"
    assert catalog.dictionary.field("property.valuation") is not None
    clash = extension + "      valuation: {type: money, description: 重复}\n"
    (bank / "schemas" / "dictionary.yaml").write_text(clash, encoding="utf-8")
    problems = [p.render() for p in validate_catalog(Catalog(base, [bank]))[1]]
    assert len(problems) == 1 and "field property.valuation is already defined in" in problems[0]


def test_shared_params_by_date_and_a_later_pack_overrides_them_for_its_own_products_only(base, tmp_path):
    catalog = Catalog(base)
    assert decide(catalog, "mini", on=date(2025, 3, 1)).rate.base_bp == 310
    assert decide(catalog, "mini", on=date(2025, 6, 1)).rate.base_bp == 300
    bank = make_pack(tmp_path, "bank", files={"params/market.yaml": (
        "group: market\ndescription: 本行\nparams:\n  lpr_1y_bp: {description: 本行内部基准, value: 320}\n")})
    layered = Catalog(base, [bank])
    # The bank's override is its own: the base pack's product keeps the base value (and its hash).
    d = decide(layered, "mini", on=date(2025, 6, 1))
    assert d.rate.base_bp == 300
    assert d.product.content_hash == decide(catalog, "mini", on=date(2025, 6, 1)).product.content_hash
    assert layered.shared_on(date(2025, 6, 1), "bank")["market"]["lpr_1y_bp"] == 320


def test_unknown_shared_param_is_a_load_error(base):
    write_product(base, MINI_PRODUCT.replace("base_bp: params.lpr", "base_bp: market.lpr_1y"))
    problems = [p.render() for p in validate_catalog(Catalog(base))[1]]
    assert len(problems) == 1
    assert "unknown param 'lpr_1y' in parameter centre group 'market' (did you mean 'lpr_1y_bp'?)" in problems[0]


def test_broken_pack_manifest(base, tmp_path):
    bank = make_pack(tmp_path, "bank")
    (bank / "pack.yaml").write_text("name: Bank!\nversion: '1.0'\ndescription: x\ndepends: [base]\n", encoding="utf-8")
    problems = [p.render() for p in validate_catalog(Catalog(base, [bank]))[1]]
    assert any("pack.yaml:4:1: $.depends: unknown key 'depends' (did you mean 'depends_on'?)" in p for p in problems)
    assert any("$.name: String should match pattern" in p for p in problems)


def test_diff_lists_params_rules_tables_and_sections(family):
    from engine.authoring.diff import diff_products, render_diff

    changes = diff_products(family.compiled("mini", EVALUATION_DATE), family.compiled("mini-local", EVALUATION_DATE), family.rulesets)
    text = render_diff(changes)
    parts = {(c.part, c.kind) for c in changes.changes}
    assert ("params.min_paid", "changed") in parts and ("eligibility.B_GRADE_REVIEW", "removed") in parts
    assert ("eligibility.LOCAL_AGE", "added") in parts and ("eligibility.INQUIRIES", "changed") in parts
    assert ("tables.spread.rows[0]", "changed") in parts and ("tables.spread.rows[2]", "removed") in parts
    assert ("pricing.floor_bp", "changed") in parts
    assert "~ params.min_paid: 10000  ->  20000" in text
    assert "- eligibility.B_GRADE_REVIEW: false [refer]" in text
    same = diff_products(family.compiled("mini", EVALUATION_DATE), family.compiled("mini", EVALUATION_DATE), family.rulesets)
    assert same.changes == [] and "no differences" in render_diff(same)


def test_show_resolved_and_packs_on_the_command_line(monkeypatch, capsys, base, tmp_path):
    from tests.test_cli import pf

    bank = make_pack(tmp_path, "bank", products={"mini-local.yaml": VARIANT})
    monkeypatch.chdir(tmp_path)
    code, out, err = pf(monkeypatch, capsys, "validate", str(base), "--pack", str(bank))
    assert code == 0, err
    monkeypatch.setenv("PF_PACKS", str(bank))
    import engine.catalog.catalog as catalog_module  # where Catalog looks for the built-in pack

    monkeypatch.setattr(catalog_module, "default_root", lambda: base)
    code, out, err = pf(monkeypatch, capsys, "show", "mini-local", "--resolved", "--date", "2026-11-25")
    assert code == 0, err
    assert "inheritance: mini-local@1.0 (bank/products/mini-local.yaml, pack bank)  <-  mini@1.0" in out
    assert any(line.split()[:2] == ["params.min_paid", "20,000"] and line.endswith("bank/products/mini-local.yaml:7") for line in out.splitlines())
    assert any(line.split()[:2] == ["market.lpr_1y_bp", "300"] for line in out.splitlines())
    code, out, _ = pf(monkeypatch, capsys, "packs")
    rows = [line.split()[:2] for line in out.splitlines()]
    assert rows[1][0] == base.name or rows[1][0] == "base"
    assert ["bank", "1.0"] in rows
    code, out, _ = pf(monkeypatch, capsys, "diff", "mini", "mini-local", "--date", "2026-11-25")
    assert code == 0 and "~ params.min_paid: 10000  ->  20000" in out


def test_a_shared_param_not_yet_in_force_is_reported(base):
    write_product(base, MINI_PRODUCT.replace("base_bp: params.lpr", "base_bp: market.lpr_1y_bp").replace(
        "effective: {from: 2025-01-01, to: 2027-12-31}", "effective: {from: 2024-01-01, to: 2027-12-31}"))
    problems = [p.render() for p in validate_catalog(Catalog(base))[1]]
    assert len(problems) == 1 and "market.lpr_1y_bp has no value in force on the date this product is compiled for" in problems[0]


def test_a_variant_removes_an_inherited_param_with_null(pack):
    write_product(pack)
    write_product(pack, VARIANT.replace("  min_paid: 20000\n", "  min_paid: 20000\n  multiplier: null\n").replace(
        "tables:\n", "limit:\n  caps: [{id: product_max, label: 产品上限, value: 1000000}]\n  round_down_to: 10000\n  min_amount: 50000\ntables:\n", 1),
        "mini-local.yaml")
    catalog = Catalog(pack)
    assert validate_catalog(catalog)[1] == []
    assert "multiplier" not in catalog.resolve(catalog.select("mini-local", EVALUATION_DATE), EVALUATION_DATE).doc.params
    write_product(pack, VARIANT.replace("  min_paid: 20000\n", "  min_paid: 20000\n  multipler: null\n"), "mini-local.yaml")
    problems = [p.render() for p in validate_catalog(Catalog(pack))[1]]
    assert any("cannot remove params.multipler: the parent has no such key (did you mean 'multiplier'?)" in p for p in problems)


def test_the_content_hash_ignores_shared_params_the_product_does_not_read(base, tmp_path):
    before = decide(Catalog(base), "mini").product.content_hash
    bank = make_pack(tmp_path, "bank", files={"params/policy.yaml": (
        "group: policy\\ndescription: 本行政策\\nparams:\\n  green_lane: {description: 绿色审批, value: true}\\n").replace("\\\\n", "\\n")})
    assert decide(Catalog(base, [bank]), "mini").product.content_hash == before


def test_diff_shows_each_changed_key_of_a_changed_rule(family):
    from engine.authoring.diff import diff_products, render_diff

    text = render_diff(diff_products(family.compiled("mini", EVALUATION_DATE), family.compiled("mini-local", EVALUATION_DATE),
                                     family.rulesets))
    assert "~ eligibility.INQUIRIES.rule: credit_bureau.loan_inquiries_3m <= 6  ->  credit_bureau.loan_inquiries_3m <= 3" in text
    assert "~ eligibility.INQUIRIES.message: 查询{credit_bureau.loan_inquiries_3m}次  ->  查询过多" in text
