"""How data values look in messages and in JSON."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any


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
