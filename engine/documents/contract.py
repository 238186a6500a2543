"""The contract terms a product declares for its documents (借款合同要素): lender, purpose, entrusted
payment, collateral and guarantee. Only the documents read them; no decision depends on them.

engine.documents.models imports this module, so it restates the small document base (as caps.py does).
"""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class EntrustedPaymentDoc(_Doc):
    """受托支付: the bank pays the borrower's counterparty directly (流动资金贷款管理办法 第二十四条)."""

    above: Decimal = Field(ge=0, title="起点金额 Above",
                           description="单笔支付超过此金额(元)须受托支付;0 表示全部受托支付 / payments above this amount (yuan) "
                                       "go through entrusted payment; 0: every payment")
    clause: str | None = Field(None, min_length=1, title="条款 Clause", description="合同条款原文(可选) / the clause as printed, if not the default")


class ContractDoc(_Doc):
    """借款合同要素 What the pre-filled contract page prints beside the decision's figures."""

    lender: str = Field(min_length=1, title="贷款人 Lender", description="贷款人名称 / the lending bank as printed on the contract")
    purpose: str | None = Field(None, min_length=1, title="借款用途 Purpose",
                                description="默认借款用途(申请填写的 loan.purpose 优先) / default purpose (the applicant's loan.purpose wins)")
    entrusted_payment: EntrustedPaymentDoc | None = Field(None, title="受托支付 Entrusted payment",
                                                          description="受托支付条款 / the entrusted-payment clause")
    collateral: str | None = Field(None, min_length=1, title="抵押 Collateral", description="抵押/质押担保的说明 / the collateral, in words")
    guarantee: str | None = Field(None, min_length=1, title="保证 Guarantee", description="保证担保的说明 / the guarantee, in words")
