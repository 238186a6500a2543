"""Fees declared per product (pricing.fees), charged on an offer's schedule, exact to the cent.

  one_off   at drawdown: a fixed amount, or a rate x the principal; paid at signing (upfront) or
            deducted from the payout (deducted). Either way the borrower has that much less at t0.
  periodic  with every installment: a fixed amount, or a monthly rate x the principal (or x the
            balance outstanding at the start of the period).
Each charge is rounded half up to the cent. A fee whose condition cannot be decided for lack of
data is charged: the disclosed annualised rate must never understate the cost. A fee whose amount
cannot be computed makes the offer unavailable (it cannot be disclosed).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.expressions import CompiledExpression

Record = dict[str, Any]
ZERO = Decimal("0.00")


class FeeUnknown(ValueError):
    """A fee's amount cannot be computed from the data."""


@dataclass(frozen=True, slots=True)
class CompiledFee:
    id: str
    label: str
    kind: str  # one_off | periodic
    amount: CompiledExpression | None
    rate: CompiledExpression | None
    basis: str  # principal | balance (periodic rate)
    collected: str  # upfront | deducted (one-off) | with_installment (periodic)
    when: CompiledExpression | None


def compile_fees(c: Any) -> tuple[CompiledFee, ...]:
    """Compile pricing.fees with the product compiler `c`."""
    fees = []
    seen: set[str] = set()
    for i, doc in enumerate(c.doc.pricing.fees):
        path = ("pricing", "fees", i)
        if doc.id in seen:
            c.problems.add(c.source.problem(path + ("id",), f"duplicate fee id {doc.id!r}"))
        seen.add(doc.id)
        when = c.e(path + ("when",), doc.when, "boolean") if doc.when is not None else None
        amount = c.e(path + ("amount",), doc.amount, "number") if doc.amount is not None else None
        rate = c.e(path + ("rate",), doc.rate, "number") if doc.rate is not None else None
        if (amount or rate) is None or (doc.when is not None and when is None):
            continue
        collected = doc.collected or "upfront" if doc.kind == "one_off" else "with_installment"
        fees.append(CompiledFee(doc.id, doc.label, doc.kind, amount, rate, doc.basis or "principal", collected, when))
    return tuple(fees)
