"""A schedule asked for as typed text (amount, yearly rate, term, method, start), checked and built."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from engine.core.dates import parse_day
from engine.core.errors import UsageError
from engine.core.money import parse_percent
from engine.finance.schedules import Schedule, build_schedule, parse_method


def schedule_from_text(amount: str, rate: str, term: int, method: str | None, start: str | None) -> Schedule:
    """The schedule of amount yuan at rate percent a year; any unreadable value is a UsageError."""
    try:
        principal = Decimal(amount.replace(",", ""))
        annual = parse_percent(rate)
        chosen = parse_method(method or "equal-installment")
        start_day = parse_day(start) if start else None
        return build_schedule(principal, annual, term, chosen, start_day)
    except InvalidOperation:
        raise UsageError(f"--amount: {amount!r} is not a number") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
