"""Every kind of mistake, in a fixture file of its own (tests/diagnostics/), is reported with its
stable code at the right line and column; the clean fixture yields nothing."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.authoring.validate import validate_catalog
from engine.catalog import Catalog
from tests.conftest import EXAMPLE_PACKS, ROOT

FIXTURES = ROOT / "tests" / "diagnostics"

# file -> (code, severity, line, column, message fragment)
EXPECTED = {
    "PF001-malformed-yaml": ("PF001", "error", 11, 13, "malformed YAML"),
    "PF002-unknown-key": ("PF002", "error", 26, 5, "unknown key 'on_missng'"),
    "PF003-expression-type": ("PF003", "error", 19, 46, "cannot compare number with string"),
    "PF004-unknown-ruleset": ("PF004", "error", 36, 16, "unknown ruleset 'judical'"),
    "PF101-unused-param": ("PF101", "warning", 13, 3, "param 'max_term' of product mini is never used"),
    "PF102-undefined-param": ("PF102", "error", 15, 27, "unknown param 'min_payment'"),
    "PF201-never-fails": ("PF201", "warning", 19, 11, "rule INQUIRIES can never fail"),
    "PF202-never-passes": ("PF202", "warning", 15, 11, "rule PAID can never pass"),
    "PF203-guard-never-holds": ("PF203", "warning", 28, 11, "the condition of rule B_GRADE_REVIEW can never hold"),
    "PF301-table-gap": ("PF301", "warning", 43, 7, "no row matches tax.grade=C (any loan.term_months); tax.grade=D (any loan.term_months)"),
    "PF302-unique-overlap": ("PF302", "error", 44, 9, "rows 0, 1 all match tax.grade=A, loan.term_months=12 under hit policy 'unique'"),
    "PF303-unreachable-row": ("PF303", "warning", 44, 9, "row 1 of table spread can never be the first match"),
    "PF401-scorecard-bins-overlap": ("PF401", "error", 47, 13, "interval [1, 5) overlaps interval (-∞, 2)"),
    "PF402-scorecard-bins-hole": ("PF402", "warning", 46, 11, "scorecard business: no bin of inquiries scores [5, 6)"),
    "PF501-empty-message": ("PF501", "warning", 20, 14, "rule INQUIRIES has no reason message"),
    "PF502-duplicate-rule-id": ("PF502", "error", 22, 9, "duplicate rule id 'PAID'"),
    "PF601-no-rate-floor": ("PF601", "error", 72, 3, "pricing has no floor_bp"),
    "PF602-no-minimum-amount": ("PF602", "error", 65, 3, "limit has no min_amount"),
    "PF603-fees-without-schedule": ("PF603", "warning", 79, 5, "fees service enter the APR"),
}


def diagnose(fixture: Path, tmp_path: Path):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    shutil.copytree(ROOT / "rulesets", tmp_path / "rulesets")
    (tmp_path / "products").mkdir()
    shutil.copy(fixture, tmp_path / "products" / fixture.name)
    return validate_catalog(Catalog(tmp_path), analyse=True)[1]


def test_every_fixture_is_checked():
    assert sorted(p.stem for p in FIXTURES.glob("PF*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mistake_is_reported_at_its_position(name, tmp_path):
    code, severity, line, column, fragment = EXPECTED[name]
    problems = diagnose(FIXTURES / f"{name}.yaml", tmp_path)
    assert [(p.code, p.severity, p.line, p.column) for p in problems] == [(code, severity, line, column)], \
        [p.render(with_code=True) for p in problems]
    assert fragment in problems[0].message
    assert problems[0].render(with_code=True).startswith(f"products/{name}.yaml:{line}:{column}: {code} {severity}:") or \
        f"{name}.yaml:{line}:{column}: {code} {severity}:" in problems[0].render(with_code=True)


def test_clean_fixture_has_no_diagnostics(tmp_path):
    assert diagnose(FIXTURES / "clean.yaml", tmp_path) == []


def test_every_code_is_documented_with_a_fix():
    guide = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## (PF\d{3})", guide, re.M))
    assert {code for code, *_ in EXPECTED.values()} <= documented
    for code in documented:
        section = guide.split(f"## {code}", 1)[1].split("\n## ", 1)[0]
        assert "Fix:" in section and "Severity:" in section


def test_built_in_and_example_packs_pass_strict_validation():
    problems = validate_catalog(Catalog(ROOT, EXAMPLE_PACKS), analyse=True)[1]
    assert [p.render(with_code=True) for p in problems] == []
