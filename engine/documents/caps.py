"""Documents of the limit-model kinds, scorecards and fees: what the product YAML says.

A limit cap is one of several kinds (`kind:`), each compiled to a candidate cap that joins the
same smallest-cap / round-down / minimum logic:

  formula        a single expression (the default kind; engine.documents.models.CapDoc)
  tax_based      annual tax paid (or taxable revenue) x a multiplier looked up by tax grade
  collateral     valuation x loan-to-value (+ policy uplifts, capped) - existing mortgages, with co-owner consent
  affordability  the largest principal whose installment stays within a share of monthly net cash flow
  scorecard      a base amount x a multiplier by the grade of a points scorecard
  pre_approved   a line granted in advance (survey, public data): validity, evidence factors, balance drawn

engine.documents.models imports this module (a cap is one of these kinds), so this module cannot import
engine.documents.models back: it restates the small document base and the Expression type.
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
    id: str = Field(pattern=NAME_PATTERN, description='上限编号,作为约束上限名称 / cap id, reported as the binding cap')
    label: str = Field(min_length=1, description='中文名称 / Chinese label')
    on_missing: Literal["refer", "skip"] = Field(
        "refer", description="refer: a cap that cannot be computed sends the case to manual review"
    , title='缺数据时 On missing')


# ---------------------------------------------------------------- tax-based


class TaxBasedCapDoc(CapBase):
    """额度 = 纳税额(或应税销售收入) x 按纳税信用等级的倍数."""

    kind: Literal["tax_based"] = Field(description='tax_based:纳税额×等级倍数 / tax paid × a multiplier by tax grade')
    basis: Expression = Field(description="annual tax paid or taxable revenue, e.g. tax.paid_12m", title='计算基础(年纳税额或应税收入) Basis')
    grade: Expression = Field(description="the tax credit grade, e.g. tax.grade", title='纳税信用等级 Grade')
    multipliers: NumberMap = Field(description="grade -> multiplier, e.g. {A: 10, B: 6} or params.tax_multiplier", title='等级倍数 Multipliers')
    unlisted_grade: Action = Field("decline", description="what a grade without a multiplier means", title='未列等级的处理 Unlisted grade')

    def summary(self) -> str:
        return f"tax_based: {text(self.basis)} x multipliers[{text(self.grade)}] ({_map_text(self.multipliers)})"


# ---------------------------------------------------------------- collateral


class UpliftDoc(Doc):
    """A policy change of the loan-to-value ratio, e.g. +0.10 for inclusive small-business loans."""

    id: str = Field(pattern=NAME_PATTERN, description='上浮项编号 / uplift id')
    label: str = Field(min_length=1, description='中文名称 / Chinese label')
    when: Expression = Field(description="the uplift applies when this holds", title='适用条件 When')
    uplift: Expression = Field(description="added to the LTV ratio: 0.10 is 10 percentage points", title='抵押率上浮 Uplift')


class DeductionDoc(Doc):
    id: str = Field(pattern=NAME_PATTERN, description='扣减项编号 / deduction id')
    label: str = Field(min_length=1, description='中文名称 / Chinese label')
    amount: Expression = Field(description="deducted from the pledgeable value, e.g. property.existing_mortgage_balance", title='扣减金额 Amount')


class ConsentDoc(Doc):
    """A jointly owned property can be pledged only with the co-owner's consent."""

    required: Expression = Field(description="when the co-owner must consent, e.g. property.ownership != 'self'", title='需共有人同意的条件 Required')
    given: Expression = Field(description="the consent, e.g. applicant.spouse_consent", title='共有人是否同意 Given')
    code: str | None = Field(None, pattern=CODE_PATTERN, description="reason code (default <CAP_ID>_CONSENT)", title='原因代码 Code')
    message: str | None = Field(None, min_length=1, description="reason message; {expression} placeholders", title='原因 Message')


class CollateralCapDoc(CapBase):
    """额度 = 评估价值 x (抵押率 + 政策上浮, 不超过上限) - 已抵押余额."""

    kind: Literal["collateral"] = Field(description='collateral:评估价×抵押率−已抵押余额 / valuation × loan-to-value − existing mortgages')
    valuation: Expression = Field(description="the property's valuation, e.g. property.valuation", title='评估价值 Valuation')
    ltv: Expression = Field(description="loan-to-value ratio, e.g. tables.ltv.ltv (by property type and region)", title='抵押率 LTV')
    max_ltv: Expression | None = Field(None, description="the LTV after uplifts never exceeds this", title='最高抵押率 Max LTV')
    uplifts: list[UpliftDoc] = Field(default_factory=list, description='抵押率上浮(如普惠型+10个百分点) / loan-to-value uplifts, e.g. +10 points for inclusive loans')
    deductions: list[DeductionDoc] = Field(default_factory=list, description='扣减项(如已抵押贷款余额) / deductions, e.g. existing mortgage balances')
    consent: ConsentDoc | None = Field(None, description='共有人同意(共有房产) / co-owner consent for jointly owned property')

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

    kind: Literal["affordability"] = Field(description='affordability:按月净现金流测算还款能力 / the largest principal whose installment fits the cash flow')
    monthly_cash_flow: Expression = Field(description="monthly net cash flow (income minus expenses), yuan", title='月净现金流 Monthly cash flow')
    ratio: Expression = Field(description="share of the cash flow the installments may take, e.g. 0.5", title='还款占比上限 Ratio')
    existing_installments: Expression | None = Field(None, description="monthly repayments of existing debt, deducted", title='现有月还款 Existing installments')
    term_months: Expression = Field(description="e.g. coalesce(loan.term_months, 12)", title='测算期限 Term')
    method: Expression = Field(description="repayment method name, e.g. coalesce(loan.repayment_method, 'equal_installment')", title='测算还款方式 Method')
    stress_bp: Expression | None = Field(None, description="tested at the offered rate plus this many basis points", title='压力测试加点 Stress')
    step: Decimal | None = Field(None, gt=0, description="principal granularity (default: the limit's round_down_to)", title='本金步长 Step')

    def summary(self) -> str:
        existing = f" - {text(self.existing_installments)}" if self.existing_installments is not None else ""
        stress = f" + {text(self.stress_bp)}bp" if self.stress_bp is not None else ""
        return (f"affordability: installment({text(self.method)}, {text(self.term_months)} months, offered rate{stress}) "
                f"<= {text(self.ratio)} x {text(self.monthly_cash_flow)}{existing}")


# ---------------------------------------------------------------- scorecard


class ScorecardCapDoc(CapBase):
    kind: Literal["scorecard"] = Field(description='scorecard:基础额度×评分等级倍数 / a base amount × a multiplier by scorecard grade')
    card: str = Field(pattern=NAME_PATTERN, description="the id of a scorecard in `scorecards:`", title='评分卡 Card')
    base: Expression = Field(description="the amount the grade's multiplier applies to", title='基础额度 Base')
    multipliers: NumberMap = Field(description="grade -> multiplier; every grade of the card must be listed", title='等级倍数 Multipliers')

    def summary(self) -> str:
        return f"scorecard: {text(self.base)} x multipliers[scores.{self.card}.grade] ({_map_text(self.multipliers)})"


# ---------------------------------------------------------------- pre-approved line


class LineFactorDoc(Doc):
    """Evidence that scales a pre-approved line: public data confirming it (> 1) or a risk since the survey (< 1)."""

    id: str = Field(pattern=NAME_PATTERN, description='系数编号 / factor id')
    label: str = Field(min_length=1, description='中文名称 / Chinese label')
    when: Expression = Field(description='适用条件 / applies when this holds')
    factor: Expression = Field(description="the line is multiplied by this, e.g. 1.1 or 0.5", title='调整系数 Factor')


class PreApprovedCapDoc(CapBase):
    """预授信额度: granted in advance from a survey (整村授信, 园区授信) and public data."""

    kind: Literal["pre_approved"] = Field(description='pre_approved:预授信额度(阳光E贷) / a line granted in advance (阳光E贷)')
    line: Expression = Field(description="the line granted, e.g. pre_credit.pre_approved_line", title='预授信额度 Line')
    granted_on: Expression | None = Field(None, description="the date it was granted, e.g. pre_credit.granted_on", title='授信日期 Granted on')
    valid_months: Expression | None = Field(None, description="months the line stays valid after granted_on", title='有效期(月) Valid months')
    expired_action: Action = Field("refer", description="an expired line needs a new survey", title='过期处理 Expired action')
    factors: list[LineFactorDoc] = Field(default_factory=list, description='调整系数(如公积金佐证上浮、风险下调) / factors, e.g. an uplift for housing-fund evidence')
    outstanding: Expression | None = Field(None, description="balance already drawn, deducted (balance control)", title='已用余额 Outstanding')

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

    from_: Number | None = Field(None, alias="from", description="numeric bin: lowest value taken (inclusive)", title='下限(含) From')
    below: Number | None = Field(None, description="numeric bin: values below this (exclusive)", title='上限(不含) Below')
    values: list[Union[bool, int, Decimal, str]] | None = Field(None, min_length=1, description="categorical bin", title='取值 Values')
    missing: bool = Field(False, description="the bin for a missing value", title='缺失档 Missing')
    other: bool = Field(False, description="any value no other bin takes", title='其他档 Other')
    points: Number = Field(description='落入此档的得分 / points for a value in this bin')

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
    id: str = Field(pattern=NAME_PATTERN, description='变量编号,作为扣分原因代码 / variable id, used in reason codes')
    label: str = Field(min_length=1, description='中文名称 / Chinese label')
    value: Expression = Field(description="what is scored, e.g. years_since(enterprise.registered_on)", title='计分值 Value')
    bins: list[BinDoc] = Field(min_length=1, description='分档:区间、取值、缺失、其他 / bins: intervals, value sets, missing, other')
    reason_code: str | None = Field(None, pattern=CODE_PATTERN, description="default: the id in upper case", title='原因代码 Reason code')


class GradeBandDoc(Doc):
    grade: str = Field(pattern=r"^[A-Za-z0-9_+-]+$", description='等级,如 A / the grade, e.g. A')
    min_score: Number | None = Field(None, description="lowest score of the band; the last band has none", title='最低分 Min score')
    label: str | None = Field(None, description='中文名称 / Chinese label')


class ScorecardDoc(Doc):
    """评分卡: base points plus each variable's points; the score's band gives the grade."""

    id: str = Field(pattern=NAME_PATTERN, description='评分卡编号,读作 scores.<id> / card id, read as scores.<id>')
    name: str = Field(min_length=1, description='中文名称 / Chinese name')
    description: str | None = Field(None, description='说明 / what the card measures')
    base_points: Number = Field(0, description='基础分 / base points')
    variables: list[VariableDoc] = Field(min_length=1, description='计分变量 / the scored variables')
    grades: list[GradeBandDoc] = Field(min_length=1, description="score bands, highest first", title='等级分段 Grades')
    reason_codes: int = Field(3, ge=0, le=10, description="how many variables that cost the most points to report", title='扣分原因个数 Reason codes')

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

    id: str = Field(pattern=NAME_PATTERN, description='费用编号 / fee id')
    label: str = Field(min_length=1, description='中文名称 / Chinese label')
    kind: Literal["one_off", "periodic"] = Field(description='one_off 一次性或 periodic 按期 / one-off or periodic')
    amount: Expression | None = Field(None, description="a fixed amount in yuan (per period, for periodic fees)", title='固定金额 Amount')
    rate: Expression | None = Field(None, description="a fraction: of the principal (one-off) or per month (periodic)", title='费率 Rate')
    basis: Literal["principal", "balance"] | None = Field(None, description="periodic rate: of the principal or of the balance", title='计费基础 Basis')
    collected: Literal["upfront", "deducted"] | None = Field(None, description="one-off: paid at signing or deducted from the payout", title='收取方式 Collected')
    when: Expression | None = Field(None, description="the fee is charged when this holds", title='适用条件 When')

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
