"""Dates given on the command line or in requests: ISO YYYY-MM-DD, today when left out."""
from __future__ import annotations

from datetime import date

from engine.core.errors import UsageError


def parse_day(text: str | None) -> date:
    """An ISO date; None means today. The message names --date, the option most dates come from."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--date: {text!r} is not an ISO date (YYYY-MM-DD)") from None
