"""Kleene's three-valued logic, the meaning of `and`, `or`, `not` and `... if ... else ...` over known (True,
False) and unknown (None) values. Written once: the constant folder (engine.expressions.folding) computes
with these functions, the row compiler generates code that gives the same values, and polars' `&`, `|`, `~`
and `when/then` give them over columns; the fuzz tests hold all three to these definitions."""
from __future__ import annotations

from typing import Any, Iterable

Truth = bool | None


def k_not(a: Truth) -> Truth:
    return None if a is None else not a


def k_and(values: Iterable[Truth]) -> Truth:
    """False if any is false (even beside unknown), else unknown if any is unknown, else true."""
    unknown = False
    for v in values:
        if v is False:
            return False
        unknown = unknown or v is None
    return None if unknown else True


def k_or(values: Iterable[Truth]) -> Truth:
    """True if any is true (even beside unknown), else unknown if any is unknown, else false."""
    unknown = False
    for v in values:
        if v is True:
            return True
        unknown = unknown or v is None
    return None if unknown else False


def k_if(condition: Truth, then: Any, otherwise: Any) -> Any:
    """The branch the condition picks; unknown when the condition is unknown."""
    if condition is None:
        return None
    return then if condition else otherwise
