"""The evaluation result a channel parses: the documented, stable JSON contract (schema_version 1).

Money is a string with exactly two decimals ("300000.00"), rates are integer basis points with a
percent string beside them ("3.85%"), dates are ISO dates. Input values keep their exact form:
numbers from applicant data appear as strings when they are decimals.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.compile.limit_details import CapDetail, ScorecardResult
from engine.core.money import Money
from engine.results.offer_models import OffersResult

DecisionKind = Literal["approve", "refer", "decline"]


class ResultModel(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class ProductRef(ResultModel):
    code: str
    name: str
    version: str
    pack: str = Field(description="the pack that defines the product")
    content_hash: str = Field(description="hash of the resolved product, its rulesets and the shared params in force")


class Finding(ResultModel):
    """A rule (or built-in check) that failed or could not be decided for lack of data."""

    code: str = Field(description="the rule id: a stable reason code")
    outcome: Literal["fail", "unknown"] = Field(description="fail: the rule did not hold; unknown: data missing")
    action: Literal["decline", "refer"] = Field(description="what this finding does to the decision")
    message: str = Field(description="the reason in words, with the deciding values filled in")
    source: str = Field(description="'eligibility', 'built-in', 'limit', 'pricing', 'terms' or 'ruleset:<code>'")
    combination: str | None = Field(None, description="the risk-control combination that applied the rule")
    inputs: dict[str, Any] = Field(default_factory=dict, description="the data values that decided it")
    missing: list[str] = Field(default_factory=list, description="inputs absent from the applicant data")


class CapResult(ResultModel):
    id: str
    label: str
    value: Money | None
    outcome: Literal["computed", "unknown", "skipped"]
    binding: bool
    kind: str = Field("formula", description="the limit model: formula, tax_based, collateral, affordability, scorecard, pre_approved")
    detail: CapDetail | None = Field(None, description="how the cap was computed, figure by figure")


class LimitResult(ResultModel):
    amount: Money = Field(description="the limit offered: the smallest cap, rounded down to the step")
    binding_cap: str = Field(description="id of the cap that bound")
    uncapped: Money = Field(description="the binding cap's value before rounding")
    step: Money
    min_amount: Money | None
    caps: list[CapResult]


class RateAdjustment(ResultModel):
    id: str
    label: str
    bp: int


class RateResult(ResultModel):
    base_label: str
    base_bp: int
    spread_bp: int
    adjustments: list[RateAdjustment]
    floor_bp: int | None
    cap_bp: int | None
    bound_by: Literal["floor", "cap"] | None = Field(description="set when the floor or the cap changed the rate")
    final_bp: int
    final_percent: str = Field(description="final_bp as a percentage, e.g. '3.85%'")


class TermsResult(ResultModel):
    months: list[int] = Field(description="the terms this applicant may choose")
    max_months: int | None
    revolving: bool
    line_validity_months: int | None
    repayment_methods: list[str]


class TraceStep(ResultModel):
    order: int
    kind: Literal["scorecard", "table_row", "table", "combination", "rule", "cap", "limit", "pricing", "adjustment", "terms", "method"]
    id: str
    outcome: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    value: Any = None


class Decision(ResultModel):
    schema_version: Literal[1] = 1
    product: ProductRef
    evaluated_on: date
    applicant_id: str | None
    decision: DecisionKind
    findings: list[Finding] = Field(description="every failed or unknown rule, in evaluation order")
    limit: LimitResult | None = Field(description="absent when declined or when no cap could be computed")
    rate: RateResult | None
    terms: TermsResult | None
    scorecards: list[ScorecardResult] = Field(default_factory=list, description="every scorecard of the product, scored")
    offers: OffersResult | None = Field(None, description="with --offers: amount, term, method, rate, schedule, fees, APR")
    trace: list[TraceStep] | None = None
