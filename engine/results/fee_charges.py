"""Charging a product's fees (engine.compile.fees) on an offer's schedule, exact to the cent."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.compile.fees import ZERO, CompiledFee, FeeUnknown, Record
from engine.core.money import round_cents
from engine.finance.schedules import Schedule
from engine.results.offer_models import FeeCharge

__all__ = ["Charges", "FeeUnknown", "charge"]


@dataclass(frozen=True, slots=True)
class Charges:
    upfront: Decimal  # one-off fees paid at signing
    deducted: Decimal  # one-off fees deducted from the payout
    per_period: list[Decimal]  # periodic fees due with each installment
    charges: list[FeeCharge]

    @property
    def total(self) -> Decimal:
        return self.upfront + self.deducted + sum(self.per_period, ZERO)


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
