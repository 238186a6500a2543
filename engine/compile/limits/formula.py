"""formula: a cap that is one expression (the default kind), e.g. `params.max_amount` or `loan.amount`."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from engine.compile.ir import CompiledCap
from engine.compile.limits.common import CapOutcome, FindingTuple, Model, Record, inputs_of, yuan
from engine.compile.limits.registry import CapKind, register
from engine.expressions import CompiledExpression


class FormulaDetail(Model):
    kind: Literal["formula"] = "formula"
    expression: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    explanation: list[str]


@dataclass(frozen=True)
class FormulaWork:
    value: Any
    inputs: dict[str, Any]


@dataclass(frozen=True)
class FormulaModel:
    value: CompiledExpression
    label: str

    @property
    def fields(self) -> tuple[str, ...]:
        return self.value.fields

    def work(self, v: Record, value: Any) -> FormulaWork:
        """The figures behind the value the fused cap function computed from this same expression."""
        return FormulaWork(value, inputs_of(self.value.fields, v))

    def compute(self, v: Record, rate_bp: int | None) -> CapOutcome:
        value = self.value.function(v)
        return CapOutcome(value, [], value is None)

    def diagnose(self, v: Record) -> list[FindingTuple]:
        return []

    def explain(self, v: Record, value: Any, rate_bp: int | None) -> FormulaDetail:
        w = self.work(v, value)
        lines = [f"{self.label} = {self.value.text.strip()} = {yuan(w.value)}"]
        if w.inputs:
            lines.append("输入: " + ", ".join(f"{k}={'缺失' if val is None else val}" for k, val in w.inputs.items()))
        return FormulaDetail(expression=self.value.text.strip(), inputs=w.inputs, explanation=lines)


def compile_formula(c: Any, path: tuple, doc: Any, step: Decimal) -> CompiledCap | None:
    value = c.e(path + ("value",), doc.value, "number")
    return CompiledCap(doc.id, doc.label, value, doc.on_missing, "formula", FormulaModel(value, doc.label)) if value else None


KIND = register(CapKind("formula", compile_formula, FormulaModel, FormulaDetail, fused=True))
