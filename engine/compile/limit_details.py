"""How a limit cap and a scorecard explain themselves in the Decision (part of the JSON contract).

Each cap carries a `detail` whose `kind` names the limit model; every detail has the structured
figures and `explanation`, the same story in lines a credit officer reads (Chinese). Money is a
string with two decimals, ratios and multipliers exact decimal strings, rates integer basis points.
Each kind's detail lives with its model (engine.compile.limits.<kind>); this module gathers them
into the union the Decision declares, and holds the scorecard results.
"""
from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field

from engine.compile.limits.affordability import AffordabilityDetail
from engine.compile.limits.collateral import CollateralDetail, DeductionResult, UpliftResult
from engine.compile.limits.common import Model, Money, Points
from engine.compile.limits.formula import FormulaDetail
from engine.compile.limits.pre_approved import FactorResult, PreApprovedDetail
from engine.compile.limits.scorecard import ScorecardCapDetail
from engine.compile.limits.tax_based import TaxBasedDetail

__all__ = ["AffordabilityDetail", "CapDetail", "CollateralDetail", "DeductionResult", "FactorResult", "FormulaDetail",
           "Money", "PreApprovedDetail", "ReasonCode", "ScoreVariableResult", "ScorecardCapDetail", "ScorecardResult",
           "TaxBasedDetail", "UpliftResult"]

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
