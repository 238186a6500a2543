"""Documents of the limit-model kinds, scorecards and fees: what the product YAML says.

A limit cap is one of several kinds (`kind:`), each compiled to a candidate cap that joins the
same smallest-cap / round-down / minimum logic:

  formula        a single expression (the default kind; engine.models.CapDoc)
  tax_based      annual tax paid (or taxable revenue) x a multiplier looked up by tax grade
  collateral     valuation x loan-to-value (+ policy uplifts, capped) - existing mortgages, with co-owner consent
  affordability  the largest principal whose installment stays within a share of monthly net cash flow
  scorecard      a base amount x a multiplier by the grade of a points scorecard
  pre_approved   a line granted in advance (survey, public data): validity, evidence factors, balance drawn

engine.models imports this module (a cap is one of these kinds), so this module cannot import
engine.models back: it restates the small document base and the Expression type.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
CODE_PATTERN = r"^[A-Z][A-Z0-9_]*$"
Expression = Union[Annotated[str, Field(min_length=1)], bool, int, Decimal]
Number = Union[int, Decimal]
Action = Literal["decline", "refer"]
# A map from a key (a tax grade, a scorecard grade) to a number: written out, or the name of a map
# param such as 'params.tax_multiplier' (checked when the product is compiled).
NumberMap = Union[dict[str, Number], Annotated[str, Field(min_length=1)]]


class Doc(BaseModel):
    """Unknown keys are errors, as in every document model."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


def text(value: object) -> str:
    """An expression or constant as written (for `pf show`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class CapBase(Doc):
    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    on_missing: Literal["refer", "skip"] = Field(
        "refer", description="refer: a cap that cannot be computed sends the case to manual review"
    )


# ---------------------------------------------------------------- tax-based


class TaxBasedCapDoc(CapBase):
    """额度 = 纳税额(或应税销售收入) x 按纳税信用等级的倍数."""

    kind: Literal["tax_based"]
    basis: Expression = Field(description="annual tax paid or taxable revenue, e.g. tax.paid_12m")
    grade: Expression = Field(description="the tax credit grade, e.g. tax.grade")
    multipliers: NumberMap = Field(description="grade -> multiplier, e.g. {A: 10, B: 6} or params.tax_multiplier")
    unlisted_grade: Action = Field("decline", description="what a grade without a multiplier means")

    def summary(self) -> str:
        return f"tax_based: {text(self.basis)} x multipliers[{text(self.grade)}] ({_map_text(self.multipliers)})"


# ---------------------------------------------------------------- collateral


class UpliftDoc(Doc):
    """A policy change of the loan-to-value ratio, e.g. +0.10 for inclusive small-business loans."""

    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    when: Expression = Field(description="the uplift applies when this holds")
    uplift: Expression = Field(description="added to the LTV ratio: 0.10 is 10 percentage points")


class DeductionDoc(Doc):
    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    amount: Expression = Field(description="deducted from the pledgeable value, e.g. property.existing_mortgage_balance")


class ConsentDoc(Doc):
    """A jointly owned property can be pledged only with the co-owner's consent."""

    required: Expression = Field(description="when the co-owner must consent, e.g. property.ownership != 'self'")
    given: Expression = Field(description="the consent, e.g. applicant.spouse_consent")
    code: str | None = Field(None, pattern=CODE_PATTERN, description="reason code (default <CAP_ID>_CONSENT)")
    message: str | None = Field(None, min_length=1, description="reason message; {expression} placeholders")


class CollateralCapDoc(CapBase):
    """额度 = 评估价值 x (抵押率 + 政策上浮, 不超过上限) - 已抵押余额."""

    kind: Literal["collateral"]
    valuation: Expression = Field(description="the property's valuation, e.g. property.valuation")
    ltv: Expression = Field(description="loan-to-value ratio, e.g. tables.ltv.ltv (by property type and region)")
    max_ltv: Expression | None = Field(None, description="the LTV after uplifts never exceeds this")
    uplifts: list[UpliftDoc] = Field(default_factory=list)
    deductions: list[DeductionDoc] = Field(default_factory=list)
    consent: ConsentDoc | None = None

    def summary(self) -> str:
        parts = [f"collateral: {text(self.valuation)} x ({text(self.ltv)}"]
        parts += [f" + {u.id}" for u in self.uplifts]
        parts.append(")" + (f" capped at {text(self.max_ltv)}" if self.max_ltv is not None else ""))
        parts += [f" - {text(d.amount)}" for d in self.deductions]
        if self.consent is not None:
            parts.append(f"; co-owner consent {text(self.consent.given)} when {text(self.consent.required)}")
        return "".join(parts)


# ---------------------------------------------------------------- affordability


class AffordabilityCapDoc(CapBase):
    """The cash-flow method of micro-credit analysis: the largest principal whose installment at the
    offered rate, term and repayment method stays within ratio x monthly net cash flow."""

    kind: Literal["affordability"]
    monthly_cash_flow: Expression = Field(description="monthly net cash flow (income minus expenses), yuan")
    ratio: Expression = Field(description="share of the cash flow the installments may take, e.g. 0.5")
    existing_installments: Expression | None = Field(None, description="monthly repayments of existing debt, deducted")
    term_months: Expression = Field(description="e.g. coalesce(loan.term_months, 12)")
    method: Expression = Field(description="repayment method name, e.g. coalesce(loan.repayment_method, 'equal_installment')")
    stress_bp: Expression | None = Field(None, description="tested at the offered rate plus this many basis points")
    step: Decimal | None = Field(None, gt=0, description="principal granularity (default: the limit's round_down_to)")

    def summary(self) -> str:
        existing = f" - {text(self.existing_installments)}" if self.existing_installments is not None else ""
        stress = f" + {text(self.stress_bp)}bp" if self.stress_bp is not None else ""
        return (f"affordability: installment({text(self.method)}, {text(self.term_months)} months, offered rate{stress}) "
                f"<= {text(self.ratio)} x {text(self.monthly_cash_flow)}{existing}")


# ---------------------------------------------------------------- scorecard


class ScorecardCapDoc(CapBase):
    kind: Literal["scorecard"]
    card: str = Field(pattern=NAME_PATTERN, description="the id of a scorecard in `scorecards:`")
    base: Expression = Field(description="the amount the grade's multiplier applies to")
    multipliers: NumberMap = Field(description="grade -> multiplier; every grade of the card must be listed")

    def summary(self) -> str:
        return f"scorecard: {text(self.base)} x multipliers[scores.{self.card}.grade] ({_map_text(self.multipliers)})"


# ---------------------------------------------------------------- pre-approved line


class LineFactorDoc(Doc):
    """Evidence that scales a pre-approved line: public data confirming it (> 1) or a risk since the survey (< 1)."""

    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    when: Expression
    factor: Expression = Field(description="the line is multiplied by this, e.g. 1.1 or 0.5")


class PreApprovedCapDoc(CapBase):
    """预授信额度: granted in advance from a survey (整村授信, 园区授信) and public data."""

    kind: Literal["pre_approved"]
    line: Expression = Field(description="the line granted, e.g. pre_credit.pre_approved_line")
    granted_on: Expression | None = Field(None, description="the date it was granted, e.g. pre_credit.granted_on")
    valid_months: Expression | None = Field(None, description="months the line stays valid after granted_on")
    expired_action: Action = Field("refer", description="an expired line needs a new survey")
    factors: list[LineFactorDoc] = Field(default_factory=list)
    outstanding: Expression | None = Field(None, description="balance already drawn, deducted (balance control)")

    @model_validator(mode="after")
    def _validity_pair(self) -> "PreApprovedCapDoc":
        if (self.granted_on is None) != (self.valid_months is None):
            raise ValueError("give granted_on and valid_months together (the line expires valid_months after granted_on)")
        return self

    def summary(self) -> str:
        parts = [f"pre_approved: {text(self.line)}"]
        parts += [f" x {f.id}" for f in self.factors]
        if self.outstanding is not None:
            parts.append(f" - {text(self.outstanding)}")
        if self.granted_on is not None:
            parts.append(f"; valid {text(self.valid_months)} months from {text(self.granted_on)}")
        return "".join(parts)


def _map_text(value: NumberMap) -> str:
    if isinstance(value, str):
        return value
    return ", ".join(f"{k}: {v}" for k, v in value.items())


# ---------------------------------------------------------------- scorecards (评分卡)


class BinDoc(Doc):
    """One bin of a scorecard variable: a half-open numeric interval [from, below), a set of values,
    the missing values, or every other value."""

    from_: Number | None = Field(None, alias="from", description="numeric bin: lowest value taken (inclusive)")
    below: Number | None = Field(None, description="numeric bin: values below this (exclusive)")
    values: list[Union[bool, int, Decimal, str]] | None = Field(None, min_length=1, description="categorical bin")
    missing: bool = Field(False, description="the bin for a missing value")
    other: bool = Field(False, description="any value no other bin takes")
    points: Number

    @model_validator(mode="after")
    def _one_form(self) -> "BinDoc":
        forms = [self.from_ is not None or self.below is not None, self.values is not None, self.missing, self.other]
        if sum(forms) != 1:
            raise ValueError("a bin is exactly one of: an interval (from / below), values: [...], missing: true, other: true")
        if self.from_ is not None and self.below is not None and self.from_ >= self.below:
            raise ValueError(f"empty interval: from {self.from_} is not below {self.below}")
        return self

    def describe(self) -> str:
        if self.missing:
            return "缺失"
        if self.other:
            return "其他"
        if self.values is not None:
            return "、".join(text(v) for v in self.values)
        low = "(-∞" if self.from_ is None else f"[{self.from_}"
        high = "+∞" if self.below is None else str(self.below)
        return f"{low}, {high})"


class VariableDoc(Doc):
    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    value: Expression = Field(description="what is scored, e.g. years_since(enterprise.registered_on)")
    bins: list[BinDoc] = Field(min_length=1)
    reason_code: str | None = Field(None, pattern=CODE_PATTERN, description="default: the id in upper case")


class GradeBandDoc(Doc):
    grade: str = Field(pattern=r"^[A-Za-z0-9_+-]+$")
    min_score: Number | None = Field(None, description="lowest score of the band; the last band has none")
    label: str | None = None


class ScorecardDoc(Doc):
    """评分卡: base points plus each variable's points; the score's band gives the grade."""

    id: str = Field(pattern=NAME_PATTERN)
    name: str = Field(min_length=1)
    description: str | None = None
    base_points: Number = 0
    variables: list[VariableDoc] = Field(min_length=1)
    grades: list[GradeBandDoc] = Field(min_length=1, description="score bands, highest first")
    reason_codes: int = Field(3, ge=0, le=10, description="how many variables that cost the most points to report")

    @model_validator(mode="after")
    def _bands(self) -> "ScorecardDoc":
        ids = [v.id for v in self.variables]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate variable id in scorecard {self.id!r}")
        grades = [g.grade for g in self.grades]
        if len(set(grades)) != len(grades):
            raise ValueError(f"duplicate grade in scorecard {self.id!r}")
        if self.grades[-1].min_score is not None:
            raise ValueError("the last grade band must have no min_score: it takes every lower score")
        minimums = [g.min_score for g in self.grades[:-1]]
        if any(m is None for m in minimums):
            raise ValueError("every grade band but the last needs a min_score")
        if any(a <= b for a, b in zip(minimums, minimums[1:])):  # type: ignore[operator]
            raise ValueError("grade bands must be listed highest first, with strictly decreasing min_score")
        return self


# ---------------------------------------------------------------- fees


class FeeDoc(Doc):
    """A fee charged with the loan: one-off (at drawdown) or periodic (with each installment)."""

    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    kind: Literal["one_off", "periodic"]
    amount: Expression | None = Field(None, description="a fixed amount in yuan (per period, for periodic fees)")
    rate: Expression | None = Field(None, description="a fraction: of the principal (one-off) or per month (periodic)")
    basis: Literal["principal", "balance"] | None = Field(None, description="periodic rate: of the principal or of the balance")
    collected: Literal["upfront", "deducted"] | None = Field(None, description="one-off: paid at signing or deducted from the payout")
    when: Expression | None = Field(None, description="the fee is charged when this holds")

    @model_validator(mode="after")
    def _form(self) -> "FeeDoc":
        if (self.amount is None) == (self.rate is None):
            raise ValueError("a fee needs exactly one of 'amount' (yuan) or 'rate' (a fraction)")
        if self.basis is not None and (self.kind != "periodic" or self.rate is None):
            raise ValueError("'basis' is only for a periodic fee given as a rate")
        if self.collected is not None and self.kind != "one_off":
            raise ValueError("'collected' is only for a one-off fee")
        return self

    def summary(self) -> str:
        how = f"{text(self.amount)} 元" if self.amount is not None else f"{text(self.rate)} x {self.basis or 'principal'}"
        if self.kind == "one_off":
            how += f", {self.collected or 'upfront'}"
        else:
            how += " per month"
        return how + (f" when {text(self.when)}" if self.when is not None else "")
