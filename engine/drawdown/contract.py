"""The models the lines store and the drawdown decision share.

The store builds a LineView inside its locked transaction, calls decide_draw and records the draw
only on "approve". Fields may be added later, never renamed or removed, because stored events and
the store's code read them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from engine.core.money import Money

LineState = Literal["active", "frozen", "expired", "closed"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DrawRequest(_Frozen):
    """One draw as the borrower asks for it (amount validated to whole cents by the store)."""

    amount: Money
    term_months: int
    on: date
    payee: str | None = None
    payee_account: str | None = None
    key: str | None = None  # idempotency key: the store enforces it, not decide_draw


class LineView(_Frozen):
    """The line as the store sees it at draw time, inside the lock."""

    line_id: str
    customer_id: str
    enterprise_id: str | None
    borrower_name: str
    product_code: str
    product_version: str
    state: LineState
    limit: Money
    outstanding: Money
    available: Money  # limit - outstanding (revolving) or limit - drawn_total (non-revolving)
    drawn_total: Money
    draws_count: int
    revolving: bool
    valid_from: date
    valid_to: date  # last day draws are allowed
    maturity: date  # the line's final maturity; a draw must be repaid by it
    rate_bp: int
    pool_id: str | None = None


class PoolView(_Frozen):
    """A risk compensation pool's standing at draw time."""

    pool_id: str
    capacity: Money  # fund x leverage
    used: Money  # outstanding under the pool
    suspended: bool


class ExposureView(_Frozen):
    """The customer's total exposure at this bank (outstanding + undrawn committed, all lines)."""

    customer_total: Money
    enterprise_total: Money


class DrawReason(_Frozen):
    """Why a draw was declined or referred: an id, a plain Chinese message and the deciding values."""

    code: str  # e.g. DR_BALANCE, DR_FROZEN, or a product rule id
    kind: Literal["decline", "refer", "unknown"]
    message: str
    values: dict[str, str | int | bool | None]  # amounts as '1234.00' strings


class DrawDecision(_Frozen):
    """The outcome of one draw request; reads like a grant Decision."""

    line_id: str
    decision: Literal["approve", "refer", "decline"]
    reasons: list[DrawReason]
    amount: Money
    term_months: int
    entrusted_payment: bool  # 受托支付 required for this draw
    product_code: str
    product_version: str
    content_hash: str
