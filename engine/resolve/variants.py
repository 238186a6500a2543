"""Applying a variant (`extends:`) to its resolved parent, at the level of the YAML data.

  params, pricing, terms, drawdown  merged key by key (`key: null` removes an inherited key)
  eligibility, risk_controls,       a full list replaces the parent's; or edits by id:
  tables, repayment_methods           {remove: [ids], replace: [items], add: [items]}
  everything else (limit included)  replaced whole
The result is validated as an ordinary product afterwards, and every part keeps its origin.
"""
from __future__ import annotations

import copy
from typing import Any

from engine.core.errors import DocPath, Problem, did_you_mean
from engine.documents.provenance import Origin, ResolvedDocument
from engine.documents.source import SourceDocument

LIST_SECTIONS = {"eligibility": "id", "risk_controls": "id", "tables": "id", "repayment_methods": "method"}
MERGED_SECTIONS = ("params", "pricing", "terms", "drawdown")
EDIT_OPERATIONS = ("remove", "replace", "add")
VARIANT_KEYS = ("extends",)


def apply_variant(parent: ResolvedDocument, variant: SourceDocument) -> tuple[ResolvedDocument, list[Problem]]:
    data: dict[str, Any] = copy.deepcopy(parent.data)
    data.pop("tests", None)  # a parent's test cases test the parent; a variant brings its own
    origins = dict(parent.origins)
    problems: list[Problem] = []
    for key, value in variant.data.items():
        if key in VARIANT_KEYS:
            continue
        path: DocPath = (key,)
        if key in LIST_SECTIONS and isinstance(value, dict):
            _edit_list(data, origins, parent, variant, key, value, problems)
        elif key in MERGED_SECTIONS and isinstance(value, dict) and isinstance(data.get(key), dict):
            for name, item in value.items():
                _forget(origins, path + (name,))
                if item is None:  # `name: null` removes an inherited key (e.g. a param the variant no longer uses)
                    if name not in data[key]:
                        problems.append(variant.problem(path + (name,), f"cannot remove {key}.{name}: the parent has no such key",
                                                        did_you_mean(str(name), data[key]), key=True))
                    data[key].pop(name, None)
                    continue
                data[key][name] = copy.deepcopy(item)
                origins[path + (name,)] = Origin(variant, path + (name,))
        else:
            _forget(origins, path)
            data[key] = copy.deepcopy(value)
            origins[path] = Origin(variant, path)
    return ResolvedDocument(variant.file, data, origins), problems


def _forget(origins: dict[DocPath, Origin], prefix: DocPath) -> None:
    for path in [p for p in origins if p[: len(prefix)] == prefix]:
        del origins[path]


def _edit_list(
    data: dict[str, Any],
    origins: dict[DocPath, Origin],
    parent: ResolvedDocument,
    variant: SourceDocument,
    key: str,
    edits: dict[str, Any],
    problems: list[Problem],
) -> None:
    id_key = LIST_SECTIONS[key]
    for op in edits:
        if op not in EDIT_OPERATIONS:
            problems.append(variant.problem((key, op), f"unknown list edit {op!r} (expected remove, replace or add)",
                                            did_you_mean(str(op), EDIT_OPERATIONS), key=True))
    items = data.get(key) or []
    # Pin each inherited item to its origin before indices shift.
    entries: list[tuple[Any, tuple[SourceDocument, DocPath]]] = [(item, parent.origin((key, i))) for i, item in enumerate(items)]

    def index_of(item_id: Any) -> int | None:
        return next((i for i, (item, _) in enumerate(entries) if isinstance(item, dict) and item.get(id_key) == item_id), None)

    known = [item.get(id_key) for item, _ in entries if isinstance(item, dict)]
    for j, item_id in enumerate(_as_list(edits.get("remove"))):
        index = index_of(item_id)
        if index is None:
            problems.append(variant.problem((key, "remove", j), f"cannot remove {item_id!r}: the parent has no such {id_key}",
                                            did_you_mean(str(item_id), map(str, known))))
        else:
            del entries[index]
    for j, item in enumerate(_as_list(edits.get("replace"))):
        item_id = item.get(id_key) if isinstance(item, dict) else None
        index = index_of(item_id)
        if index is None:
            problems.append(variant.problem((key, "replace", j), f"cannot replace {item_id!r}: the parent has no such {id_key}",
                                            did_you_mean(str(item_id), map(str, known))))
        else:
            entries[index] = (copy.deepcopy(item), (variant, (key, "replace", j)))
    for j, item in enumerate(_as_list(edits.get("add"))):
        item_id = item.get(id_key) if isinstance(item, dict) else None
        if index_of(item_id) is not None:
            problems.append(variant.problem((key, "add", j), f"cannot add {item_id!r}: the parent already has it (use replace)"))
        else:
            entries.append((copy.deepcopy(item), (variant, (key, "add", j))))
    _forget(origins, (key,))
    origins[(key,)] = Origin(variant, (key,))
    data[key] = [item for item, _ in entries]
    for i, (_, (doc, path)) in enumerate(entries):
        origins[(key, i)] = Origin(doc, path)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
