"""The `drawdown:` section of a product: the declared limits a draw on a granted line must meet."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DrawRuleDoc(BaseModel):
    """用款规则 A declared draw rule in the expression language over line.*, draw.*, pool.*, exposure.* and applicant data."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", title="规则编号 Rule id", description="稳定的原因代码 / stable reason code")
    rule: str = Field(min_length=1, title="规则 Rule", description="用款须满足的条件 / must hold for the draw to pass")
    message: str = Field(min_length=1, title="原因 Message", description="不通过时的原因 / reason shown when the rule fails")
    action: Literal["decline", "refer"] = Field(title="处理 Action", description="decline 拒绝或 refer 转人工 / decline or refer")
    on_missing: Literal["decline", "refer"] = Field("refer", title="缺数据时 On missing", description="数据缺失时的处理 / what missing data means")


class DrawdownDoc(BaseModel):
    """用款规则 Drawdown rules, checked on every draw beside the built-in state/validity/balance checks."""

    # Same strictness as every other document section: a misspelt key is an error, never ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    min_amount: Decimal | None = Field(None, gt=0, title="单笔最低 Min draw", description="单笔用款下限(元) / smallest single draw, yuan")
    max_amount: Decimal | None = Field(None, gt=0, title="单笔最高 Max draw", description="单笔用款上限(元) / largest single draw, yuan")
    max_draws: int | None = Field(None, ge=1, title="用款次数 Max draws", description="额度有效期内最多用款次数 / most draws over the line's life")
    max_term_months: int | None = Field(None, ge=1, title="单笔最长期限 Max term", description="单笔用款最长期限(月) / longest term of one draw, months")
    entrusted_above: Decimal | None = Field(None, ge=0, title="受托支付起点 Entrusted payment above", description="单笔超过此金额须受托支付 / a draw above this amount must be paid to the payee directly")
    payees: list[str] | None = Field(None, title="收款方名单 Payee list", description="受托支付收款方须在此名单内(供应链场景) / entrusted payees must be on this list (supply-chain scene)")
    pool: str | None = Field(None, title="风险补偿资金池 Pool", description="用款计入的风险补偿资金池 / the risk compensation pool draws count against")
    exposure_cap: Decimal | None = Field(None, gt=0, title="单户授信总额 Exposure cap", description="用款后客户在本行的授信总额上限(元) / the customer's total exposure after the draw, yuan")
    recheck: list[Literal["blacklist", "risk_warning", "overdue"]] = Field(default_factory=list, title="用款复核 Re-checks", description="用款时复核的申请人数据 / applicant facts re-checked at draw time")
    rules: list[DrawRuleDoc] = Field(default_factory=list, title="自定义用款规则 Rules", description="以表达式声明的用款规则 / draw rules in the expression language")
    missing_data: Literal["decline", "refer"] = Field("refer", title="数据缺失 Missing data", description="复核数据缺失时的处理 / what a missing re-check fact leads to")
