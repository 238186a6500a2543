"""scorecard: a base amount x a multiplier by the grade of one of the product's points scorecards.

One expression (base * multipliers[scores.<card>.grade]), so it joins the fused cap function; an
unknown score makes the grade, and so the cap, unknown (the scorecard reports SCORE_UNKNOWN_<ID>).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from engine.compile.ir import CompiledCap
from engine.compile.limits.common import (
    CapOutcome,
    FindingTuple,
    Model,
    Money,
    Points,
    Record,
    fields_of,
    number,
    number_map,
    yuan,
)
from engine.compile.limits.registry import CapKind, register
from engine.core.errors import did_you_mean
from engine.documents.caps import ScorecardCapDoc, text
from engine.expressions import CompiledExpression, compile_expression, nodes as n
from engine.expressions.types import NUMBER


class ScorecardCapDetail(Model):
    kind: Literal["scorecard"] = "scorecard"
    card: str
    score: Points | None
    grade: str | None
    base: Money | None
    multiplier: Decimal | None
    multipliers: dict[str, Decimal]
    explanation: list[str]


@dataclass(frozen=True)
class ScorecardCapWork:
    base: Any
    score: Any
    grade: Any
    multiplier: Any


@dataclass(frozen=True)
class ScorecardCapModel:
    label: str
    card: str
    base: CompiledExpression
    multipliers: dict[str, Any]
    value: CompiledExpression  # base * multipliers[scores.<card>.grade]: the cap's fused expression

    @property
    def fields(self) -> tuple[str, ...]:
        return fields_of(self.base) + (f"scores.{self.card}.score", f"scores.{self.card}.grade")

    def work(self, v: Record) -> ScorecardCapWork:
        grade = v.get(f"scores.{self.card}.grade")
        return ScorecardCapWork(self.base.function(v), v.get(f"scores.{self.card}.score"), grade,
                                self.multipliers.get(grade) if grade is not None else None)

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        value = self.value.function(v)
        return CapOutcome(value, [], value is None)

    def diagnose(self, v: Record) -> list[FindingTuple]:
        return []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> ScorecardCapDetail:
        w = self.work(v)
        lines = [f"评分卡{self.card}: 得分 {'缺失' if w.score is None else number(w.score)},等级 {w.grade or '缺失'}",
                 f"基数 {self.base.text.strip()} = {yuan(w.base)};等级倍数 {number(w.multiplier)}",
                 f"{self.label} = {yuan(w.base)} × {number(w.multiplier)} = {yuan(value)}"]
        return ScorecardCapDetail(card=self.card, score=w.score, grade=w.grade, base=w.base, multiplier=w.multiplier,
                                  multipliers=self.multipliers, explanation=lines)


def compile_scorecard_cap(c: Any, path: tuple, doc: ScorecardCapDoc, step: Decimal) -> CompiledCap | None:
    if doc.card not in c.scope.scores:
        c.problems.add(c.source.problem(path + ("card",), f"unknown scorecard {doc.card!r}",
                                        did_you_mean(doc.card, c.scope.scores) or "declare it under scorecards:"))
        return None
    base = c.e(path + ("base",), doc.base, "number")
    grade_type = c.scope.scores[doc.card]["grade"]
    multipliers = number_map(c, path + ("multipliers",), doc.multipliers, grade_type.values, every_key=True)
    if base is None or multipliers is None:
        return None
    grade = n.FieldRef(grade_type, True, f"scores.{doc.card}.grade")
    node = n.Arith(NUMBER, True, "*", base.node, n.Lookup(NUMBER, True, multipliers, grade))
    value = compile_expression(f"{text(doc.base)} * multipliers[scores.{doc.card}.grade]", node)
    model = ScorecardCapModel(doc.label, doc.card, base, multipliers, value)
    return CompiledCap(doc.id, doc.label, value, doc.on_missing, doc.kind, model)


KIND = register(CapKind("scorecard", compile_scorecard_cap, ScorecardCapModel, ScorecardCapDetail, fused=True))
