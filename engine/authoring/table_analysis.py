"""Static analysis of decision tables: gaps (PF301), overlapping rows under 'unique' (PF302) and rows that can
never be the first match (PF303), found by evaluating the rows over representative input values."""
from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Sequence

from engine.authoring.conditions import Atom, atom_holds, warning
from engine.compile.ir import CompiledTable
from engine.core.errors import Problem
from engine.documents.models import DataDictionary, FieldDef
from engine.expressions import nodes as n

MAX_COMBINATIONS = 20_000


def _representatives(column: list[n.Node], definition: FieldDef | None) -> list[Any] | None:
    if definition is None:
        return None
    if definition.type == "enum":
        return list(definition.values or ())
    if definition.type == "boolean":
        return [True, False]
    constants = sorted({c for node in column for c in _constants(node)
                        if isinstance(c, (int, Decimal)) and not isinstance(c, bool)})
    if definition.type in ("integer", "number", "money"):
        points: list[Any] = []
        low = definition.min
        for c in constants:
            points.append(c)
        if not constants:
            return [definition.min if definition.min is not None else Decimal(0)]
        candidates = set(points)
        candidates.add(constants[0] - 1)
        candidates.add(constants[-1] + 1)
        for a, b in zip(constants, constants[1:]):
            candidates.add((Decimal(a) + Decimal(b)) / 2)
        values = sorted(v for v in candidates if (low is None or v >= low) and (definition.max is None or v <= definition.max))
        if definition.type == "integer":
            values = sorted({int(v) for v in values if v == int(v)} | {int(v) + 1 for v in values if v != int(v)})
        return values
    if definition.type == "string":
        literals = sorted({c for node in column for c in _constants(node) if isinstance(c, str)})
        return literals + ["\u0000other"]
    return None


def _constants(node: n.Node) -> Iterable[Any]:
    if isinstance(node, n.Const):
        if isinstance(node.value, (frozenset, tuple)):
            yield from node.value
        else:
            yield node.value
    for child in node.children():
        yield from _constants(child)


def analyse_table(table: CompiledTable, inputs: list[n.Node], source: Any, path: tuple[Any, ...],
                  dictionary: DataDictionary, today: date, constraints: Sequence[Atom] = ()) -> list[Problem]:
    """Gaps, overlaps (unique) and unreachable rows (first), over representative input values.
    constraints: what holds whenever the table is evaluated (hard rules, for tables read after them)."""
    if not all(isinstance(i, n.FieldRef) and "." in i.path and not i.path.startswith("tables.") for i in inputs):
        return []  # computed inputs: not analysed
    fields = [i.path for i in inputs]  # type: ignore[attr-defined]
    condition_nodes = [row.condition.node for row in table.rows]
    domains = [_representatives(condition_nodes, dictionary.field(f)) for f in fields]
    domains = [None if d is None else [v for v in d if all(atom_holds(a, v) for a in constraints if a.field == f)]
               for f, d in zip(fields, domains)]
    if any(d is None for d in domains) or _product_size(domains) > MAX_COMBINATIONS:  # type: ignore[arg-type]
        return []
    problems: list[Problem] = []
    gaps: list[tuple[Any, ...]] = []
    overlaps: dict[tuple[int, ...], str] = {}
    first_hits: set[int] = set()
    for combination in itertools.product(*domains):  # type: ignore[arg-type]
        record = dict(zip(fields, combination))
        record["$date"] = today
        hits = [row.index for row in table.rows if row.condition.function(record) is True]
        if not hits:
            gaps.append(combination)
        else:
            first_hits.add(hits[0])
            if table.hit_policy == "unique" and len(hits) > 1:
                overlaps.setdefault(tuple(hits), _describe(fields, combination))
    if gaps:
        summary = _summarise_gaps(fields, gaps, domains)  # type: ignore[arg-type]
        outcome = "the default outputs apply" if table.default is not None else \
            f"the case is {'declined' if table.no_match_action == 'decline' else 'referred'} by no_match"
        problems.append(warning(source.problem(path + ("rows",), f"table {table.id} has a gap: no row matches {summary}",
                                               f"{outcome}; add a row or a catch-all row"), "PF301"))
    for rows, example in overlaps.items():
        problems.append(replace(source.problem(path + ("rows", rows[1]), f"table {table.id} rows {', '.join(map(str, rows))} "
                                               f"all match {example} under hit policy 'unique'",
                                               "make the rows exclusive or use hit_policy: first"), code="PF302"))
    if table.hit_policy == "first":
        for row in table.rows:
            if row.index not in first_hits:
                problems.append(warning(source.problem(path + ("rows", row.index), f"row {row.index} of table {table.id} "
                                                       "can never be the first match: earlier rows cover every value it matches",
                                                       "remove it or move it up"), "PF303"))
    return problems


def _summarise_gaps(fields: list[str], gaps: list[tuple[Any, ...]], domains: list[list[Any]]) -> str:
    """'tax.grade=C (any tax.paid_12m)' where one value of the first input misses every row; else examples."""
    parts = []
    rest = list(gaps)
    if len(fields) > 1:
        others = _product_size(domains[1:])
        for value in domains[0]:
            matching = [g for g in rest if g[0] == value]
            if len(matching) == others:
                parts.append(_describe(fields[:1], (value,)) + f" (any {', '.join(fields[1:])})")
                rest = [g for g in rest if g[0] != value]
    parts += [_describe(fields, g) for g in rest[:3]]
    more = f" and {len(rest) - 3} more" if len(rest) > 3 else ""
    return "; ".join(parts) + more


def _product_size(domains: list[list[Any]]) -> int:
    size = 1
    for d in domains:
        size *= max(len(d), 1)
    return size


def _describe(fields: list[str], values: tuple[Any, ...]) -> str:
    shown = ["other" if v == "\u0000other" else str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return ", ".join(f"{f}={v}" for f, v in zip(fields, shown))
