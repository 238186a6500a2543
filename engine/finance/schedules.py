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

APR (``annual_percentage_rate``): the nominal annual rate ``12 × i`` where ``i``
is the monthly internal rate of return of the cash flows "receive
``principal_received`` at month 0, pay ``payments[k-1]`` at month k". It is
solved in Decimal (50 digits) by Newton's method to better than 1e-20 on the
monthly rate and returned rounded half up to 0.0001 percent, i.e. a fraction
with six decimals such as ``Decimal("0.049000")``.

Serialisation: ``Money`` fields are ``Decimal`` in Python and strings with
exactly two decimals in JSON (``"5307.27"``); ``annual_rate`` is a decimal
string (``"0.049"``); due dates are ISO dates or ``null``.
"""
from __future__ import annotations

import calendar
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import Enum
from math import gcd
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer

from engine.core.money import CENT, format_money

__all__ = [
    "MAX_TERM_MONTHS",
    "Money",
    "RepaymentMethod",
    "Schedule",
    "SchedulePeriod",
    "add_months",
    "annual_percentage_rate",
    "build_schedule",
    "on_demand_interest",
    "parse_method",
    "render_csv",
    "render_table",
    "schedule_to_json",
]

MAX_TERM_MONTHS = 600
MIN_PRECISION = 50
DAYS_IN_YEAR = 360
_ZERO = Decimal("0.00")
_TWELVE = Decimal(12)
_YEAR_DAYS = Decimal(DAYS_IN_YEAR)
_APR_QUANTUM = Decimal("0.000001")  # 0.0001 percent, as a fraction


# --------------------------------------------------------------------------- money type


def _whole_cents(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"money amount must be finite, got {value}")
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if cents != value:
        raise ValueError(f"money amount must be a whole number of cents, got {value}")
    return cents


Money = Annotated[
    Decimal,
    AfterValidator(_whole_cents),
    PlainSerializer(format_money, return_type=str, when_used="json"),
]
"""Decimal yuan, whole cents; serialised to JSON as a two-decimal string ("5307.27")."""


# --------------------------------------------------------------------------- methods


class RepaymentMethod(str, Enum):
    equal_installment = "equal_installment"  # 等额本息
    equal_principal = "equal_principal"  # 等额本金
    interest_only = "interest_only"  # 按月付息到期还本 (先息后本)
    on_demand = "on_demand"  # 随借随还

    @property
    def label_zh(self) -> str:
        """Chinese name, e.g. '等额本息'."""
        return _LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        """English name, e.g. 'equal installment'."""
        return self.value.replace("_", " ")


_LABELS_ZH: dict[RepaymentMethod, str] = {
    RepaymentMethod.equal_installment: "等额本息",
    RepaymentMethod.equal_principal: "等额本金",
    RepaymentMethod.interest_only: "按月付息到期还本",
    RepaymentMethod.on_demand: "随借随还",
}

_CHINESE_ALIASES: dict[str, RepaymentMethod] = {
    **{label: method for method, label in _LABELS_ZH.items()},
    "先息后本": RepaymentMethod.interest_only,
}


def _accepted_spellings() -> list[str]:
    spellings: list[str] = []
    for method in RepaymentMethod:
        spellings += [method.value.replace("_", "-"), method.value]
    return spellings + list(_CHINESE_ALIASES)


def parse_method(text: str) -> RepaymentMethod:
    """'equal-installment', 'equal_installment', '等额本息', '先息后本', ... -> RepaymentMethod.

    English names are case-insensitive; hyphens, underscores and spaces are interchangeable.
    """
    if isinstance(text, RepaymentMethod):
        return text
    if not isinstance(text, str):
        raise TypeError(f"repayment method must be a string, got {type(text).__name__}")
    cleaned = text.strip()
    if cleaned in _CHINESE_ALIASES:
        return _CHINESE_ALIASES[cleaned]
    key = cleaned.lower().replace("-", "_").replace(" ", "_")
    try:
        return RepaymentMethod(key)
    except ValueError:
        pass
    raise ValueError(
        f"unknown repayment method {text!r}; accepted: {', '.join(_accepted_spellings())}"
    )


# --------------------------------------------------------------------------- models


class SchedulePeriod(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    period: int
    due_date: date | None
    payment: Money
    principal: Money
    interest: Money
    balance: Money


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    method: RepaymentMethod
    principal: Money
    annual_rate: Decimal
    term_months: int
    periods: list[SchedulePeriod]
    total_interest: Money
    total_payment: Money


# --------------------------------------------------------------------------- helpers


def _as_decimal(value: object, name: str) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal (or int/str), not {type(value).__name__}")
    elif isinstance(value, (int, str)):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{name} is not a number: {value!r}") from None
    else:
        raise TypeError(f"{name} must be a Decimal (or int/str), not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return result


def _validate_principal(principal: object) -> Decimal:
    p = _as_decimal(principal, "principal")
    if p <= 0:
        raise ValueError(f"principal must be greater than 0, got {p}")
    if p != p.quantize(CENT, rounding=ROUND_HALF_UP, context=_work_context(p.adjusted() + 5)):
        raise ValueError(f"principal must be a whole number of cents, got {p}")
    return p.quantize(CENT, context=_work_context(p.adjusted() + 5))


def _validate_rate(annual_rate: object) -> Decimal:
    r = _as_decimal(annual_rate, "annual_rate")
    if not Decimal(0) <= r < Decimal(1):
        raise ValueError(
            f"annual_rate must be a fraction with 0 <= rate < 1 (e.g. 0.049 for 4.9%), got {r}"
        )
    return r


def _validate_term(term_months: object) -> int:
    if isinstance(term_months, bool) or not isinstance(term_months, int):
        raise TypeError(f"term_months must be an int, got {type(term_months).__name__}")
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValueError(f"term_months must be between 1 and {MAX_TERM_MONTHS}, got {term_months}")
    return term_months


def _digits(value: Decimal) -> int:
    return len(value.as_tuple().digits)


def _work_context(prec: int) -> Context:
    """A private context: never inherits the caller's precision, rounding or traps."""
    return Context(
        prec=max(MIN_PRECISION, prec),
        rounding=ROUND_HALF_UP,
        Emax=999_999,
        Emin=-999_999,
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )


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
    rate = _validate_rate(annual_rate)
    n = _validate_term(term_months)
    method = parse_method(method)
    if start_date is not None and not isinstance(start_date, date):
        raise TypeError(f"start_date must be a datetime.date, got {type(start_date).__name__}")

    if start_date is None:
        due_dates: list[date | None] = [None] * n
    else:
        due_dates = [add_months(start_date, k) for k in range(1, n + 1)]

    ctx = _work_context(_digits(p) + _digits(rate) + 12)
    construct = SchedulePeriod.model_construct
    periods: list[SchedulePeriod] = []
    balance = p
    total_interest = _ZERO
    total_payment = _ZERO

    with localcontext(ctx):
        if method is RepaymentMethod.equal_installment:
            fixed = _installment(p, rate, n)
        elif method is RepaymentMethod.equal_principal:
            fixed = (p / n).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            fixed = _ZERO  # interest-only / on-demand: no principal before maturity

        previous_due = start_date
        for k in range(1, n + 1):
            due = due_dates[k - 1]
            if method is RepaymentMethod.on_demand:
                days = 30 if due is None or previous_due is None else (due - previous_due).days
                interest = (balance * rate * days / _YEAR_DAYS).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
                previous_due = due
            else:
                interest = (balance * rate / _TWELVE).quantize(CENT, rounding=ROUND_HALF_UP)

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
    rate = _validate_rate(annual_rate)
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
        amount = _as_decimal(raw_amount, f"event {index} amount")
        if amount == 0:
            raise ValueError(f"event {index} on {when}: amount must not be zero")
        if amount != amount.quantize(CENT, context=_work_context(amount.adjusted() + 5)):
            raise ValueError(f"event {index} on {when}: amount must be whole cents, got {amount}")
        if when > until:
            raise ValueError(f"event {index} on {when} is after the accrual end date {until}")
        parsed.append((when, amount))
    parsed.sort(key=lambda item: item[0])  # stable: same-day events keep their order

    size = sum(_digits(abs(amount)) for _, amount in parsed) + 10
    with localcontext(_work_context(size + _digits(rate) + 20)):
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
        return (balance_days * rate / _YEAR_DAYS).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- APR


def annual_percentage_rate(principal_received: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """Nominal APR (12 × monthly IRR) of receiving ``principal_received`` now and paying
    ``payments[k-1]`` at the end of month k, as a fraction rounded half up to 0.0001 %.

    Solves Σ payments_k · v^k = principal_received for the discount factor v = 1/(1+i)
    by Newton's method in Decimal. The left side is increasing and convex in v, so the
    iteration converges from any start (at most one step lands right of the root, then
    it decreases monotonically); it stops when a step changes v by less than 1e-20.
    """
    received = _as_decimal(principal_received, "principal_received")
    if received <= 0:
        raise ValueError(f"principal_received must be greater than 0, got {received}")
    flows = [_as_decimal(pmt, f"payments[{i}]") for i, pmt in enumerate(payments)]
    if not flows:
        raise ValueError("payments must not be empty")
    if any(pmt < 0 for pmt in flows):
        raise ValueError("payments must not be negative")
    if not any(pmt > 0 for pmt in flows):
        raise ValueError("at least one payment must be positive")

    tolerance = Decimal("1e-20")
    with localcontext(_work_context(MIN_PRECISION)):
        reversed_flows = flows[::-1]
        v = Decimal(1)
        for _ in range(200):
            value = Decimal(0)  # Σ p_k v^k
            slope = Decimal(0)  # d/dv Σ p_k v^k
            for pmt in reversed_flows:
                slope = slope * v + value + pmt
                value = (value + pmt) * v
            step = (value - received) / slope
            v -= step
            if abs(step) < tolerance:
                break
        else:  # pragma: no cover - the convexity argument guarantees convergence
            raise ArithmeticError("APR iteration did not converge")
        monthly = 1 / v - 1
        return (monthly * _TWELVE).quantize(_APR_QUANTUM, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- rendering


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _display_width(text))
    return fill + text if right else text + fill


def _percent(rate: Decimal) -> str:
    text = f"{(rate * 100).normalize():f}"
    return f"{text}%"


def render_table(schedule: Schedule) -> str:
    """Plain-text table with aligned columns, thousands separators and a 中文/English header.

    Columns: 期数 Period, 还款日 Due date (only when the schedule has due dates),
    月供 Payment, 本金 Principal, 利息 Interest, 剩余本金 Balance, then a 合计 Total row.
    Chinese characters count as two columns wide.
    """
    periods = schedule.periods
    has_dates = any(row.due_date is not None for row in periods)
    zh = ["期数", "还款日", "月供", "本金", "利息", "剩余本金"]
    en = ["Period", "Due date", "Payment", "Principal", "Interest", "Balance"]
    right = [True, False, True, True, True, True]
    if has_dates:
        rows = [
            [
                str(r.period),
                r.due_date.isoformat() if r.due_date is not None else "-",
                f"{r.payment:,.2f}",
                f"{r.principal:,.2f}",
                f"{r.interest:,.2f}",
                f"{r.balance:,.2f}",
            ]
            for r in periods
        ]
    else:
        del zh[1], en[1], right[1]
        rows = [
            [
                str(r.period),
                f"{r.payment:,.2f}",
                f"{r.principal:,.2f}",
                f"{r.interest:,.2f}",
                f"{r.balance:,.2f}",
            ]
            for r in periods
        ]
    principal_total = sum((r.principal for r in periods), _ZERO)
    total = ["合计 Total"] + ([""] if has_dates else []) + [
        f"{schedule.total_payment:,.2f}",
        f"{principal_total:,.2f}",
        f"{schedule.total_interest:,.2f}",
        "",
    ]

    widths = [max(_display_width(zh[i]), _display_width(en[i])) for i in range(len(zh))]
    for row in rows:  # data cells are ASCII: len == display width
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    for i, cell in enumerate(total):
        widths[i] = max(widths[i], _display_width(cell))

    gap = "  "
    rule = "-" * (sum(widths) + len(gap) * (len(widths) - 1))
    title = (
        f"{schedule.method.label_zh} {schedule.method.label_en} | "
        f"本金 Principal {schedule.principal:,.2f} | "
        f"年利率 Annual rate {_percent(schedule.annual_rate)} | "
        f"期限 Term {schedule.term_months} 个月 months"
    )
    lines = [
        title,
        gap.join(_pad(h, w, r) for h, w, r in zip(zh, widths, right)).rstrip(),
        gap.join(_pad(h, w, r) for h, w, r in zip(en, widths, right)).rstrip(),
        rule,
    ]
    ascii_specs = [(w, r) for w, r in zip(widths, right)]
    for row in rows:
        lines.append(
            gap.join(
                cell.rjust(w) if r else cell.ljust(w) for cell, (w, r) in zip(row, ascii_specs)
            ).rstrip()
        )
    lines.append(rule)
    lines.append(gap.join(_pad(c, w, r) for c, w, r in zip(total, widths, right)).rstrip())
    return "\n".join(lines) + "\n"


def render_csv(schedule: Schedule) -> str:
    """CSV with header ``period,due_date,payment,principal,interest,balance``.

    Amounts are plain two-decimal numbers (no separators); due_date is ISO or empty.
    """
    lines = ["period,due_date,payment,principal,interest,balance"]
    for r in schedule.periods:
        due = r.due_date.isoformat() if r.due_date is not None else ""
        lines.append(
            f"{r.period},{due},{r.payment:.2f},{r.principal:.2f},{r.interest:.2f},{r.balance:.2f}"
        )
    return "\n".join(lines) + "\n"


def schedule_to_json(schedule: Schedule) -> str:
    """The schedule as JSON (indent 2); money fields are two-decimal strings."""
    return schedule.model_dump_json(indent=2)
