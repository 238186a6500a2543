"""JSON Schemas for editors (yaml-language-server), generated from the pydantic models and the data
dictionary, so autocompletion and red squiggles follow the engine exactly."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from engine.documents.models import DataDictionary, ProductDoc, RulesetDoc
from engine.documents.packs import PackManifest, ParamGroupDoc
from engine.resolve.variants import LIST_SECTIONS, MERGED_SECTIONS

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
FILES = {
    "product": "product.schema.json",
    "ruleset": "ruleset.schema.json",
    "pack": "pack.schema.json",
    "params": "params.schema.json",
    "tests": "tests.schema.json",
    "applicant": "applicant.schema.json",
    "dictionary": "dictionary.schema.json",
}


def _model_schema(model: Any, title: str, description: str) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = SCHEMA_DRAFT
    schema["title"] = title
    schema["description"] = description
    return schema


def product_file_schema() -> dict[str, Any]:
    """A product file is a product, or a variant (`extends:`) whose sections may be partial or list edits."""
    base = ProductDoc.model_json_schema(by_alias=True)
    definitions = base.pop("$defs", {})
    variant = copy.deepcopy(base)
    variant["title"] = "Variant 变体产品"
    variant["description"] = "A product that extends another by code (CODE or CODE@VERSION) and changes parts of it."
    properties = variant["properties"]
    properties["extends"] = {"type": "string", "title": "Extends 继承", "description": "the parent product: code or code@version"}
    for section, id_key in LIST_SECTIONS.items():
        item = properties[section].get("items", {})
        edits = {
            "type": "object",
            "title": f"Edits of {section} 按 {id_key} 增删改",
            "additionalProperties": False,
            "properties": {
                "remove": {"type": "array", "items": {"type": "string"}, "description": f"{id_key}s of the parent's items to remove"},
                "replace": {"type": "array", "items": item, "description": f"items replacing the parent's items with the same {id_key}"},
                "add": {"type": "array", "items": item, "description": "new items"},
            },
        }
        properties[section] = {"anyOf": [properties[section], edits], "description": properties[section].get("description", "")}
    for section in MERGED_SECTIONS:
        if "$ref" in properties[section]:
            name = properties[section]["$ref"].rsplit("/", 1)[-1]
            partial = copy.deepcopy(definitions[name])
            partial.pop("required", None)
            definitions[f"{name}Partial"] = partial
            properties[section] = {"$ref": f"#/$defs/{name}Partial"}
    variant["required"] = ["code", "name", "version", "effective", "extends"]
    return {
        "$schema": SCHEMA_DRAFT,
        "title": "Loan product 贷款产品",
        "description": "A Product Factory loan product (docs/products.md), or a variant of one (docs/packs.md).",
        "anyOf": [{"$ref": "#/$defs/Product"}, {"$ref": "#/$defs/Variant"}],
        "$defs": {**definitions, "Product": {k: v for k, v in base.items() if k != "$schema"}, "Variant": variant},
    }


def applicant_schema(dictionary: DataDictionary) -> dict[str, Any]:
    """An applicant file: one object per data source, fields typed by the data dictionary."""
    kinds: dict[str, dict[str, Any]] = {"integer": {"type": "integer"}, "number": {"type": "number"}, "money": {"type": "number", "multipleOf": 0.01},
             "string": {"type": "string"}, "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"},
             "string_list": {"type": "array", "items": {"type": "string"}}}
    sources: dict[str, Any] = {}
    for name, source in dictionary.sources.items():
        fields: dict[str, Any] = {}
        for field_name, definition in source.fields.items():
            schema: dict[str, Any] = {"enum": list(definition.values or ())} if definition.type == "enum" else dict(kinds[definition.type])
            if definition.min is not None:
                schema["minimum"] = float(definition.min)
            if definition.max is not None:
                schema["maximum"] = float(definition.max)
            unit = f" ({definition.unit})" if definition.unit else ""
            schema["description"] = f"{definition.description}{unit}"
            fields[field_name] = {"anyOf": [schema, {"type": "null"}], "description": schema["description"]}
        sources[name] = {"type": "object", "description": source.description, "additionalProperties": False, "properties": fields}
    return {
        "$schema": SCHEMA_DRAFT,
        "title": "Applicant 申请人数据",
        "description": "Applicant data by data source, as schemas/dictionary.yaml defines it.",
        "type": "object",
        "additionalProperties": False,
        "properties": {"id": {"type": ["string", "integer"], "description": "申请编号 / applicant id"}, **sources},
    }


def build_schemas(dictionary: DataDictionary) -> dict[str, dict[str, Any]]:
    from engine.authoring.testing import TestFileDoc  # the test runner imports the evaluator; keep it out of the model layer

    return {
        FILES["product"]: product_file_schema(),
        FILES["ruleset"]: _model_schema(RulesetDoc, "Ruleset 规则集", "Reusable, parameterised rules (docs/products.md)."),
        FILES["pack"]: _model_schema(PackManifest, "Pack manifest 产品包清单", "pack.yaml of a product pack (docs/packs.md)."),
        FILES["params"]: _model_schema(ParamGroupDoc, "Parameter-centre group 参数中心", "Shared market and policy params (docs/packs.md)."),
        FILES["tests"]: _model_schema(TestFileDoc, "Product test cases 产品测试用例", "YAML test cases beside a product (engine/authoring/testing.py)."),
        FILES["applicant"]: applicant_schema(dictionary),
        FILES["dictionary"]: _model_schema(DataDictionary, "Data dictionary 数据字典", "Applicant fields by data source."),
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def export(dictionary: DataDictionary, folder: Path) -> list[Path]:
    """Write every schema; returns the files written (only those whose content changed)."""
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in build_schemas(dictionary).items():
        path = folder / name
        if _write_if_changed(path, render(schema)):
            written.append(path)
    return written


def export_catalog(catalog: Any, out: Path | None) -> list[str]:
    """`pf schema export`: the built-in pack's schemas (or all of them into out), an applicant schema for each
    pack that extends the data dictionary, and docs/reference.md; returns a line for each thing written."""
    from engine.authoring.reference import render_reference
    from engine.catalog import Catalog

    folder = out or catalog.root / "schemas"
    # The built-in pack's schemas describe the built-in dictionary; each pack gets its own applicant schema below.
    dictionary = catalog.dictionary if out is not None else Catalog(catalog.root).dictionary
    written = export(dictionary, folder)
    lines = [f"{len(build_schemas(dictionary))} schemas in {folder}; {len(written)} updated"]
    if out is not None:
        return lines
    for index, extra in enumerate(catalog.packs[1:], start=1):
        # A pack that extends the data dictionary gets an applicant schema of its own (its fields included).
        if (extra.root / "schemas" / "dictionary.yaml").exists():
            layered = Catalog(catalog.root, [p.root for p in catalog.packs[1:index + 1]])
            path = extra.root / "schemas" / FILES["applicant"]
            if _write_if_changed(path, render(applicant_schema(layered.dictionary))):
                lines.append(f"{path} updated")
    reference = catalog.root / "docs" / "reference.md"
    if reference.parent.is_dir() and _write_if_changed(reference, render_reference()):
        lines.append(f"{reference} updated")
    return lines


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
