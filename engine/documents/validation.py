"""Validating a located document with a pydantic model, reporting errors at file:line:col."""
from __future__ import annotations

import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engine.core.errors import DocPath, DocumentError, Problem, did_you_mean
from engine.documents.source import SourceDocument

M = TypeVar("M", bound=BaseModel)


def validate_document(doc: SourceDocument, model: type[M], path: DocPath = ()) -> M:
    data = doc.data
    for part in path:
        data = data[part]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DocumentError(problems_from_validation(doc, exc, model, path)) from None


def problems_from_validation(doc: SourceDocument, exc: ValidationError, model: type[BaseModel], prefix: DocPath = ()) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        path = data_path(doc.data, prefix, error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            known = _field_names_at(model, error["loc"])
            problems.append(doc.problem(path, f"unknown key {path[-1]!r}", did_you_mean(str(path[-1]), known), key=True))
        elif kind == "missing":
            problems.append(doc.problem(path[:-1], f"missing required key {error['loc'][-1]!r}"))
        elif kind == "union_tag_invalid":  # e.g. a limit cap whose `kind:` is misspelt
            ctx = error.get("ctx", {})
            expected = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
            problems.append(doc.problem(path + ("kind",), f"unknown kind {ctx.get('tag')!r}; expected one of {', '.join(expected)}",
                                        did_you_mean(str(ctx.get("tag")), expected)))
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            # pydantic names the model class ("instance of ParamGroupDoc"), which means nothing to an author.
            problems.append(doc.problem(path, f"expected a mapping of keys to values, got {_shape(error.get('input'))}"))
        elif kind == "list_type":
            problems.append(doc.problem(path, f"expected a list, got {_shape(error.get('input'))}"))
        else:
            message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
            value = error.get("input")
            if kind not in ("value_error", "assertion_error") and not isinstance(value, (dict, list)):
                message += f", got {value!r}"
            problems.append(doc.problem(path, message))
    return problems


def _shape(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing (null)"
    return f"{type(value).__name__.replace('str', 'text')} {value!r}"


def data_path(data: Any, prefix: DocPath, loc: tuple[Any, ...]) -> DocPath:
    """Map pydantic's loc (which includes union member tags) onto a path that exists in the data."""
    path = list(prefix)
    node = data
    for part in prefix:
        node = node[part]
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, dict) and isinstance(part, str) and (part in node or last):
            path.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
    return tuple(path)


def _field_names_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model allows where loc's last part was rejected (for a did-you-mean)."""
    models = [model]
    for part in loc[:-1]:
        following = [inner for m in models if part in m.model_fields for inner in _models_in(m.model_fields[part].annotation)]
        if following:
            models = following
    return sorted({name for m in models for name in m.model_fields})


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found
