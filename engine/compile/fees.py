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

from engine.core.money import round_cents
from engine.expressions import CompiledExpression
from engine.finance.schedules import Schedule
from engine.results.offer_models import FeeCharge

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


@dataclass(frozen=True, slots=True)
class Charges:
    upfront: Decimal  # one-off fees paid at signing
    deducted: Decimal  # one-off fees deducted from the payout
    per_period: list[Decimal]  # periodic fees due with each installment
    charges: list[FeeCharge]

    @property
    def total(self) -> Decimal:
        return self.upfront + self.deducted + sum(self.per_period, ZERO)


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


def charge(fees: tuple[CompiledFee, ...], v: Record, schedule: Schedule) -> Charges:
    """The fees of one offer. Raises FeeUnknown when a fee that applies cannot be computed."""
    upfront = deducted = ZERO
    per_period = [ZERO] * len(schedule.periods)
    charges: list[FeeCharge] = []
    for fee in fees:
        applies = fee.when.function(v) if fee.when is not None else True
        if applies is False:
            continue
        condition = "applies" if applies is True else "unknown_charged"
        if fee.kind == "one_off":
            amount = _one(fee, v, schedule.principal)
            if fee.collected == "deducted":
                deducted += amount
            else:
                upfront += amount
            charges.append(FeeCharge(id=fee.id, label=fee.label, kind="one_off", collected=fee.collected,
                                     total=amount, first=amount, condition=condition))
            continue
        if fee.basis == "balance" and fee.rate is not None:
            rate = _rate(fee, v)  # evaluated once, applied to each period's opening balance
            openings = [schedule.principal] + [p.balance for p in schedule.periods[:-1]]
            amounts = [round_cents(b * rate) for b in openings]
        else:
            amounts = [_one(fee, v, schedule.principal)] * len(schedule.periods)
        per_period = [a + b for a, b in zip(per_period, amounts)]
        charges.append(FeeCharge(id=fee.id, label=fee.label, kind="periodic", collected="with_installment",
                                 total=sum(amounts, ZERO), first=amounts[0], condition=condition))
    return Charges(upfront, deducted, per_period, charges)


def _one(fee: CompiledFee, v: Record, basis: Decimal) -> Decimal:
    """A fixed fee, or the rate times the basis, rounded half up to the cent."""
    if fee.amount is not None:
        value = fee.amount.function(v)
        if value is None:
            raise FeeUnknown(f"费用“{fee.label}”缺少数据,无法计算")
        return round_cents(value)
    return round_cents(basis * _rate(fee, v))


def _rate(fee: CompiledFee, v: Record) -> Decimal:
    rate = fee.rate.function(v)  # type: ignore[union-attr]
    if rate is None:
        raise FeeUnknown(f"费用“{fee.label}”的费率缺少数据,无法计算")
    return rate
