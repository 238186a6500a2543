"""tax_based: annual tax paid (or taxable revenue) x a multiplier looked up by tax credit grade.

One expression (basis * multipliers[grade]), so it joins the fused cap function. A grade without a
multiplier is the product's decision (decline or refer, `unlisted_grade`), not missing data: the
model reports it with its own reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from engine.compile.ir import CompiledCap
from engine.compile.limits.common import (
    CapOutcome,
    Check,
    FindingTuple,
    Model,
    Money,
    Record,
    fields_of,
    number,
    number_map,
    reason,
    yuan,
)
from engine.compile.limits.registry import CapKind, register
from engine.documents.caps import TaxBasedCapDoc, text
from engine.expressions import CompiledExpression, compile_expression, nodes as n
from engine.expressions.types import NUMBER


class TaxBasedDetail(Model):
    kind: Literal["tax_based"] = "tax_based"
    basis_expression: str
    basis: Money | None
    grade: str | None
    multiplier: Decimal | None
    multipliers: dict[str, Decimal]
    explanation: list[str]


@dataclass(frozen=True)
class TaxBasedWork:
    basis: Any
    grade: Any
    multiplier: Any  # None when the grade is missing or has no multiplier

    @property
    def unlisted(self) -> bool:
        return self.grade is not None and self.multiplier is None


@dataclass(frozen=True)
class TaxBasedModel:
    cap_id: str
    label: str
    basis: CompiledExpression
    grade: CompiledExpression
    multipliers: dict[str, Any]
    no_multiplier: Check
    value: CompiledExpression  # basis * multipliers[grade]: the cap's fused expression

    @property
    def fields(self) -> tuple[str, ...]:
        return fields_of(self.basis, self.grade)

    def work(self, v: Record) -> TaxBasedWork:
        grade = self.grade.function(v)
        return TaxBasedWork(self.basis.function(v), grade, self.multipliers.get(str(grade)) if grade is not None else None)

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        value = self.value.function(v)
        own = self.diagnose(v) if value is None else []
        return CapOutcome(value, own, value is None and not own)

    def diagnose(self, v: Record) -> list[FindingTuple]:
        """Why the value is unknown: a grade without a multiplier is the product's decision, not missing data."""
        return [(self.no_multiplier, False)] if self.work(v).unlisted else []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> TaxBasedDetail:
        w = self.work(v)
        lines = [f"计算基数 {self.basis.text.strip()} = {yuan(w.basis)}",
                 f"等级 {self.grade.text.strip()} = {w.grade if w.grade is not None else '缺失'}"]
        if w.unlisted:
            lines.append(f"等级{w.grade}没有额度倍数(有倍数的等级:{'、'.join(self.multipliers)})")
        else:
            lines.append(f"倍数 {number(w.multiplier)};{self.label} = {yuan(w.basis)} × {number(w.multiplier)} = {yuan(value)}")
        return TaxBasedDetail(basis_expression=self.basis.text.strip(), basis=w.basis, grade=w.grade, multiplier=w.multiplier,
                              multipliers=self.multipliers, explanation=lines)


def compile_tax_based(c: Any, path: tuple, doc: TaxBasedCapDoc, step: Decimal) -> CompiledCap | None:
    basis = c.e(path + ("basis",), doc.basis, "number")
    grade = c.e(path + ("grade",), doc.grade, None)
    if basis is None or grade is None:
        return None
    if grade.node.type.kind not in ("string", "number"):
        c.problems.add(c.source.problem(path + ("grade",), f"a grade must be text or a number, got {grade.node.type}"))
        return None
    multipliers = number_map(c, path + ("multipliers",), doc.multipliers, grade.node.type.values, every_key=False)
    if multipliers is None:
        return None
    node = n.Arith(NUMBER, True, "*", basis.node, n.Lookup(NUMBER, True, multipliers, grade.node))
    value = compile_expression(f"{text(doc.basis)} * multipliers[{text(doc.grade)}]", node)
    unlisted = reason(f"{doc.id.upper()}_NO_MULTIPLIER", doc.unlisted_grade,
                      f"等级{{{text(doc.grade)}}}没有额度倍数(有倍数的等级:{'、'.join(multipliers)}),不能按“{doc.label}”授信",
                      c, path + ("grade",), grade.fields)
    model = TaxBasedModel(doc.id, doc.label, basis, grade, multipliers, unlisted, value)
    return CompiledCap(doc.id, doc.label, value, doc.on_missing, doc.kind, model)


KIND = register(CapKind("tax_based", compile_tax_based, TaxBasedModel, TaxBasedDetail, fused=True, own_findings=True))
