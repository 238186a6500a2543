"""Scorecards (评分卡): the industry's points card, compiled and evaluated.

score = base points + for each variable the points of the bin its value falls in. Numeric bins are
half-open intervals [from, below); categorical bins are sets of values; a `missing` bin scores a
missing value and an `other` bin every value no other bin takes. A variable with no bin for its
value (missing with no `missing` bin) makes the score unknown: the product refers the case, and
everything reading the score or the grade is unknown too. Missing data never scores silently.

The grade is the first band (highest first) whose min_score the score reaches. Reason codes name
the variables that cost the most points (the most the variable could give minus what it gave).
Scorecards read only data fields and params; they run before tables and rules, which may read
`scores.<id>.score` and `scores.<id>.grade` (checked statically: the grade is an enum of the bands).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Callable

from engine.compile.limit_details import ReasonCode, ScorecardResult, ScoreVariableResult
from engine.core.errors import did_you_mean
from engine.core.money import round_half_up
from engine.core.values import json_value
from engine.documents.caps import BinDoc, ScorecardDoc
from engine.expressions import CompiledExpression
from engine.expressions.compiler import fuse_values
from engine.expressions.types import NUMBER, Type

Record = dict[str, Any]
Scored = tuple[Any, str]  # (points, bin label)


@dataclass(frozen=True, slots=True)
class CompiledVariable:
    id: str
    label: str
    value: CompiledExpression
    ranges: tuple[tuple[Any, Any, Any, str], ...]  # (from or None, below or None, points, label)
    lookup: dict[Any, Scored]  # categorical value -> (points, label)
    missing: Scored | None
    other: Scored | None
    max_points: Any
    reason_code: str

    def score(self, x: Any) -> Scored | None:
        """(points, bin label) for a value, or None when no bin takes it."""
        if x is None:
            return self.missing
        hit = self.lookup.get(x) if self.lookup else None
        if hit is not None:
            return hit
        for low, below, points, label in self.ranges:
            if (low is None or x >= low) and (below is None or x < below):
                return points, label
        return self.other


@dataclass(frozen=True, slots=True)
class CompiledScorecard:
    id: str
    name: str
    base_points: Any
    variables: tuple[CompiledVariable, ...]
    bands: tuple[tuple[str, Any], ...]  # (grade, min_score or None), highest first
    reason_count: int
    values: Callable[[Record], tuple[Any, ...]]  # every variable's value in one generated function
    fields: tuple[str, ...]
    score_key: str
    grade_key: str

    def run(self, v: Record) -> list[CompiledVariable]:
        """Score the record, writing scores.<id>.score and .grade; returns the variables that could not be scored."""
        total = self.base_points
        unscored = []
        for variable, x in zip(self.variables, self.values(v)):
            hit = variable.score(x)
            if hit is None:
                unscored.append(variable)
            else:
                total += hit[0]
        if unscored:
            return unscored
        v[self.score_key] = total
        v[self.grade_key] = self.grade(total)
        return unscored

    def grade(self, score: Any) -> str:
        for grade, minimum in self.bands:
            if minimum is None or score >= minimum:
                return grade
        raise AssertionError("the last band takes every score")  # pragma: no cover - the model guarantees it

    def explain(self, v: Record) -> ScorecardResult:
        rows: list[ScoreVariableResult] = []
        lost: list[tuple[Any, int, CompiledVariable]] = []
        for index, (variable, x) in enumerate(zip(self.variables, self.values(v))):
            hit = variable.score(x)
            points, label = hit if hit is not None else (None, None)
            cost = None if points is None else variable.max_points - points
            rows.append(ScoreVariableResult(id=variable.id, label=variable.label, value=json_value(_shown(x)), bin=label,
                                            points=points, max_points=variable.max_points, lost=cost))
            if cost:
                lost.append((cost, index, variable))
        lost.sort(key=lambda item: (-item[0], item[1]))  # most points lost first; ties in declaration order
        reasons = [ReasonCode(code=var.reason_code, variable=var.id, label=var.label, lost=cost)
                   for cost, _, var in lost[: self.reason_count]]
        return ScorecardResult(id=self.id, name=self.name, base_points=self.base_points,
                               score=v.get(self.score_key), grade=v.get(self.grade_key), variables=rows, reason_codes=reasons)


def _shown(x: Any) -> Any:
    """A computed ratio (1/3 has 28 digits) is shown to 6 decimals, rounded half up; data values as they are."""
    if isinstance(x, Decimal) and x.as_tuple().exponent < -6:  # type: ignore[operator]
        return round_half_up(x, 6)
    return x


def compile_scorecard(c: Any, index: int) -> CompiledScorecard | None:
    """Compile scorecards[index] with the product compiler `c` (its scope, problems and expression compiler)."""
    doc: ScorecardDoc = c.doc.scorecards[index]
    path = ("scorecards", index)
    if doc.id in c.scope.scores:
        c.problems.add(c.source.problem(path + ("id",), f"duplicate scorecard id {doc.id!r}"))
        return None
    before = len(c.problems.problems)
    variables = []
    for j, variable in enumerate(doc.variables):
        compiled = _variable(c, path + ("variables", j), variable)
        if compiled is not None:
            variables.append(compiled)
    grades = [band.grade for band in doc.grades]
    # Registered even when broken, so later uses are checked instead of cascading errors.
    c.scope.scores[doc.id] = {"score": NUMBER, "grade": Type("string", values=frozenset(grades))}
    if len(c.problems.problems) > before:
        return None
    fields = tuple(dict.fromkeys(f for var in variables for f in var.value.fields))
    return CompiledScorecard(
        doc.id, doc.name, doc.base_points, tuple(variables),
        tuple((band.grade, band.min_score) for band in doc.grades), doc.reason_codes,
        fuse_values([var.value for var in variables]), fields, f"scores.{doc.id}.score", f"scores.{doc.id}.grade",
    )


_KIND_OF_VALUE = {bool: "boolean", int: "number", Decimal: "number", str: "string"}


def _variable(c: Any, path: tuple, doc: Any) -> CompiledVariable | None:
    value = c.e(path + ("value",), doc.value, None)
    if value is None:
        return None
    value_type = value.node.type
    if value_type.kind not in ("number", "string", "boolean"):
        c.problems.add(c.source.problem(path + ("value",), f"a scorecard variable must be a number, text or "
                                        f"true/false, got {value_type} (score a date with years_since(...) or months_since(...))"))
        return None
    ranges: list[tuple[Any, Any, Any, str]] = []
    lookup: dict[Any, Scored] = {}
    missing = other = None
    ok = True
    for k, bin_doc in enumerate(doc.bins):
        where = path + ("bins", k)
        scored = (bin_doc.points, bin_doc.describe())
        if bin_doc.missing or bin_doc.other:
            if (missing if bin_doc.missing else other) is not None:
                c.problems.add(c.source.problem(where, f"a second {'missing' if bin_doc.missing else 'other'} bin"))
                ok = False
            elif bin_doc.missing:
                missing = scored
            else:
                other = scored
        elif bin_doc.values is not None:
            ok = _values_bin(c, where, bin_doc, value_type, lookup, scored) and ok
        else:
            if value_type.kind != "number":
                c.problems.add(c.source.problem(where, f"an interval bin needs a number, but the variable is {value_type}"))
                ok = False
                continue
            clash = next((r for r in ranges if _overlap(r[0], r[1], bin_doc.from_, bin_doc.below)), None)
            if clash is not None:
                c.problems.add(replace(c.source.problem(where, f"interval {scored[1]} overlaps interval {clash[3]}: "
                                                        "a value would fall in two bins"), code="PF401"))
                ok = False
            ranges.append((bin_doc.from_, bin_doc.below, bin_doc.points, scored[1]))
    for item, (_, label) in lookup.items():  # a number listed as a value must not also fall in an interval
        clash = next((r for r in ranges if value_type.kind == "number" and (r[0] is None or item >= r[0])
                      and (r[1] is None or item < r[1])), None)
        if clash is not None:
            c.problems.add(replace(c.source.problem(path + ("bins",), f"{item!r} is in bin {label} and in interval {clash[3]}"),
                                   code="PF401"))
            ok = False
    if not ok:
        return None
    points = [b.points for b in doc.bins]
    return CompiledVariable(doc.id, doc.label, value, tuple(ranges), lookup, missing, other, max(points),
                            doc.reason_code or doc.id.upper())


def _values_bin(c: Any, where: tuple, bin_doc: BinDoc, value_type: Type, lookup: dict[Any, Scored], scored: Scored) -> bool:
    ok = True
    for m, item in enumerate(bin_doc.values or ()):
        kind = _KIND_OF_VALUE.get(type(item))
        if kind != value_type.kind:
            c.problems.add(c.source.problem(where + ("values", m), f"{item!r} is not a possible value of a {value_type} variable"))
            ok = False
        elif value_type.values is not None and item not in value_type.values:
            c.problems.add(c.source.problem(where + ("values", m), f"{item!r} is not a possible value ({value_type})",
                                            did_you_mean(str(item), value_type.values)))
            ok = False
        elif item in lookup:
            c.problems.add(replace(c.source.problem(where + ("values", m), f"{item!r} is already in bin {lookup[item][1]}"),
                                   code="PF401"))
            ok = False
        else:
            lookup[item] = scored
    return ok


def _overlap(a_from: Any, a_below: Any, b_from: Any, b_below: Any) -> bool:
    """Whether two half-open intervals [from, below) (None: unbounded) share a value."""
    starts_before_b_ends = a_from is None or b_below is None or a_from < b_below
    b_starts_before_a_ends = b_from is None or a_below is None or b_from < a_below
    return starts_before_b_ends and b_starts_before_a_ends
