"""Pydantic models of the documents: data dictionary, rulesets and products (what the YAML says)."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from engine.limit_docs import (
    AffordabilityCapDoc,
    CollateralCapDoc,
    FeeDoc,
    PreApprovedCapDoc,
    ScorecardCapDoc,
    ScorecardDoc,
    TaxBasedCapDoc,
)

CODE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
RULE_ID_PATTERN = r"^[A-Z][A-Z0-9_]*$"
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class Document(BaseModel):
    """Base of every document model: unknown keys are errors, a typo is never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# A parameter value: numbers are exact (YAML floats are read as Decimal), lists and maps nest.
ParamScalar = Union[bool, int, Decimal, date, str]
ParamValue = Union[ParamScalar, list[ParamScalar], dict[str, Union[ParamScalar, list[ParamScalar]]]]
# An expression is written as a YAML string; `true` or a bare number are accepted as constants.
Expression = Union[Annotated[str, Field(min_length=1)], bool, int, Decimal]

FieldType = Literal["integer", "number", "money", "string", "enum", "boolean", "date", "string_list"]
Action = Literal["decline", "refer"]
RepaymentMethodName = Literal["equal_installment", "equal_principal", "interest_only", "on_demand"]
CustomerType = Literal[
    "small_business_owner",  # 小微企业主
    "individual_business",  # 个体工商户
    "enterprise",  # 小微企业(法人)
    "farmer",  # 农户
    "new_agri_entity",  # 新型农业经营主体(家庭农场、合作社)
]


# ---------------------------------------------------------------- data dictionary


class FieldDef(Document):
    type: FieldType
    description: str = Field(min_length=1, description="中文说明 / what the field means")
    unit: str | None = None
    values: list[str] | None = Field(None, description="allowed values of an enum field")
    min: Decimal | None = None
    max: Decimal | None = None

    @model_validator(mode="after")
    def _values_only_for_enums(self) -> "FieldDef":
        if self.type == "enum" and not self.values:
            raise ValueError("an enum field needs 'values'")
        if self.type != "enum" and self.values is not None:
            raise ValueError("'values' is only for enum fields")
        return self


class SourceDef(Document):
    description: str = Field(min_length=1)
    fields: dict[Annotated[str, Field(pattern=NAME_PATTERN)], FieldDef]


class DataDictionary(Document):
    sources: dict[Annotated[str, Field(pattern=NAME_PATTERN)], SourceDef]

    def field(self, path: str) -> FieldDef | None:
        source, _, name = path.partition(".")
        src = self.sources.get(source)
        return src.fields.get(name) if src else None

    def paths(self) -> list[str]:
        return [f"{s}.{f}" for s, src in self.sources.items() for f in src.fields]


# ---------------------------------------------------------------- rules and rulesets


class RuleDoc(Document):
    id: str = Field(pattern=RULE_ID_PATTERN, description="stable reason code, e.g. TAX_GRADE")
    when: Expression | None = Field(None, description="the rule applies only when this holds")
    rule: Expression = Field(description="must hold for the applicant to pass")
    message: str = Field(min_length=1, description="reason shown when the rule fails; {field} placeholders")
    action: Action = Field(description="decline (hard rule) or refer to manual review (soft rule)")
    on_missing: Action = Field("refer", description="what it means when the rule's data is missing")


class RulesetDoc(Document):
    code: str = Field(pattern=NAME_PATTERN)
    name: str = Field(min_length=1)
    description: str | None = None
    params: dict[str, ParamValue] = Field(default_factory=dict)
    rules: list[RuleDoc] = Field(min_length=1)


class RulesetUse(Document):
    ruleset: str = Field(pattern=NAME_PATTERN)
    params: dict[str, ParamValue] = Field(default_factory=dict, description="overrides of the ruleset's params")


class RiskCombination(Document):
    """风控组合规则: a set of rulesets applied when a condition on the applicant holds."""

    id: str = Field(pattern=NAME_PATTERN)
    name: str = Field(min_length=1)
    when: Expression | None = Field(None, description="applies when this holds; always when absent")
    rulesets: list[Union[Annotated[str, Field(pattern=NAME_PATTERN)], RulesetUse]] = Field(min_length=1)

    def uses(self) -> list[RulesetUse]:
        return [RulesetUse(ruleset=u) if isinstance(u, str) else u for u in self.rulesets]


# ---------------------------------------------------------------- decision tables

Cell = Union[bool, int, Decimal, str, None, list[Union[int, Decimal, str]]]


class NoMatch(Document):
    output: dict[str, ParamScalar] | None = Field(None, description="outputs used when no row matches")
    action: Action | None = Field(None, description="or: decline / refer when no row matches")
    message: str | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> "NoMatch":
        if (self.output is None) == (self.action is None):
            raise ValueError("no_match needs exactly one of 'output' or 'action'")
        if self.action is not None and not self.message:
            raise ValueError("no_match with an action needs a 'message'")
        return self


class TableDoc(Document):
    id: str = Field(pattern=NAME_PATTERN)
    description: str | None = None
    hit_policy: Literal["first", "unique"]
    inputs: list[Expression] = Field(min_length=1)
    outputs: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(min_length=1)
    rows: list[list[Cell]] = Field(min_length=1)
    no_match: NoMatch

    @model_validator(mode="after")
    def _row_widths(self) -> "TableDoc":
        width = len(self.inputs) + len(self.outputs)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(
                    f"row {i} has {len(row)} cells; expected {width} "
                    f"({len(self.inputs)} inputs then {len(self.outputs)} outputs; an input expression with a comma "
                    f"must be quoted, e.g. inputs: [\"coalesce(a, b)\"])"
                )
        if self.no_match.output is not None and set(self.no_match.output) != set(self.outputs):
            raise ValueError(f"no_match.output must give exactly the outputs {self.outputs}")
        return self


# ---------------------------------------------------------------- limit, pricing, terms


class CapDoc(Document):
    """A formula cap: one expression (the default kind of cap)."""

    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    kind: Literal["formula"] = "formula"
    value: Expression
    on_missing: Literal["refer", "skip"] = Field(
        "refer", description="refer: a cap that cannot be computed sends the case to manual review"
    )

    def summary(self) -> str:
        return str(self.value).lower() if isinstance(self.value, bool) else " ".join(str(self.value).split())


def _cap_kind(value: object) -> str:
    # A cap without `kind:` is a formula cap, so products written before the other kinds load unchanged.
    if isinstance(value, dict):
        return str(value.get("kind", "formula"))
    return str(getattr(value, "kind", "formula"))


# A candidate cap of the limit: one of the limit-model kinds (engine.limit_docs), chosen by `kind`.
CapComponent = Annotated[
    Union[
        Annotated[CapDoc, Tag("formula")],
        Annotated[TaxBasedCapDoc, Tag("tax_based")],
        Annotated[CollateralCapDoc, Tag("collateral")],
        Annotated[AffordabilityCapDoc, Tag("affordability")],
        Annotated[ScorecardCapDoc, Tag("scorecard")],
        Annotated[PreApprovedCapDoc, Tag("pre_approved")],
    ],
    Discriminator(_cap_kind),
]
CAP_KINDS = ("formula", "tax_based", "collateral", "affordability", "scorecard", "pre_approved")


class LimitDoc(Document):
    caps: list[CapComponent] = Field(min_length=1, description="the limit is the smallest cap")
    round_down_to: Decimal = Field(Decimal(1), gt=0, description="step, e.g. 10000 yuan")
    min_amount: Expression | None = Field(None, description="a smaller limit means no loan")
    below_min_action: Action = "decline"


class AdjustmentDoc(Document):
    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    when: Expression | None = None
    bp: Expression


class PricingDoc(Document):
    base_label: str = Field(min_length=1, description="e.g. 1年期LPR")
    base_bp: Expression
    spread_bp: Expression
    adjustments: list[AdjustmentDoc] = Field(default_factory=list)
    floor_bp: Expression | None = None
    cap_bp: Expression | None = None
    fees: list[FeeDoc] = Field(default_factory=list, description="one-off and periodic fees; offers show the APR")


class TermsDoc(Document):
    months: list[Annotated[int, Field(ge=1, le=600)]] = Field(min_length=1)
    max_months: Expression | None = Field(None, description="e.g. capped by the borrower's age at maturity")
    revolving: bool = False
    line_validity_months: int | None = Field(None, ge=1, le=120)


class RepaymentOption(Document):
    method: RepaymentMethodName
    when: Expression | None = None


class Effective(Document):
    from_: date = Field(alias="from")
    to: date | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="after")
    def _ordered(self) -> "Effective":
        if self.to is not None and self.to < self.from_:
            raise ValueError("effective.to is before effective.from")
        return self

    def covers(self, day: date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


class ProductDoc(Document):
    code: str = Field(pattern=CODE_PATTERN, description="ASCII code, unique in the pack")
    name: str = Field(min_length=1, description="中文产品名称")
    version: str = Field(pattern=r"^\d+(\.\d+){0,2}$")
    effective: Effective
    description: str | None = None
    borrower: Literal["individual", "enterprise"] = Field(description="who signs: the owner or the enterprise")
    customer_types: list[CustomerType] = Field(min_length=1)
    data_sources: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(min_length=1)
    params: dict[Annotated[str, Field(pattern=NAME_PATTERN)], ParamValue] = Field(default_factory=dict)
    eligibility: list[RuleDoc] = Field(default_factory=list)
    risk_controls: list[RiskCombination] = Field(default_factory=list)
    tables: list[TableDoc] = Field(default_factory=list)
    limit: LimitDoc
    pricing: PricingDoc
    terms: TermsDoc
    repayment_methods: list[RepaymentOption] = Field(min_length=1)
    scorecards: list[ScorecardDoc] = Field(default_factory=list, description="评分卡: read as scores.<id>.score / .grade")

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        # `version: 1.0` reads as a number in YAML; a product manager means the text "1.0".
        return str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value

    @field_validator("name")
    @classmethod
    def _chinese_name(cls, value: str) -> str:
        if not re.search(r"[\u4e00-\u9fff]", value):
            raise ValueError("the product name must be Chinese, e.g. 税企通-小微经营贷")
        return value
