"""The declared input limits (docs/limits.md): every reader checks against these, before any work that could
grow with the input, and reports an exceeded limit as a located error.

The defaults sit far above anything a legitimate product or applicant reaches and far below what would
exhaust the machine, so hostile input (alias bombs, deep nesting, huge numbers) fails fast and cleanly.
"""
from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class InputLimits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # files
    document_bytes: int = 8 * 1024 * 1024  # a product, ruleset, params, dictionary, pack or test file
    applicant_bytes: int = 1024 * 1024  # one applicant document (YAML or JSON)
    batch_line_bytes: int = 1024 * 1024  # one CSV / JSON Lines record in a batch input
    # structure
    nesting_depth: int = 64  # mappings and sequences inside each other
    yaml_aliases: int = 1000  # alias uses in one document
    yaml_nodes: int = 200_000  # values and keys after alias expansion (the largest built-in product has ~1,200)
    string_chars: int = 65_536  # one scalar string
    list_items: int = 10_000  # one sequence
    # numbers
    number_digits: int = 30  # significant digits of one number
    number_exponent: int = 18  # |value| < 10**number_exponent (1e18 yuan is beyond any exposure)
    # expressions
    expression_chars: int = 4000  # one expression's text
    expression_depth: int = 40  # nesting of calls, operators and parentheses
    expression_nodes: int = 2000  # syntax-tree nodes in one expression


LIMITS = InputLimits()


def number_problem(value: Decimal, limits: InputLimits = LIMITS) -> str | None:
    """Why a number is out of bounds, or None. Looks only at the digits and the exponent, never computes with
    the value, so `1e999999999` is refused at once instead of hanging `int()` or `10**exponent`."""
    if not value.is_finite():
        return "is not a finite number"
    if value.is_zero():
        return None
    if value.adjusted() >= limits.number_exponent:
        return f"is too large (the limit is below 10^{limits.number_exponent})"
    if value.adjusted() < -limits.number_digits:
        return f"is too small (nonzero values below 10^-{limits.number_digits} are refused)"
    digits = value.as_tuple().digits
    stripped = len(digits)
    while stripped > 1 and digits[stripped - 1] == 0:
        stripped -= 1
    significant = stripped
    if significant > limits.number_digits:
        return f"has more than {limits.number_digits} significant digits"
    return None
