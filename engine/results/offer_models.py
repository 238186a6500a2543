"""Offers: what a customer is shown (part of the JSON contract of `pf evaluate --offers` and
`pf schedule PRODUCT APPLICANT`).

An offer is an amount, a term, a repayment method and the rate the product prices them at, with the
repayment schedule, the fees and the annualised rate (APR) computed by IRR over the actual cash
flows. Money is a string with two decimals; rates are integer basis points with a percent string.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.core.money import Money


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class FeeCharge(Model):
    id: str
    label: str
    kind: Literal["one_off", "periodic"]
    collected: Literal["upfront", "deducted", "with_installment"]
    total: Money = Field(description="the fee over the whole loan")
    first: Money = Field(description="one-off: the fee; periodic: the first period's fee")
    condition: Literal["applies", "unknown_charged"] = Field(
        description="unknown_charged: its condition could not be decided, so it is charged (the APR is never understated)")


class OfferPeriod(Model):
    period: int
    due_date: date | None
    payment: Money = Field(description="principal + interest")
    principal: Money
    interest: Money
    fee: Money = Field(description="periodic fees due with this installment")
    total_due: Money = Field(description="payment + fee")
    balance: Money


class Offer(Model):
    decision: Literal["approve", "refer"] = Field(description="the decision at this amount, term and method")
    amount: Money
    limit: Money = Field(description="the limit at this term and method")
    term_months: int
    method: str
    method_label: str
    rate_bp: int
    rate_percent: str
    apr_bp: int = Field(description="annualised rate by IRR over the actual cash flows, rounded half up to 0.01%")
    apr_percent: str
    first_payment: Money = Field(description="first installment including periodic fees")
    largest_payment: Money = Field(description="largest installment including periodic fees")
    total_interest: Money
    total_fees: Money
    upfront_fees: Money = Field(description="one-off fees paid at signing")
    deducted_fees: Money = Field(description="one-off fees deducted from the payout")
    net_disbursed: Money = Field(description="what the borrower receives: amount - deducted fees")
    total_payment: Money = Field(description="principal + interest + every fee")
    fees: list[FeeCharge]
    schedule: list[OfferPeriod] | None = None


class Unavailable(Model):
    term_months: int | None
    method: str | None
    reason: str


class OffersResult(Model):
    requested_amount: Money | None
    requested_term_months: int | None
    requested_method: str | None
    start_date: date | None
    offers: list[Offer]
    unavailable: list[Unavailable] = Field(description="combinations asked for but not offered, with why")
