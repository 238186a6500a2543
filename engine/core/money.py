"""Exact money and rate helpers: Decimal yuan rounded half up to the cent, rates in basis points."""
from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer

from engine.core.limits import number_problem

CENT = Decimal("0.01")
ONE_BP = Decimal("0.0001")


def round_half_up(value: Decimal | int, digits: int = 0) -> Decimal:
    """Round half up (四舍五入) to `digits` decimals, in the current decimal context.

    The one rounding rule of the engine: money, rates, APRs, shares and the expression function round().
    """
    quantum = _QUANTA[digits] if 0 <= digits < len(_QUANTA) else Decimal(1).scaleb(-digits)
    try:
        return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        # Only a value with more digits than the context's precision fails; any such value has no digits
        # below the quantum (a value made in the context has at most `prec` of them), so it is already rounded.
        exact = Decimal(value)
        if exact.is_finite() and exact.as_tuple().exponent >= -digits:  # type: ignore[operator]
            return exact
        raise


_QUANTA = tuple(Decimal(1).scaleb(-digits) for digits in range(13))  # schedules round thousands of times


def round_cents(amount: Decimal | int) -> Decimal:
    """Round half up (四舍五入) to the cent."""
    return round_half_up(amount, 2)


def round_down_to_step(amount: Decimal | int, step: Decimal | int) -> Decimal:
    """Round a non-negative amount down to a whole multiple of step (e.g. 10,000 yuan)."""
    if step <= 0:
        return Decimal(amount).quantize(CENT, rounding=ROUND_DOWN)
    # Decimal // truncates toward zero, which is rounding down for the non-negative amounts here.
    return Decimal(amount) // step * step


def format_money(amount: Decimal | int) -> str:
    """Plain machine form, always two decimals: '1234567.80'."""
    return f"{round_cents(amount):.2f}"


def format_money_grouped(amount: Decimal | int) -> str:
    """Human form with thousands separators: '1,234,567.80'."""
    return f"{round_cents(amount):,.2f}"


def bp_to_percent(bp: int) -> str:
    """385 -> '3.85%'. Basis points are integers, so this is exact."""
    sign = "-" if bp < 0 else ""
    whole, frac = divmod(abs(bp), 100)
    return f"{sign}{whole}.{frac:02d}%"


def bp_to_rate(bp: int) -> Decimal:
    """385 -> Decimal('0.0385'), the annual rate as a fraction."""
    return Decimal(bp) * ONE_BP


_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?\Z")
_EXPONENT = re.compile(r"[0-9.]+[eE][+-]?[0-9]+\Z")
MAX_PERCENT = Decimal(100)  # a yearly rate is a fraction below 1, so in percent below 100


def parse_percent(text: str, option: str = "--rate") -> Decimal:
    """'4.9' or '4.9%' (a yearly rate in percent) -> Decimal('0.049'). Raises ValueError with a readable message
    that says what was given and in which unit: `490` is 490 %, not a rate anyone lends at."""
    cleaned = text.strip().removesuffix("%").strip()
    if not _NUMBER.match(cleaned):
        raise ValueError(f"{option}: {text!r} is not a yearly rate in percent (expected e.g. 4.9 or 4.9%)")
    value = Decimal(cleaned)
    if number_problem(value) is not None or value >= MAX_PERCENT:
        raise ValueError(f"{option}: got {cleaned}%, a yearly rate in percent must be below 100 "
                         f"(e.g. 4.9 for 4.9% a year; give the rate in percent, not in basis points or per mille)")
    return value / 100


def parse_amount(text: str, option: str = "--amount") -> Decimal:
    """Yuan as typed: '1000000', '1,000,000' or '1000000.50'. A comma is only a thousands separator (groups of
    three digits), so '1,5' (a decimal comma) is refused rather than read as 15."""
    cleaned = text.strip()
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        raise ValueError(f"{option}: {text!r} is not an amount: a comma may only separate thousands (1,000,000); "
                         f"write decimals with a point (1.5)")
    if cleaned.startswith("-") and _NUMBER.match(cleaned[1:]):
        raise ValueError(f"{option}: {text!r} is negative; an amount is at least 0.01 yuan")
    if _EXPONENT.match(cleaned):
        raise ValueError(f"{option}: {text!r} is in exponent notation; write the amount in full yuan (e.g. 1000000)")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"{option}: {text!r} is not a number (expected yuan, e.g. 1000000 or 1,000,000.00)")
    value = Decimal(cleaned)
    problem = number_problem(value)
    if problem is not None:
        raise ValueError(f"{option}: {text!r} {problem}")
    return value


Money = Annotated[Decimal, PlainSerializer(format_money, return_type=str, when_used="json")]
"""Decimal yuan in Python; in JSON a string with exactly two decimals ("5307.27")."""


def _whole_cents(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"money amount must be finite, got {value}")
    cents = round_cents(value)
    if cents != value:
        raise ValueError(f"money amount must be a whole number of cents, got {value}")
    return cents


CentMoney = Annotated[Money, AfterValidator(_whole_cents)]
"""Money that must already be whole cents when validated (repayment schedules)."""
