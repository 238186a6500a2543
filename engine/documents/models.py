"""Pydantic models of the documents: data dictionary, rulesets and products (what the YAML says)."""
from __future__ import annotations

import datetime
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from engine.core.repayment import RepaymentMethodName
from engine.documents.caps import (
    AffordabilityCapDoc,
    CollateralCapDoc,
    FeeDoc,
    PreApprovedCapDoc,
    ScorecardCapDoc,
    ScorecardDoc,
    TaxBasedCapDoc,
)
from engine.documents.contract import ContractDoc
from engine.documents.drawdown import DrawdownDoc

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

FieldType = Literal["integer", "number", "money", "string", "enum", "boolean", "date", "string_list", "records"]
Action = Literal["decline", "refer"]
CustomerType = Literal[
    "small_business_owner",  # 小微企业主
    "individual_business",  # 个体工商户
    "enterprise",  # 小微企业(法人)
    "farmer",  # 农户
    "new_agri_entity",  # 新型农业经营主体(家庭农场、合作社)
]


# ---------------------------------------------------------------- data dictionary


class FieldDef(Document):
    """数据字段 A data field: its type, unit and meaning."""

    type: FieldType = Field(title="类型 Type", description="字段类型 / integer, number, money (元, 2 decimals), string, enum, boolean, date, string_list")
    description: str = Field(min_length=1, title="说明 Description", description="中文说明 / what the field means")
    unit: str | None = Field(None, title="单位 Unit", description="单位,如 元、月、次 / unit, e.g. 元, 月, 次")
    values: list[str] | None = Field(None, title="取值 Values", description="枚举字段的取值 / allowed values of an enum field")
    min: Decimal | None = Field(None, title="最小值 Minimum", description="申请数据的下限 / smallest value an applicant file may give")
    max: Decimal | None = Field(None, title="最大值 Maximum", description="申请数据的上限 / largest value an applicant file may give")
    fields: "dict[Annotated[str, Field(pattern=NAME_PATTERN)], FieldDef] | None" = Field(
        None, title="记录字段 Record fields", description="records 字段每条记录的字段 / the typed fields of each record of a records field")
    # Personal data (names, ID numbers, phone numbers) must not sit in the decision log in clear text.
    pii: bool = Field(False, title="个人信息 Personal data", description="个人信息字段:决策日志中加密或脱敏存储 / personal field: encrypted or masked in the decision log")

    @model_validator(mode="after")
    def _values_only_for_enums(self) -> "FieldDef":
        if self.type == "records" and not self.fields:
            raise ValueError("a records field needs 'fields' (the fields of each record)")
        if self.type != "records" and self.fields is not None:
            raise ValueError("'fields' is only for records fields")
        if self.fields and any(f.type == "records" for f in self.fields.values()):
            raise ValueError("a record's fields cannot themselves be records (one level of records)")
        if self.type == "enum" and not self.values:
            raise ValueError("an enum field needs 'values'")
        if self.type != "enum" and self.values is not None:
            raise ValueError("'values' is only for enum fields")
        if self.min is not None and self.max is not None and self.min > self.max:
            # No applicant could ever be valid: every file would be refused at this field.
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class SourceDef(Document):
    """数据源 A data source (tax, credit bureau, ...) and its fields."""

    description: str = Field(min_length=1, title="说明 Description", description="数据源说明 / what the source is")
    fields: dict[Annotated[str, Field(pattern=NAME_PATTERN)], FieldDef] = Field(title="字段 Fields", description="字段名 → 定义 / field name → definition")


class DataDictionary(Document):
    """数据字典 The applicant data products may read, by data source."""

    sources: dict[Annotated[str, Field(pattern=NAME_PATTERN)], SourceDef] = Field(title="数据源 Data sources", description="数据源名 → 字段 / source name → fields")

    def field(self, path: str) -> FieldDef | None:
        source, _, name = path.partition(".")
        src = self.sources.get(source)
        return src.fields.get(name) if src else None

    def paths(self) -> list[str]:
        return [f"{s}.{f}" for s, src in self.sources.items() for f in src.fields]


# ---------------------------------------------------------------- rules and rulesets


class RuleDoc(Document):
    """规则 A rule: a condition the applicant must meet, with its reason."""

    id: str = Field(pattern=RULE_ID_PATTERN, title="规则编号 Rule id", description="稳定的原因代码 / stable reason code, e.g. TAX_GRADE")
    when: Expression | None = Field(None, title="适用条件 When", description="仅在此条件成立时适用 / the rule applies only when this holds")
    rule: Expression = Field(title="规则 Rule", description="申请人须满足的条件 / must hold for the applicant to pass")
    message: str = Field(min_length=1, title="原因 Message", description="不通过时的原因,可用{字段}占位 / reason shown when the rule fails; {field} placeholders")
    message_missing: str | None = Field(None, min_length=1, title="缺数据原因 Message when data is missing",
                                        description="数据缺失(结果未知)时的原因;未写时自动生成“缺少数据: 字段” / reason shown when the rule cannot be decided for missing data; by default “缺少数据: <fields>”")
    action: Action = Field(title="处理 Action", description="decline 拒绝(硬规则)或 refer 转人工(软规则) / decline (hard rule) or refer to manual review (soft rule)")
    on_missing: Action = Field("refer", title="缺数据时 On missing", description="数据缺失时的处理 / what missing data means for the rule")
    advice: str | None = Field(None, min_length=1, title="建议 Advice",
                               description="拒绝通知书上给客户的改进建议(可补救的原因) / what the customer can do, printed on the decline notice")


class RulesetDoc(Document):
    """规则集 A named, parameterised set of rules that products combine."""

    code: str = Field(pattern=NAME_PATTERN, title="规则集代码 Code", description="唯一代码 / unique code, e.g. credit_bureau")
    name: str = Field(min_length=1, title="名称 Name", description="中文名称 / Chinese name")
    description: str | None = Field(None, title="说明 Description", description="用途说明 / what the ruleset checks")
    params: dict[str, ParamValue] = Field(default_factory=dict, title="参数 Params", description="默认参数,产品可覆盖 / default params a product may override")
    rules: list[RuleDoc] = Field(min_length=1, title="规则 Rules", description="规则列表 / the rules")


class RulesetUse(Document):
    """规则集引用 A ruleset used by a product, with parameter overrides."""

    ruleset: str = Field(pattern=NAME_PATTERN, title="规则集 Ruleset", description="规则集代码 / ruleset code")
    params: dict[str, ParamValue] = Field(default_factory=dict, title="参数覆盖 Params", description="覆盖规则集参数 / overrides of the ruleset's params")


class RiskCombination(Document):
    """风控组合规则: a set of rulesets applied when a condition on the applicant holds."""

    id: str = Field(pattern=NAME_PATTERN, title="组合编号 Id", description="组合编号 / combination id")
    name: str = Field(min_length=1, title="名称 Name", description="中文名称 / Chinese name")
    when: Expression | None = Field(None, title="适用条件 When", description="条件成立时适用,缺省总是适用;条件无法判定时也适用 / applies when this holds; always when absent; applied when undecidable")
    rulesets: list[Union[Annotated[str, Field(pattern=NAME_PATTERN)], RulesetUse]] = Field(min_length=1, title="规则集 Rulesets", description="引用的规则集 / rulesets applied")

    def uses(self) -> list[RulesetUse]:
        return [RulesetUse(ruleset=u) if isinstance(u, str) else u for u in self.rulesets]


# ---------------------------------------------------------------- decision tables

Cell = Union[bool, int, Decimal, str, None, list[Union[int, Decimal, str]]]


class NoMatch(Document):
    """无匹配行 What happens when no row of a table matches."""

    output: dict[str, ParamScalar] | None = Field(None, title="默认输出 Output", description="无匹配时的输出 / outputs used when no row matches")
    action: Action | None = Field(None, title="处理 Action", description="或:拒绝/转人工 / or: decline / refer when no row matches")
    message: str | None = Field(None, title="原因 Message", description="处理为拒绝/转人工时的原因 / reason when an action applies")

    @model_validator(mode="after")
    def _one_outcome(self) -> "NoMatch":
        if (self.output is None) == (self.action is None):
            raise ValueError("no_match needs exactly one of 'output' or 'action'")
        if self.action is not None and not self.message:
            raise ValueError("no_match with an action needs a 'message'")
        return self


class TableDoc(Document):
    """决策表 A decision table: rows of input cells and outputs (rate spreads, grade caps, LTVs)."""

    id: str = Field(pattern=NAME_PATTERN, title="表编号 Id", description="读作 tables.<id>.<output> / read as tables.<id>.<output>")
    description: str | None = Field(None, title="说明 Description", description="用途说明 / what the table decides")
    hit_policy: Literal["first", "unique"] = Field(title="命中策略 Hit policy", description="first 取第一条匹配行;unique 只能有一行匹配 / first matching row, or exactly one row")
    inputs: list[Expression] = Field(min_length=1, title="输入 Inputs", description="输入表达式,每列一个 / one expression per input column")
    outputs: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(min_length=1, title="输出 Outputs", description="输出名称 / output names")
    rows: list[list[Cell]] = Field(min_length=1, title="行 Rows", description="输入单元格后接输出值 / input cells, then output values")
    no_match: NoMatch = Field(title="无匹配 No match", description="无匹配行时的结果(必填) / the explicit outcome when no row matches")

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

    id: str = Field(pattern=NAME_PATTERN, title="上限编号 Id", description="额度上限编号 / cap id, named as the binding cap")
    label: str = Field(min_length=1, title="名称 Label", description="中文名称 / Chinese label")
    kind: Literal["formula"] = Field("formula", title="类型 Kind", description="公式上限 / a formula cap")
    value: Expression = Field(title="公式 Value", description="上限金额表达式 / the cap in yuan")
    on_missing: Literal["refer", "skip"] = Field(
        "refer", title="缺数据时 On missing",
        description="refer 转人工且不出额度;skip 忽略该上限 / refer: no limit and manual review; skip: ignore this cap")

    def summary(self) -> str:
        return str(self.value).lower() if isinstance(self.value, bool) else " ".join(str(self.value).split())


def _cap_kind(value: object) -> str:
    # A cap without `kind:` is a formula cap, so products written before the other kinds load unchanged.
    if isinstance(value, dict):
        return str(value.get("kind", "formula"))
    return str(getattr(value, "kind", "formula"))


# A candidate cap of the limit: one of the limit-model kinds (engine.documents.caps), chosen by `kind`.
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
    """额度模型 The limit: the smallest of the candidate caps, rounded down to a step."""

    caps: list[CapComponent] = Field(min_length=1, title="额度上限 Caps", description="额度取各上限的最小值 / the limit is the smallest cap")
    round_down_to: Decimal = Field(Decimal(1), gt=0, title="取整步长 Step", description="向下取整的步长,如10000元 / step, e.g. 10000 yuan")
    min_amount: Expression | None = Field(None, title="最低额度 Minimum", description="低于此额度不放款 / a smaller limit means no loan")
    below_min_action: Action = Field("decline", title="低于最低额度时 Below minimum", description="拒绝或转人工 / decline or refer")


class AdjustmentDoc(Document):
    """利率调整 A rate adjustment in basis points (channel, policy discounts)."""

    id: str = Field(pattern=NAME_PATTERN, title="编号 Id", description="调整项编号 / adjustment id")
    label: str = Field(min_length=1, title="名称 Label", description="中文名称 / Chinese label")
    when: Expression | None = Field(None, title="适用条件 When", description="条件成立时适用 / applies when this holds")
    bp: Expression = Field(title="基点 Basis points", description="加减的基点,负数为优惠 / basis points added; negative for a discount")


class PricingDoc(Document):
    """定价 Rate = base + spread + adjustments, within floor and cap, in basis points."""

    base_label: str = Field(min_length=1, title="基准名称 Base label", description="如 1年期LPR / e.g. 1年期LPR")
    base_bp: Expression = Field(title="基准利率 Base (bp)", description="基准利率基点,如 market.lpr_1y_bp / base rate in bp, e.g. market.lpr_1y_bp")
    spread_bp: Expression = Field(title="加点 Spread (bp)", description="加点,常取自决策表 / spread in bp, often from a table")
    adjustments: list[AdjustmentDoc] = Field(default_factory=list, title="调整 Adjustments", description="渠道、政策等调整 / channel or policy adjustments")
    floor_bp: Expression | None = Field(None, title="下限 Floor (bp)", description="利率下限 / lowest rate")
    cap_bp: Expression | None = Field(None, title="上限 Cap (bp)", description="利率上限 / highest rate")
    fees: list[FeeDoc] = Field(default_factory=list, title="费用 Fees", description="一次性和按期费用;报价显示年化利率 / one-off and periodic fees; offers show the APR")


class TermsDoc(Document):
    """期限 The terms an applicant may choose."""

    months: list[Annotated[int, Field(ge=1, le=600)]] = Field(min_length=1, title="期限(月) Months", description="可选期限 / the terms offered, in months")
    max_months: Expression | None = Field(None, title="最长期限 Max months", description="如按到期年龄限制 / e.g. capped by the borrower's age at maturity")
    revolving: bool = Field(False, title="循环 Revolving", description="循环额度,随借随还 / a revolving line")
    line_validity_months: int | None = Field(None, ge=1, le=120, title="额度有效期 Line validity", description="循环额度有效期(月) / validity of a revolving line, months")


class RepaymentOption(Document):
    """还款方式 A repayment method offered, optionally under a condition."""

    method: RepaymentMethodName = Field(title="还款方式 Method", description="等额本息、等额本金、按月付息到期还本、随借随还 / equal installment, equal principal, interest only, on demand")
    when: Expression | None = Field(None, title="适用条件 When", description="条件成立时提供 / offered when this holds")


class Effective(Document):
    """生效期 The dates a product version is in force (both inclusive)."""

    from_: date = Field(alias="from", title="生效日 From", description="起始日期 / first day in force")
    to: date | None = Field(None, title="失效日 To", description="截止日期,缺省长期有效 / last day in force; open-ended when absent")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="after")
    def _ordered(self) -> "Effective":
        if self.to is not None and self.to < self.from_:
            raise ValueError("effective.to is before effective.from")
        return self

    def covers(self, day: date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


# ---------------------------------------------------------------- product test cases (products/*.tests.yaml or `tests:`)


class PaymentExpectation(Document):
    """The first monthly payment of an offer on the evaluated rate."""

    term: int = Field(ge=1, le=600, description='期限(月) / term in months')
    method: RepaymentMethodName = Field(description='还款方式 / repayment method')
    amount: Decimal | None = Field(None, description="本金,缺省为额度 / principal; default: the limit")
    payment: Decimal = Field(description='首期月供 / first payment')


class Expectation(Document):
    """期望结果 What a test case expects: any part of the result."""

    decision: Literal["approve", "refer", "decline"] | None = Field(None, description='期望决策 / expected decision')
    reasons: list[str] | None = Field(None, description="恰好这些原因代码(不计顺序) / exactly these reason codes (any order)")
    reasons_include: list[str] | None = Field(None, description="至少包含这些原因代码 / at least these reason codes")
    reasons_exclude: list[str] | None = Field(None, description="不含这些原因代码 / none of these reason codes")
    limit: Decimal | None = Field(None, description="额度;不出额度写 limit: null / the limit offered; write `limit: null` for no limit")
    binding_cap: str | None = Field(None, description='期望约束上限 / expected binding cap')
    rate_bp: int | None = Field(None, description='期望利率(基点) / expected rate in basis points')
    rate: str | None = Field(None, description="最终利率百分比,如 '3.55%' / the final rate as a percentage, e.g. '3.55%'")
    monthly_payment: PaymentExpectation | None = Field(None, description='期望首期月供 / expected first monthly payment of an offer')


class CaseDoc(Document):
    """测试用例 One test case: an applicant, a date and the expected result."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    name: str = Field(min_length=1, description='用例名称 / case name')
    product: str | None = Field(None, description="产品代码、CODE@VERSION 或名称,缺省为文件的产品 / code, CODE@VERSION or name; default: the file's product")
    date: datetime.date | None = Field(None, description="评估日期 / evaluation date")
    applicant: Union[str, dict[str, Any], None] = Field(None, description="申请人文件(相对本文件)或内联申请人 / a file (relative to this file) or an inline applicant")
    with_: dict[str, Any] | None = Field(None, alias="with", description="按字段路径覆盖,null 表示删除 / dotted field overrides; null removes a field")
    packs: list[str] = Field(default_factory=list, description="本用例额外加载的产品包 / extra pack folders (relative to this file) for this case")
    expect: Expectation = Field(description='期望结果 / expected result')


class TestFileDoc(Document):
    """产品测试 Test cases of a product, beside it (*.tests.yaml) or inside it (`tests:`)."""

    product: str | None = Field(None, description='被测产品(缺省取文件名) / product under test (default: from the file name)')
    date: datetime.date | None = Field(None, description="缺省评估日期 / default evaluation date")
    applicant: Union[str, dict[str, Any], None] = Field(None, description='缺省申请人 / default applicant')
    packs: list[str] = Field(default_factory=list, description='额外的产品包 / extra packs')
    cases: list[CaseDoc] = Field(min_length=1, description='测试用例 / the cases')


class ProductDoc(Document):
    """贷款产品 A loan product: eligibility, risk controls, tables, limit, pricing, terms."""

    code: str = Field(pattern=CODE_PATTERN, title="产品代码 Code", description="ASCII代码,包内唯一 / ASCII code, unique in the pack")
    name: str = Field(min_length=1, title="产品名称 Name", description="中文产品名称 / Chinese product name")
    version: str = Field(pattern=r"^\d+(\.\d+){0,2}$", title="版本 Version", description="如 \"1.0\" / e.g. \"1.0\"")
    effective: Effective = Field(title="生效期 Effective", description="版本生效期,版本间不得重叠 / when this version is in force; versions must not overlap")
    description: str | None = Field(None, title="说明 Description", description="产品说明 / what the product is")
    borrower: Literal["individual", "enterprise"] = Field(title="借款人 Borrower", description="个人经营性贷款或企业贷款 / who signs: the owner or the enterprise")
    customer_types: list[CustomerType] = Field(min_length=1, title="客户类型 Customer types", description="适用客户类型 / customer types served")
    data_sources: list[Annotated[str, Field(pattern=NAME_PATTERN)]] = Field(min_length=1, title="数据源 Data sources", description="产品读取的数据源,须含 applicant / the data sources read; must include applicant")
    params: dict[Annotated[str, Field(pattern=NAME_PATTERN)], ParamValue] = Field(default_factory=dict, title="参数 Params", description="产品经理调整的参数 / every figure a product manager tunes")
    eligibility: list[RuleDoc] = Field(default_factory=list, title="准入规则 Eligibility", description="产品自身的准入规则 / the product's own rules")
    risk_controls: list[RiskCombination] = Field(default_factory=list, title="风控组合 Risk controls", description="按条件选用的规则集组合 / rulesets combined by condition")
    tables: list[TableDoc] = Field(default_factory=list, title="决策表 Tables", description="利率、额度等决策表 / decision tables")
    limit: LimitDoc = Field(title="额度模型 Limit", description="额度上限与取整 / caps and rounding")
    pricing: PricingDoc = Field(title="定价 Pricing", description="基准、加点、调整、上下限、费用 / base, spread, adjustments, floor, cap, fees")
    terms: TermsDoc = Field(title="期限 Terms", description="可选期限 / terms offered")
    repayment_methods: list[RepaymentOption] = Field(min_length=1, title="还款方式 Repayment methods", description="提供的还款方式 / repayment methods offered")
    tests: TestFileDoc | None = Field(None, title="测试用例 Tests", description="产品自带的测试用例(不参与内容哈希,变体不继承) / test cases written in the product file (not hashed, not inherited by variants)")
    contract: ContractDoc | None = Field(None, title="合同要素 Contract", description="借款合同要素页的贷款人、用途、受托支付、担保 / "
                                         "lender, purpose, entrusted payment, collateral, guarantee for the contract page")
    scorecards: list[ScorecardDoc] = Field(default_factory=list, title="评分卡 Scorecards", description="评分卡,读作 scores.<id>.score / .grade / read as scores.<id>.score and .grade")
    drawdown: DrawdownDoc | None = Field(None, title="用款规则 Drawdown", description="授信额度的用款规则 / rules every draw on a granted line must meet")

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
