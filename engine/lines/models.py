"""The documented results of the lines store: a line, a pool, an event, a repayment. Money is exact Decimal yuan."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.core.money import Money

LineState = Literal["active", "frozen", "expired", "closed"]


def to_cents(amount: Decimal) -> int:
    """Exact: the caller has already checked the amount is whole cents."""
    return int(amount * 100)


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LineEvent(Model):
    """One entry of the append-only log: every state change of a line or a pool is one of these."""

    seq: int = Field(description="position in the log, 1, 2, 3 …")
    kind: str = Field(description="granted, drawn, repaid, frozen, unfrozen, expired, closed, pool_opened, pool_loss, pool_suspended")
    line_id: str | None
    pool_id: str | None
    actor: str = Field(description="who made the change")
    at: str = Field(description="when it was recorded (UTC, ISO 8601)")
    on: date = Field(description="the business date it takes effect")
    rule: str | None = Field(description="the rule or reason code that decided it")
    evidence: dict[str, Any] = Field(default_factory=dict, description="the values that decided it")
    data: dict[str, Any] = Field(description="what changed: the figures the projection applies")
    key: str | None = Field(None, description="the request's idempotency key, when it had one")


class Line(Model):
    line_id: str
    customer_id: str
    enterprise_id: str | None
    borrower_name: str
    product_code: str
    product_version: str
    content_hash: str
    decision_id: str
    state: LineState
    limit: Money
    outstanding: Money
    available: Money
    drawn_total: Money
    draws_count: int
    interest_paid: Money
    revolving: bool
    valid_from: date
    valid_to: date
    maturity: date
    base_bp: int
    spread_bp: int
    rate_bp: int
    terms_months: list[int]
    repayment_methods: list[str]
    pool_id: str | None


class LineDetail(Model):
    line: Line
    events: list[LineEvent]


class Pool(Model):
    pool_id: str
    fund: Money = Field(description="the fund as it stands after losses drawn from it")
    initial_fund: Money
    leverage: str
    capacity: Money = Field(description="fund x leverage")
    used: Money = Field(description="outstanding under the pool")
    available: Money
    losses: Money = Field(description="all losses borne by the pool's parties")
    party_losses: dict[str, Money]
    suspended: bool
    suspended_reason: str | None


class Repayment(Model):
    line_id: str
    amount: Money
    interest: Money = Field(description="the part that paid accrued interest")
    principal: Money = Field(description="the part that reduced the outstanding")
    outstanding: Money
    available: Money
    event_seq: int


class StateChange(Model):
    line_id: str
    state: LineState
    event_seq: int
