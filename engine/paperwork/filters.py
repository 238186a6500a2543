"""Template filters for Chinese loan documents: money, rates, dates and terms, all from exact values."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from engine.paperwork.capitals import capitals


def _decimal(value: object, what: str) -> Decimal:
    # floats are not exact; every amount and rate reaches a document as Decimal, int or str
    if isinstance(value, (bool, float)):
        raise TypeError(f"{what} takes a Decimal, int or str, not {type(value).__name__}")
    result = value if isinstance(value, Decimal) else Decimal(str(value))
    if not result.is_finite():
        raise ValueError(f"{what}: not a number: {value!r}")
    return result


def money(amount: object) -> str:
    """Money in figures with thousands separators and two decimals: 1000000 -> 1,000,000.00."""
    value = _decimal(amount, "money").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:,.2f}"


def percent(rate_bp: object, places: int = 2) -> str:
    """A rate in basis points as a percentage: 385 -> 3.85%."""
    value = _decimal(rate_bp, "percent") / 100
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def spread(spread_bp: object) -> str:
    """A spread over LPR in basis points, signed: 50 -> 加50个基点, -20 -> 减20个基点, 0 -> 持平."""
    value = _decimal(spread_bp, "spread")
    if value == 0:
        return "持平"
    word = "加" if value > 0 else "减"
    return f"{word}{abs(value).normalize():f}个基点"


def lpr_rate(lpr_bp: object, spread_bp: object, tenor: str = "1年期") -> str:
    """A rate as LPR + spread: (345, 50) -> 1年期LPR(3.45%)加50个基点, 即3.95%."""
    total = _decimal(lpr_bp, "lpr_rate") + _decimal(spread_bp, "lpr_rate")
    return f"{tenor}LPR({percent(lpr_bp)}){spread(spread_bp)},即{percent(total)}"


def cn_date(value: object) -> str:
    """An ISO date as written in Chinese documents: 2026-12-01 -> 2026年12月1日."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


def months(term: object) -> str:
    """A term in months: 36 -> 36个月; whole years get the year too: 36 -> 36个月(3年)."""
    count = int(_decimal(term, "months"))
    if count >= 12 and count % 12 == 0:
        return f"{count}个月({count // 12}年)"
    return f"{count}个月"


FILTERS: dict[str, Callable[..., str]] = {
    "money": money,
    "capitals": capitals,
    "percent": percent,
    "spread": spread,
    "lpr_rate": lpr_rate,
    "cn_date": cn_date,
    "months": months,
}
