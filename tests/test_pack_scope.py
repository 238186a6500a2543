"""Each pack's params/ is its own namespace: loading one pack never changes another pack's decisions.

泸州银行 overrides policy.inclusive_ltv_uplift (0.10) for its 绿色审批 lane; 海安's products depend only on the
built-in pack, so their commercial-property limits keep the built-in uplift whether or not 泸州银行 is loaded.
"""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from engine.catalog import Catalog
from engine.documents.applicant import load_applicant
from engine.evaluate.interpreter import evaluate
from engine.results.build import to_decision
from tests.test_example_packs import EVALUATION_DATE, HAIAN, LUZHOU, _decide


def _outcome(catalog: Catalog, pack: Path, file_name: str, code: str) -> dict:
    decision = _decide(catalog, pack, file_name, code).model_dump(mode="json")
    return {key: value for key, value in decision.items() if "hash" not in key}


def _product_of(pack: Path, file_name: str) -> str:
    for code in sorted({p.stem.removesuffix(".tests") for p in (pack / "products").glob("*.yaml")}, key=len, reverse=True):
        if file_name.startswith(code + "-"):
            return code
    raise AssertionError(file_name)


CASES = [(pack, path.name) for pack in (LUZHOU, HAIAN) for path in sorted((pack / "applicants").glob("*.yaml"))]


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {"luzhou": Catalog(packs=[LUZHOU]), "haian": Catalog(packs=[HAIAN]),
            "both": Catalog(packs=[LUZHOU, HAIAN]), "reversed": Catalog(packs=[HAIAN, LUZHOU])}


@pytest.mark.parametrize(("pack", "file_name"), CASES, ids=[f"{p.name}:{f}" for p, f in CASES])
def test_loading_the_other_pack_changes_no_decision(catalogs, pack, file_name):
    code = _product_of(pack, file_name)
    alone = _outcome(catalogs["luzhou" if pack == LUZHOU else "haian"], pack, file_name, code)
    assert _outcome(catalogs["both"], pack, file_name, code) == alone
    assert _outcome(catalogs["reversed"], pack, file_name, code) == alone


def _commercial_haian_applicant(folder: Path) -> Path:
    # The approve case on a commercial property: 1,600,000 × (55% + 10%) − 300,000 = 740,000.
    text = (HAIAN / "applicants" / "fangdidai-xw-haian-approve.yaml").read_text(encoding="utf-8")
    path = folder / "commercial.yaml"
    path.write_text(text.replace("  type: residential", "  type: commercial"), encoding="utf-8")
    return path


def test_a_sibling_pack_raising_the_uplift_leaves_the_haian_limit_alone(tmp_path):
    # Before packs had their own namespace, a 泸州银行 copy with a 0.20 uplift moved this limit to 900,000.
    luzhou = tmp_path / "luzhou-bank"
    shutil.copytree(LUZHOU, luzhou)
    policy = luzhou / "params" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("value: 0.10}", "value: 0.20}"), encoding="utf-8")
    applicant = _commercial_haian_applicant(tmp_path)
    limits = {}
    for name, packs in {"haian": [HAIAN], "both": [luzhou, HAIAN], "reversed": [HAIAN, luzhou]}.items():
        catalog = Catalog(packs=packs)
        product = catalog.compiled("fangdidai-xw-haian", EVALUATION_DATE)
        decision = to_decision(evaluate(product, load_applicant(applicant, catalog.dictionary), EVALUATION_DATE))
        limits[name] = decision.limit.amount if decision.limit else None
    assert limits == {"haian": Decimal("740000"), "both": Decimal("740000"), "reversed": Decimal("740000")}
    assert Catalog(packs=[luzhou]).shared_on(EVALUATION_DATE, "luzhou-bank")["policy"]["inclusive_ltv_uplift"] == Decimal("0.20")


def test_each_pack_sees_its_own_override_and_the_union_lists_every_pack(catalogs):
    both = catalogs["both"]
    assert both.shared_entries("luzhou-bank")["policy"]["inclusive_ltv_uplift"].pack.name == "luzhou-bank"
    assert both.shared_entries("haian-rcb")["policy"]["inclusive_ltv_uplift"].pack.name == "builtin"
    assert both.shared_on(EVALUATION_DATE, "luzhou-bank")["policy"]["inclusive_ltv_uplift"] == Decimal("0.10")
    assert "green_lane_warning_levels" not in both.shared_entries("haian-rcb")["policy"]
