"""How a limit cap and a scorecard explain themselves in the Decision (part of the JSON contract).

Each cap carries a `detail` whose `kind` names the limit model; every detail has the structured
figures and `explanation`, the same story in lines a credit officer reads (Chinese). Money is a
string with two decimals, ratios and multipliers exact decimal strings, rates integer basis points.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from engine.core.money import Money
Points = Union[int, Decimal]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class FormulaDetail(Model):
    kind: Literal["formula"] = "formula"
    expression: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    explanation: list[str]


class TaxBasedDetail(Model):
    kind: Literal["tax_based"] = "tax_based"
    basis_expression: str
    basis: Money | None
    grade: str | None
    multiplier: Decimal | None
    multipliers: dict[str, Decimal]
    explanation: list[str]


class UpliftResult(Model):
    id: str
    label: str
    uplift: Decimal | None
    outcome: Literal["applied", "not_applicable", "not_applied_unknown", "applied_unknown"] = Field(
        description="not_applied_unknown: data missing, a raise is never granted on missing data; "
                    "applied_unknown: data missing, a cut is applied (the stricter reading)")
    inputs: dict[str, Any] = Field(default_factory=dict)


class DeductionResult(Model):
    id: str
    label: str
    amount: Money | None


class CollateralDetail(Model):
    kind: Literal["collateral"] = "collateral"
    valuation: Money | None
    ltv: Decimal | None = Field(description="the ratio looked up (by property type, region ...)")
    ltv_inputs: dict[str, Any] = Field(default_factory=dict, description="the data that chose the ratio")
    uplifts: list[UpliftResult]
    max_ltv: Decimal | None
    effective_ltv: Decimal | None
    gross: Money | None = Field(description="valuation x effective LTV")
    deductions: list[DeductionResult]
    consent: Literal["not_required", "given", "refused", "missing", "not_declared"]
    explanation: list[str]


class AffordabilityDetail(Model):
    kind: Literal["affordability"] = "affordability"
    monthly_cash_flow: Money | None
    ratio: Decimal | None
    existing_installments: Money | None
    max_installment: Money | None = Field(description="ratio x cash flow - existing installments, to the cent")
    rate_bp: int | None = Field(description="the rate tested: the offered rate plus the stress")
    stress_bp: int
    term_months: int | None
    method: str | None
    step: Money
    principal: Money | None = Field(description="the largest multiple of step whose installment fits")
    installment: Money | None = Field(description="the installment of that principal")
    next_step_installment: Money | None = Field(description="the installment one step more would need (it does not fit)")
    explanation: list[str]


class ScorecardCapDetail(Model):
    kind: Literal["scorecard"] = "scorecard"
    card: str
    score: Points | None
    grade: str | None
    base: Money | None
    multiplier: Decimal | None
    multipliers: dict[str, Decimal]
    explanation: list[str]


class FactorResult(Model):
    id: str
    label: str
    factor: Decimal | None
    outcome: Literal["applied", "not_applicable", "not_applied_unknown", "applied_unknown"]
    inputs: dict[str, Any] = Field(default_factory=dict)


class PreApprovedDetail(Model):
    kind: Literal["pre_approved"] = "pre_approved"
    line: Money | None
    granted_on: date | None
    valid_until: date | None
    status: Literal["valid", "expired", "unknown", "not_tracked"]
    factors: list[FactorResult]
    adjusted_line: Money | None
    outstanding: Money | None
    explanation: list[str]


CapDetail = Annotated[
    Union[FormulaDetail, TaxBasedDetail, CollateralDetail, AffordabilityDetail, ScorecardCapDetail, PreApprovedDetail],
    Field(discriminator="kind"),
]


# ---------------------------------------------------------------- scorecards


class ScoreVariableResult(Model):
    id: str
    label: str
    value: Any = Field(description="the value scored (null when missing)")
    bin: str | None = Field(description="the bin matched: '[3, 5)', 'A、B', '缺失' (missing), '其他' (other); null if none")
    points: Points | None
    max_points: Points = Field(description="the most points this variable can give")
    lost: Points | None = Field(description="max_points - points: what this variable cost")


class ReasonCode(Model):
    code: str
    variable: str
    label: str
    lost: Points


class ScorecardResult(Model):
    id: str
    name: str
    base_points: Points
    score: Points | None = Field(description="null when a variable could not be scored")
    grade: str | None
    variables: list[ScoreVariableResult]
    reason_codes: list[ReasonCode] = Field(description="the variables that cost the most points, most first")
