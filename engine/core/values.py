"""How data values look in messages and in JSON."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.core.money import format_money_grouped


def format_value(value: Any) -> str:
    """A value inside a Chinese reason message: thousands separators, no float noise."""
    if value is None:
        return "缺失"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"{value:,.0f}"
        return f"{value.normalize():,f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, frozenset, set)):
        return "、".join(format_value(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
    return str(value)


YUAN = "元"


def fill_placeholder(text: str, placeholder: str, value: Any) -> str:
    """text with placeholder replaced by value. Where the template writes 元 right after it, the value is an
    amount of money and is shown as money is, with two decimals (3,200.50元, never 3,200.5元)."""
    if placeholder + YUAN in text and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        text = text.replace(placeholder + YUAN, format_money_grouped(value) + YUAN)
    return text.replace(placeholder, format_value(value))


def json_value(value: Any) -> Any:
    """A value for JSON output: decimals as exact strings, dates as ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (frozenset, set, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value
