"""The cash-flow method of micro-credit analysis: the largest principal a borrower can service.

The installment tested is the borrower's largest regular monthly payment, computed exactly as
engine.finance.schedules builds the schedule (integer cents, interest rounded half up each month, the last
period absorbing the rounding):

  equal_installment (等额本息)   the largest payment of the schedule (the fixed installment, or the
                                 last one when rounding makes it a few cents larger)
  equal_principal (等额本金)     the largest payment of the schedule (the first, barring rounding)
  interest_only (按月付息到期还本), on_demand (随借随还)
                                 the monthly interest; the principal due at maturity is refinanced
                                 or repaid from the revolving line, so it is not a monthly outflow

max_principal finds the largest multiple of `step` whose installment is at most the allowance, and
guarantees what a credit officer checks: its installment fits, and one step more would not.
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from engine.core.money import CENT
from engine.core.repayment import METHOD_NAMES
from engine.finance.schedules import MAX_TERM_MONTHS, _installment  # the schedule's own 等额本息 formula


class Unbounded(ValueError):
    """No principal is too large: at a zero rate an interest-only installment is always zero."""


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def installment_cents(principal_cents: int, annual_rate: Decimal, term: int, method: str) -> int:
    """The largest regular monthly payment, in cents, of the schedule engine.finance.schedules would build."""
    if principal_cents <= 0:
        return 0
    num, den = annual_rate.as_integer_ratio()
    den *= 12  # monthly rate = num / den exactly

    def interest(balance: int) -> int:
        return _half_up(balance * num, den)

    if method in ("interest_only", "on_demand"):
        return interest(principal_cents)  # 30-day months: on-demand interest equals the monthly rate's
    if method == "equal_installment":
        fixed = _cents(_installment(Decimal(principal_cents).scaleb(-2), annual_rate, term))
    else:
        fixed = _half_up(principal_cents, term)
    balance, largest = principal_cents, 0
    for period in range(1, term + 1):
        due = interest(balance)
        if period == term:
            part = balance
        elif method == "equal_installment":
            part = min(fixed - due, balance)
        else:
            part = min(fixed, balance)
        largest = max(largest, part + due)
        balance -= part
    return largest


def installment(principal: Decimal, annual_rate: Decimal, term: int, method: str) -> Decimal:
    return Decimal(installment_cents(_cents(principal), annual_rate, term, method)).scaleb(-2)


def allowance(monthly_cash_flow: Decimal, ratio: Decimal, existing: Decimal) -> Decimal:
    """ratio x cash flow - existing installments, rounded down to the cent (never in the borrower's favour)."""
    return (Decimal(monthly_cash_flow) * Decimal(ratio) - Decimal(existing)).quantize(CENT, rounding=ROUND_FLOOR)


def max_principal(allowed: Decimal, annual_rate: Decimal, term: int, method: str, step: Decimal) -> Decimal:
    """The largest multiple of step whose installment is at most `allowed` (0 when not even one step fits).

    Starts from the closed-form estimate, then walks: up while one step more still fits, down while
    the candidate does not fit. The walk, not the estimate, is what guarantees the result, so cent
    rounding (which can make the installment non-monotonic by a cent) cannot break it.
    """
    if method not in METHOD_NAMES:
        raise ValueError(f"unknown repayment method {method!r}")
    if not 1 <= term <= MAX_TERM_MONTHS:
        raise ValueError(f"term must be 1..{MAX_TERM_MONTHS} months, got {term}")
    if step <= 0:
        raise ValueError("step must be positive")
    allowed_cents = _cents(allowed.quantize(CENT, rounding=ROUND_FLOOR))
    if allowed_cents < 0:
        return Decimal(0)
    step_cents = _cents(Decimal(step).quantize(CENT, rounding=ROUND_FLOOR)) or 1
    if annual_rate == 0 and method in ("interest_only", "on_demand"):
        raise Unbounded("at a zero rate the monthly interest is zero for any principal")

    def fits(k: int) -> bool:
        return installment_cents(k * step_cents, annual_rate, term, method) <= allowed_cents

    k = max(int(_estimate(Decimal(allowed_cents), annual_rate, term, method) // step_cents), 0)
    # Bracket the answer by galloping from the estimate (fits(lo), not fits(hi)), then bisect.
    stride = 1
    if fits(k):
        lo = k
        while fits(lo + stride):
            lo += stride
            stride *= 2
        hi = lo + stride
    else:
        hi = k
        while hi - stride > 0 and not fits(hi - stride):
            hi -= stride
            stride *= 2
        lo = max(hi - stride, 0)
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if fits(middle):
            lo = middle
        else:
            hi = middle
    k = lo
    while fits(k + 1):  # never stop where one more step would still fit
        k += 1
    return Decimal(k * step_cents).scaleb(-2)


def _estimate(allowed_cents: Decimal, annual_rate: Decimal, term: int, method: str) -> Decimal:
    """The principal (in cents) whose exact, unrounded installment equals the allowance."""
    r = annual_rate / 12
    if method in ("interest_only", "on_demand"):
        return allowed_cents / r
    if method == "equal_principal":
        return allowed_cents / (Decimal(1) / term + r)
    if r == 0:
        return allowed_cents * term
    growth = (1 + r) ** term
    return allowed_cents * (growth - 1) / (r * growth)
