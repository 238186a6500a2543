"""Helpers the compiled expressions call at run time. All exact: Decimal in, Decimal or int out."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from typing import Any

from engine.core.decimals import bounded
from engine.core.money import round_half_up


def divide(a: int | Decimal, b: int | Decimal) -> Decimal | None:
    # Division by zero is a property of the data (e.g. no income), so it is unknown, not a crash.
    if b == 0:
        return None
    return Decimal(a) / b


def round_down(x: int | Decimal, step: int | Decimal) -> Decimal | None:
    if step <= 0:
        return None
    return (Decimal(x) / step).to_integral_value(rounding=ROUND_DOWN) * step


def floor(x: int | Decimal) -> int | Decimal:
    return _whole(x, ROUND_FLOOR)


def ceil(x: int | Decimal) -> int | Decimal:
    return _whole(x, ROUND_CEILING)


def _whole(x: int | Decimal, rounding: str) -> int | Decimal:
    # An int for ordinary magnitudes; a huge value stays a Decimal (no 10,000-digit int is ever built).
    if type(x) is int:
        return x
    whole = x.to_integral_value(rounding=rounding)  # type: ignore[union-attr]
    return int(whole) if whole.adjusted() < 40 else whole


def clamp(x: int | Decimal, lo: int | Decimal, hi: int | Decimal) -> int | Decimal:
    return min(max(x, lo), hi)


def years_since(day: date, today: date) -> int:
    """Whole years from day to today (an age, years in business)."""
    return today.year - day.year - ((today.month, today.day) < (day.month, day.day))


def months_since(day: date, today: date) -> int:
    """Whole months from day to today."""
    return (today.year - day.year) * 12 + today.month - day.month - (today.day < day.day)


def contains_any(items: tuple | frozenset, values: tuple | frozenset) -> bool:
    return not frozenset(items).isdisjoint(values)


def aggregate(op: str, items: Any, element: Any, keep: Any) -> Any:
    """any/all/count/sum/min/max over records (a tuple of field mappings), in three-valued logic: a filter or
    element that is unknown for a record makes the result unknown unless any/all is decided by another record."""
    if items is None:
        return None
    values = []
    unknown = False
    for item in items:
        kept = True if keep is None else keep(item)
        if kept is None:
            unknown = True
            continue
        if not kept:
            continue
        value = True if element is None else element(item)
        if value is None:
            unknown = True
        else:
            values.append(value)
    if op == "any":
        return True if any(values) else (None if unknown else False)
    if op == "all":
        return False if not all(values) else (None if unknown else True)
    if unknown:
        return None
    if op == "count":
        return len(values)
    if op == "sum":
        return sum(values, 0)
    if not values:
        return None  # the smallest of no records is unknown
    return min(values) if op == "min" else max(values)


RUNTIME_NAMESPACE = {
    "_aggregate": aggregate,
    "_bounded": bounded,
    "_contains_any": contains_any,
    "_divide": divide,
    "_round": round_half_up,
    "_round_down": round_down,
    "_floor": floor,
    "_ceil": ceil,
    "_clamp": clamp,
    "_years_since": years_since,
    "_months_since": months_since,
    "_min": min,
    "_max": max,
    "_abs": abs,
    "_len": len,
}
