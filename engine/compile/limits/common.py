"""What every cap kind shares: the outcome of a computation, built-in reasons, the detail base model,
the formatting of figures in explanations, and compile helpers.

Missing data keeps its meaning everywhere: a figure that cannot be computed makes the cap unknown
(refer, unless the cap says `on_missing: skip`), and an adjustment whose condition is unknown is
applied only when it lowers the limit, never when it raises it.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple, Union

from pydantic import BaseModel, ConfigDict

from engine.compile.ir import Check
from engine.compile.reasons import cap_reason
from engine.core.errors import did_you_mean
from engine.core.money import (
    Money as Money,  # re-exported: every detail model uses the one Money type
    format_money_grouped,
)
from engine.core.values import json_value
from engine.documents.caps import NumberMap
from engine.expressions import CompiledExpression, nodes as n

Record = dict[str, Any]
FindingTuple = tuple[Any, Any]

Points = Union[int, Decimal]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class CapOutcome(NamedTuple):
    """What a cap computed: its value, its own findings, and whether data was missing."""

    value: Any
    findings: list[FindingTuple]
    missing: bool  # value is None for lack of data: the cap's on_missing decides (refer or skip)


def yuan(value: Any) -> str:
    return "缺失" if value is None else f"{format_money_grouped(value)}元"


def percent(value: Any) -> str:
    if value is None:
        return "缺失"
    return f"{(Decimal(value) * 100).normalize():f}%"


def number(value: Any) -> str:
    return "缺失" if value is None else f"{Decimal(value).normalize():f}"


def inputs_of(fields: tuple[str, ...], v: Record) -> dict[str, Any]:
    return {f: json_value(v.get(f)) for f in fields}


def fields_of(*expressions: CompiledExpression | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for e in expressions if e is not None for f in e.fields))


def adjust(applies: Any, amount: Any, lowers: bool) -> str:
    """How a conditional adjustment (uplift, factor) is treated: applied only when its condition holds,
    or when the condition is unknown and the adjustment lowers the limit (the stricter reading)."""
    if applies is False:
        return "not_applicable"
    if applies is True:
        return "applied"
    return "applied_unknown" if lowers else "not_applied_unknown"


APPLIED = ("applied", "applied_unknown")


def reason(code: str, action: str, template: str, c: Any, path: tuple, inputs: tuple[str, ...]) -> Check:
    return cap_reason(code, action, c.x.message(c.source, path, template, c.scope), inputs, path, c.source.file)


def number_map(c: Any, path: tuple, value: NumberMap, keys: frozenset[str] | None, every_key: bool) -> dict[str, Any] | None:
    """A literal map or a map param, as {key: number}; keys checked against the values they are looked up by."""
    if isinstance(value, str):
        compiled = c.e(path, value, None)
        if compiled is None:
            return None
        node = compiled.node
        if not (isinstance(node, n.Const) and isinstance(node.value, dict)):
            c.problems.add(c.source.problem(path, f"{value!r} is not a map: write {{A: 10, B: 6}} or name a map param, "
                                            "e.g. params.tax_multiplier"))
            return None
        mapping = {str(k): v for k, v in node.value.items()}
    else:
        mapping = {str(k): v for k, v in value.items()}
    ok = True
    for key, number_value in mapping.items():
        if isinstance(number_value, bool) or not isinstance(number_value, (int, Decimal)):
            c.problems.add(c.source.problem(path, f"multiplier for {key!r} must be a number, got {number_value!r}"))
            ok = False
        if keys is not None and key not in keys:
            c.problems.add(c.source.problem(path if isinstance(value, str) else path + (key,),
                                            f"{key!r} is not a possible value (one of {', '.join(sorted(keys))})",
                                            did_you_mean(key, keys), key=not isinstance(value, str)))
            ok = False
    if every_key and keys is not None and ok:
        absent = sorted(keys - set(mapping))
        if absent:
            c.problems.add(c.source.problem(path, f"no multiplier for {', '.join(absent)}: list every grade"))
            ok = False
    return mapping if ok else None


def unique_ids(c: Any, path: tuple, key: str, items: list[Any]) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            c.problems.add(c.source.problem(path + (key, i, "id"), f"duplicate {key[:-1]} id {item.id!r}"))
        seen.add(item.id)
