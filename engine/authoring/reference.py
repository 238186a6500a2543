"""docs/reference.md, generated from the document models and the function library so it cannot drift."""
from __future__ import annotations

import typing
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from engine.documents.models import DataDictionary, Expression, ParamScalar, ParamValue, ProductDoc, RulesetDoc
from engine.documents.packs import PackManifest, ParamGroupDoc
from engine.expressions.functions import FUNCTIONS

_SCALARS = {str: "text", int: "whole number", Decimal: "number", bool: "true/false", date: "date (YYYY-MM-DD)", type(None): "null"}


def _type(annotation: Any) -> str:
    if annotation is Expression or annotation == Expression:
        return "expression"
    if annotation == ParamValue:
        return "param value (number, text, date, true/false, or a list or map of them)"
    if annotation == ParamScalar:
        return "number, text, date or true/false"
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation)]
    if origin is typing.Annotated:
        return _type(args[0])
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        if Expression in (annotation,) or set(typing.get_args(Expression)) <= set(args):
            rest = [a for a in args if a not in typing.get_args(Expression)]
            return " or ".join(["expression"] + [_type(a) for a in rest])
        return " or ".join(dict.fromkeys(_type(a) for a in args))
    if origin is list:
        return f"list of {_type(args[0])}" if args else "list"
    if origin is dict:
        return f"map of {_type(args[1])}" if len(args) == 2 else "map"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return _SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _nested(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _nested(a)]


def _models(roots: list[type[BaseModel]]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    queue = list(roots)
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            queue.extend(_nested(info.annotation))
    return seen


def render_reference() -> str:
    from engine.authoring.testing import TestFileDoc

    roots: list[type[BaseModel]] = [ProductDoc, RulesetDoc, PackManifest, ParamGroupDoc, TestFileDoc, DataDictionary]
    lines = [
        "# Format reference",
        "",
        "Generated from the document models (`engine/documents/models.py`, `engine/documents/caps.py`, `engine/documents/packs.py`,",
        "`engine/authoring/testing.py`) and the function library by `pf schema export`; a test keeps it up to date.",
        "Guides with worked examples: `docs/products.md`, `docs/packs.md`, `docs/expressions.md`.",
        "",
        "Top-level documents: [ProductDoc](#productdoc) (`products/*.yaml`), [RulesetDoc](#rulesetdoc) (`rulesets/*.yaml`),",
        "[PackManifest](#packmanifest) (`pack.yaml`), [ParamGroupDoc](#paramgroupdoc) (`params/*.yaml`),",
        "[TestFileDoc](#testfiledoc) (`products/*.tests.yaml`), [DataDictionary](#datadictionary) (`schemas/dictionary.yaml`).",
    ]
    for model in _models(roots):
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        lines += ["", f"## {model.__name__}", ""]
        if doc:
            lines += [doc, ""]
        lines += ["| key | type | required | title | description |", "|---|---|---|---|---|"]
        for name, info in model.model_fields.items():
            key = info.alias or name
            required = "yes" if info.is_required() else "no"
            description = (info.description or "").replace("|", "\\|")
            lines.append(f"| `{key}` | {_type(info.annotation)} | {required} | {info.title or ''} | {description} |")
    lines += ["", "## Expression functions", "", "| function | meaning |", "|---|---|"]
    lines += [f"| `{spec.signature}` | {spec.doc} |" for spec in FUNCTIONS.values()]
    return "\n".join(lines) + "\n"
