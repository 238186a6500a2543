"""The JSON Schemas in schemas/ are up to date with the models, and every document validates."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

from engine.authoring.schema_export import FILES, build_schemas, render
from engine.documents.source import load_document
from tests.conftest import EXAMPLE_PACKS, ROOT

PACKS = [ROOT, *EXAMPLE_PACKS]


def plain(value: Any) -> Any:
    """YAML data as JSON data: exact decimals become numbers, dates ISO strings."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def schemas(catalog):
    return build_schemas(catalog.dictionary)


def test_committed_schemas_are_up_to_date(schemas):
    for name, schema in schemas.items():
        path = ROOT / "schemas" / name
        assert path.exists() and path.read_text(encoding="utf-8") == render(schema), \
            f"schemas/{name} is out of date: run `pf schema export`"


def documents(folder: str, pattern: str = "*.yaml"):
    for pack in PACKS:
        for path in sorted((pack / folder).glob(pattern)):
            yield path


@pytest.mark.parametrize("kind, folder, pattern", [
    ("product", "products", "*.yaml"),
    ("ruleset", "rulesets", "*.yaml"),
    ("params", "params", "*.yaml"),
])
def test_every_document_validates_against_its_schema(schemas, kind, folder, pattern):
    validator = jsonschema.Draft202012Validator(schemas[FILES[kind]])
    checked = 0
    for path in documents(folder, pattern):
        if path.name.endswith(".tests.yaml"):
            continue
        errors = list(validator.iter_errors(plain(load_document(path).data)))
        assert not errors, f"{path}: {errors[0].message}"
        checked += 1
    assert checked > 0


def test_test_files_pack_files_and_applicants_validate(schemas):
    tests = jsonschema.Draft202012Validator(schemas[FILES["tests"]])
    for path in documents("products", "*.tests.yaml"):
        assert not list(tests.iter_errors(plain(load_document(path).data))), path
    pack = jsonschema.Draft202012Validator(schemas[FILES["pack"]])
    for root in PACKS:
        assert not list(pack.iter_errors(plain(load_document(root / "pack.yaml").data)))
    applicant = jsonschema.Draft202012Validator(schemas[FILES["applicant"]])
    for path in sorted((ROOT / "examples" / "applicants").iterdir()):
        assert not list(applicant.iter_errors(plain(load_document(path).data))), path
    for pack in PACKS[1:]:  # a pack that extends the dictionary has an applicant schema of its own
        own = json.loads((pack / "schemas" / FILES["applicant"]).read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(own)
        for path in sorted((pack / "applicants").glob("*.yaml")):
            assert not list(validator.iter_errors(plain(load_document(path).data))), path


def test_every_document_names_its_schema_for_the_editor():
    import os

    for pack in PACKS:
        files = [(p, "tests.schema.json" if p.name.endswith(".tests.yaml") else "product.schema.json")
                 for p in (pack / "products").glob("*.yaml")]
        files += [(p, "ruleset.schema.json") for p in (pack / "rulesets").glob("*.yaml")]
        files += [(p, "params.schema.json") for p in (pack / "params").glob("*.yaml")] + [(pack / "pack.yaml", "pack.schema.json")]
        for path, schema in files:
            expected = os.path.relpath(ROOT / "schemas" / schema, path.parent)
            first = path.read_text(encoding="utf-8").split("\n", 1)[0]
            assert first == f"# yaml-language-server: $schema={expected}", path


def test_schema_catches_a_typo_and_a_wrong_value(schemas):
    validator = jsonschema.Draft202012Validator(schemas[FILES["product"]])
    product = plain(load_document(ROOT / "products" / "shuiqitong-xw.yaml").data)
    product["borower"] = "individual"
    assert list(validator.iter_errors(product))
    product = plain(load_document(ROOT / "products" / "shuiqitong-xw.yaml").data)
    product["eligibility"][0]["action"] = "deny"
    assert list(validator.iter_errors(product))
    variant = {"code": "x-local", "name": "本地", "version": "1.0", "effective": {"from": "2026-01-01"}, "extends": "x",
               "params": {"max_amount": 1}, "eligibility": {"remove": ["AGE_RANGE"]}, "pricing": {"spread_bp": "30"}}
    assert not list(validator.iter_errors(variant))
    variant["eligibility"] = {"delete": ["AGE_RANGE"]}
    assert list(validator.iter_errors(variant))


def test_format_reference_is_generated_and_up_to_date():
    from engine.authoring.reference import render_reference
    from engine.documents.models import ProductDoc

    text = render_reference()
    assert (ROOT / "docs" / "reference.md").read_text(encoding="utf-8") == text, "run `pf schema export`"
    for name, info in ProductDoc.model_fields.items():
        assert f"| `{info.alias or name}` |" in text and info.description in text
    assert "| `round_down(x, step)` |" in text


def test_every_document_field_has_a_bilingual_description():
    import re

    from pydantic import BaseModel

    import engine.documents.caps
    import engine.documents.models
    import engine.documents.packs

    for module in (engine.documents.models, engine.documents.caps, engine.documents.packs):
        for model in vars(module).values():
            if isinstance(model, type) and issubclass(model, BaseModel) and model.__module__ == module.__name__:
                for name, info in model.model_fields.items():
                    assert info.description, f"{model.__name__}.{name} has no description"
                    assert re.search(r"[\u4e00-\u9fff]", info.description) or model.__name__ in ("ProductHeader",) or \
                        re.search(r"[\u4e00-\u9fff]", info.title or ""), f"{model.__name__}.{name} has no Chinese text"
