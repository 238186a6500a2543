"""Compiling a product whose document fails its schema, to find the problems the schema errors hide.

A document the schema rejects cannot be compiled as it stands, so an expression typo behind a misspelt
`action:` would only be reported once the first error is fixed. Here each value the schema rejects is
replaced by one it accepts (an unknown key is dropped, a value outside a fixed set of choices becomes the
first choice), the stand-in is compiled, and every problem it finds away from the replaced values is
returned. When a rejection has no obvious stand-in, nothing is returned: the schema errors stand alone.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from engine.compile.product import compile_product
from engine.core.errors import DocPath, Problem, ProductFactoryError
from engine.documents.loaded import LoadedProduct, LoadedRuleset
from engine.documents.models import DataDictionary, ProductDoc
from engine.documents.provenance import ResolvedDocument
from engine.documents.validation import data_path

_FIRST_CHOICE = re.compile(r"'([^']*)'")


def problems_behind_schema_errors(resolve: Callable[[], ResolvedDocument], rulesets: dict[str, LoadedRuleset],
                                  dictionary: DataDictionary, shared: dict[str, dict[str, Any]]) -> list[Problem]:
    """resolve gives the product's document after inheritance; when that fails too, there is nothing to compile."""
    try:
        document = resolve()
    except ProductFactoryError:
        return []
    data = copy.deepcopy(document.data)
    try:
        ProductDoc.model_validate(data)
        return []  # the document is valid: its own problems were reported by compiling it
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    replaced: list[DocPath] = []
    for error in errors:
        path = data_path(data, (), error["loc"])
        if not path or not _stand_in(data, path, dict(error)):
            return []
        replaced.append(path)
    try:
        doc = ProductDoc.model_validate(data)
        compile_product(LoadedProduct(doc, ResolvedDocument(document.file, data, document.origins)), rulesets, dictionary, shared)
    except ValidationError:
        return []
    except ProductFactoryError as exc:
        return [p for p in exc.problems if not any(p.doc_path[: len(r)] == r for r in replaced)]
    return []


def _stand_in(data: Any, path: DocPath, error: dict[str, Any]) -> bool:
    """Replace the rejected value at path in place; False when there is no obvious stand-in."""
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if error["type"] == "extra_forbidden" and isinstance(parent, dict):
        parent.pop(path[-1], None)
        return True
    if error["type"] in ("literal_error", "enum") and parent[path[-1]] == error.get("input") and (choice := _FIRST_CHOICE.search(str(error.get("ctx", {}).get("expected", "")))):
        parent[path[-1]] = choice.group(1)
        return True
    return False
