"""Repayment schedules (还款计划), exact to the cent, computed with Decimal only.

Conventions
===========

Amounts are ``Decimal`` yuan. A loan principal must be a whole number of cents,
and every amount in a schedule is a whole number of cents (exactly two decimal
places). Rounding is always half up (四舍五入, ``ROUND_HALF_UP``) to the cent.
Floats are rejected with ``TypeError``; no computed amount ever passes through a
float.

Rates are yearly fractions: ``Decimal("0.049")`` is 4.9 % a year (use
``engine.money.parse_percent`` or ``engine.money.bp_to_rate`` to get one).

* Monthly rate = annual rate / 12, exactly. Each period's interest is
  ``balance × annual_rate / 12`` rounded half up to the cent, where ``balance``
  is the cent-exact outstanding balance after the previous period. The working
  decimal context (a private one, never the caller's) has at least 50 digits and
  enough to hold ``balance × annual_rate`` exactly, so the one division by 12
  decides half-cent ties exactly.
* 等额本息 (``equal_installment``): installment
  ``P·r·(1+r)^n / ((1+r)^n − 1)`` rounded half up to the cent (rate 0:
  ``P / n`` rounded). The installment is evaluated as an exact rational number
  (integer arithmetic on the rate's exact fraction) before the single rounding,
  because a truncated 50-digit evaluation can fall on the wrong side of an exact
  half cent: 14,406.00 yuan over 2 months at 1 % has an exact installment of
  7,212.005, which must round to 7,212.01. Principal part = installment −
  interest.
* 等额本金 (``equal_principal``): principal part = ``P / n`` rounded half up to
  the cent; payment = principal part + interest.
* 按月付息到期还本 / 先息后本 (``interest_only``): interest every month, the
  whole principal in the last period.
* 随借随还 (``on_demand``) in ``build_schedule``: the whole principal is drawn on
  ``start_date`` and kept until maturity; interest accrues per day on a 360-day
  year and is paid at each period end: ``balance × annual_rate × days / 360``
  rounded half up to the cent, ``days`` being the actual days between
  consecutive due dates. Without a ``start_date`` every month counts as 30 days
  (so each period's interest equals the monthly-rate interest). The principal is
  repaid in the last period. For arbitrary draws and repayments use
  ``on_demand_interest``.
* In every method the LAST period's principal is the whole remaining balance, so
  the loan ends at exactly 0.00 and the last payment absorbs the rounding.
  A period's principal part is capped at the outstanding balance: a tiny loan
  whose rounded-up installment would repay it early shows zero-payment rows
  after the balance reaches 0.00 (balances never go negative).
* Each row satisfies ``payment == principal + interest`` and
  ``balance == previous balance − principal``.
* Due dates: when ``start_date`` is given, period k is due k months after it,
  same day of month, clamped to the month's last day (Jan 31 → Feb 28/29 →
  Mar 31; each date is computed from ``start_date``, not from the previous due
  date). Without ``start_date``, ``due_date`` is ``None``.
* Limits: principal > 0, term 1..600 months, 0 ≤ annual rate < 1.

APR: see ``engine.finance.apr``; text, CSV and JSON forms: ``engine.finance.schedule_render``.

Serialisation: ``Money`` fields are ``Decimal`` in Python and strings with
exactly two decimals in JSON (``"5307.27"``); ``annual_rate`` is a decimal
string (``"0.049"``); due dates are ISO dates or ``null``.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from math import gcd

from pydantic import BaseModel, ConfigDict

from engine.core.money import CENT, CentMoney, format_money, round_cents
from engine.core.repayment import RepaymentMethod, parse_method
from engine.finance.apr import annual_percentage_rate
from engine.finance.exact import MIN_PRECISION, as_decimal, digits, validate_rate, work_context

__all__ = [
    "MAX_TERM_MONTHS",
    "MIN_PRECISION",
    "RepaymentMethod",
    "Schedule",
    "SchedulePeriod",
    "add_months",
    "annual_percentage_rate",
    "build_schedule",
    "on_demand_interest",
    "parse_method",
]

MAX_TERM_MONTHS = 600
DAYS_IN_YEAR = 360
_ZERO = Decimal("0.00")
_TWELVE = Decimal(12)
_YEAR_DAYS = Decimal(DAYS_IN_YEAR)


# --------------------------------------------------------------------------- models


class SchedulePeriod(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    period: int
    due_date: date | None
    payment: CentMoney
    principal: CentMoney
    interest: CentMoney
    balance: CentMoney


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    method: RepaymentMethod
    principal: CentMoney
    annual_rate: Decimal
    term_months: int
    periods: list[SchedulePeriod]
    total_interest: CentMoney
    total_payment: CentMoney


# --------------------------------------------------------------------------- helpers


def _validate_principal(principal: object) -> Decimal:
    p = as_decimal(principal, "principal")
    if p <= 0:
        raise ValueError(f"principal must be greater than 0, got {p}")
    if p != p.quantize(CENT, rounding=ROUND_HALF_UP, context=work_context(p.adjusted() + 5)):
        raise ValueError(f"principal must be a whole number of cents, got {p}")
    return p.quantize(CENT, context=work_context(p.adjusted() + 5))



def _validate_term(term_months: object) -> int:
    if isinstance(term_months, bool) or not isinstance(term_months, int):
        raise TypeError(f"term_months must be an int, got {type(term_months).__name__}")
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValueError(f"term_months must be between 1 and {MAX_TERM_MONTHS}, got {term_months}")
    return term_months



def _round_half_up_ratio(numerator: int, denominator: int) -> int:
    """Round numerator/denominator (both >= 0, denominator > 0) half up to an integer."""
    return (2 * numerator + denominator) // (2 * denominator)


def _installment(principal: Decimal, annual_rate: Decimal, n: int) -> Decimal:
    """Exact 等额本息 installment P·r·(1+r)^n / ((1+r)^n − 1), rounded half up to the cent."""
    cents = int(principal.scaleb(2))
    if annual_rate == 0:
        return Decimal(_round_half_up_ratio(cents, n)).scaleb(-2)
    rate_num, rate_den = annual_rate.as_integer_ratio()
    a, b = rate_num, 12 * rate_den  # monthly rate r = a / b
    g = gcd(a, b)
    a, b = a // g, b // g
    grown = (a + b) ** n  # (1+r)^n = grown / b^n
    numerator = cents * a * grown
    denominator = b * (grown - b**n)
    return Decimal(_round_half_up_ratio(numerator, denominator)).scaleb(-2)


def add_months(start: date, months: int) -> date:
    """start + months, same day of month clamped to the target month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --------------------------------------------------------------------------- schedules


def build_schedule(
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    method: RepaymentMethod | str,
    start_date: date | None = None,
) -> Schedule:
    """Build a cent-exact repayment schedule; see the module docstring for the conventions."""
    p = _validate_principal(principal)
    rate = validate_rate(annual_rate)
    n = _validate_term(term_months)
    method = parse_method(method)
    if start_date is not None and not isinstance(start_date, date):
        raise TypeError(f"start_date must be a datetime.date, got {type(start_date).__name__}")

    if start_date is None:
        due_dates: list[date | None] = [None] * n
    else:
        due_dates = [add_months(start_date, k) for k in range(1, n + 1)]

    ctx = work_context(digits(p) + digits(rate) + 12)
    construct = SchedulePeriod.model_construct
    periods: list[SchedulePeriod] = []
    balance = p
    total_interest = _ZERO
    total_payment = _ZERO

    with localcontext(ctx):
        if method is RepaymentMethod.equal_installment:
            fixed = _installment(p, rate, n)
        elif method is RepaymentMethod.equal_principal:
            fixed = round_cents(p / n)
        else:
            fixed = _ZERO  # interest-only / on-demand: no principal before maturity

        previous_due = start_date
        for k in range(1, n + 1):
            due = due_dates[k - 1]
            if method is RepaymentMethod.on_demand:
                days = 30 if due is None or previous_due is None else (due - previous_due).days
                interest = round_cents(balance * rate * days / _YEAR_DAYS)
                previous_due = due
            else:
                interest = round_cents(balance * rate / _TWELVE)

            if k == n:
                principal_part = balance
            elif method is RepaymentMethod.equal_installment:
                principal_part = min(fixed - interest, balance)
            else:
                principal_part = min(fixed, balance)

            payment = principal_part + interest
            balance = balance - principal_part
            total_interest += interest
            total_payment += payment
            periods.append(
                construct(
                    period=k,
                    due_date=due,
                    payment=payment,
                    principal=principal_part,
                    interest=interest,
                    balance=balance,
                )
            )

    return Schedule.model_construct(
        method=method,
        principal=p,
        annual_rate=rate,
        term_months=n,
        periods=periods,
        total_interest=total_interest,
        total_payment=total_payment,
    )


def on_demand_interest(
    events: Iterable[tuple[date, Decimal]],
    annual_rate: Decimal,
    until: date,
) -> Decimal:
    """Interest accrued up to ``until`` on a 随借随还 credit line, rounded half up to the cent.

    ``events`` are ``(date, amount)``: a positive amount is a draw, a negative one a
    repayment, effective from that date (a balance held from day d1 to day d2 accrues
    ``d2 - d1`` days). Events are processed in date order (same-day events in the
    given order). Interest accrues daily on a 360-day year,
    ``balance × annual_rate / 360`` per day, summed exactly over the whole period and
    rounded once at the end. Raises ValueError if a repayment exceeds the balance
    outstanding at that moment, if an event falls after ``until``, or if an amount is
    zero or not a whole number of cents.
    """
    rate = validate_rate(annual_rate)
    if not isinstance(until, date):
        raise TypeError(f"until must be a datetime.date, got {type(until).__name__}")
    parsed: list[tuple[date, Decimal]] = []
    for index, event in enumerate(events):
        try:
            when, raw_amount = event
        except (TypeError, ValueError):
            raise ValueError(f"event {index} must be a (date, amount) pair, got {event!r}") from None
        if not isinstance(when, date):
            raise TypeError(f"event {index}: date must be a datetime.date, got {when!r}")
        amount = as_decimal(raw_amount, f"event {index} amount")
        if amount == 0:
            raise ValueError(f"event {index} on {when}: amount must not be zero")
        if amount != amount.quantize(CENT, context=work_context(amount.adjusted() + 5)):
            raise ValueError(f"event {index} on {when}: amount must be whole cents, got {amount}")
        if when > until:
            raise ValueError(f"event {index} on {when} is after the accrual end date {until}")
        parsed.append((when, amount))
    parsed.sort(key=lambda item: item[0])  # stable: same-day events keep their order

    size = sum(digits(abs(amount)) for _, amount in parsed) + 10
    with localcontext(work_context(size + digits(rate) + 20)):
        balance = Decimal(0)
        balance_days = Decimal(0)  # Σ balance × days, exact
        previous: date | None = None
        for when, amount in parsed:
            if previous is not None:
                balance_days += balance * (when - previous).days
            previous = when
            if amount < 0 and -amount > balance:
                raise ValueError(
                    f"repayment of {format_money(-amount)} on {when} exceeds the outstanding "
                    f"balance {format_money(balance)}"
                )
            balance += amount
        if previous is not None:
            balance_days += balance * (until - previous).days
        return round_cents(balance_days * rate / _YEAR_DAYS)
