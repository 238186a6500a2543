"""Offers: an amount, a term and a repayment method, priced by the product, with the schedule, the
fees and the annualised rate (APR) by IRR over the actual cash flows.

Each term and method is evaluated as if the applicant had asked for it (loan.term_months and
loan.repayment_method set in the record), because the product may price or limit them differently:
a spread table by term, an affordability cap by installment. The offer's amount (the limit, or the
amount asked for) is then priced as if asked for (loan.amount set), because adjustments such as the
inclusive-loan discount depend on it. Nothing here is on the hot path of `evaluate`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from engine.compile.ir import CompiledProduct
from engine.core.dates import parse_day
from engine.core.errors import UsageError
from engine.core.money import bp_to_percent, bp_to_rate, parse_amount
from engine.core.repayment import RepaymentMethod, parse_method
from engine.evaluate.interpreter import Evaluation, evaluate
from engine.finance.apr import apr_basis_points
from engine.finance.schedules import build_schedule
from engine.results.fee_charges import FeeUnknown, charge
from engine.results.offer_models import Offer, OfferPeriod, OffersResult, Unavailable

Record = dict[str, Any]
TERM, METHOD, AMOUNT = "loan.term_months", "loan.repayment_method", "loan.amount"


@dataclass(frozen=True)
class Request:
    """What the customer asks for; None leaves the choice open."""

    amount: Decimal | None = None
    term: int | None = None
    method: str | None = None
    start: date | None = None


def parse_request(amount: str | None, term: int | None, method: str | None, start: str | None) -> Request:
    """The customer's choices as typed (e.g. on the command line), checked: whole cents, a known method, an ISO date."""
    principal = None
    if amount is not None:
        try:
            principal = parse_amount(amount)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if principal <= 0 or principal != principal.quantize(Decimal("0.01")):
            raise UsageError(f"--amount: {amount!r} must be a positive amount in yuan with at most 2 decimals")
    try:
        chosen = parse_method(method).value if method is not None else None
    except ValueError as exc:
        raise UsageError(f"--method: {exc}") from None
    return Request(principal, term, chosen, parse_day(start) if start else None)


class NotOffered(Exception):
    """Why a term and method cannot be offered (a message for people, naming the allowed values)."""


def requested(record: Record, request: Request) -> Request:
    """The request, completed from the applicant's own loan.term_months and loan.repayment_method."""
    term = request.term if request.term is not None else record.get(TERM)
    method = request.method if request.method is not None else record.get(METHOD)
    return Request(request.amount, int(term) if term is not None else None, method, request.start)


def build_offers(product: CompiledProduct, record: Record, on: date, request: Request = Request()) -> OffersResult:
    """Offers for the requested term and method, or for every allowed combination when not requested."""
    request = requested(record, request)
    base = evaluate(product, record, on)
    offers: list[Offer] = []
    unavailable: list[Unavailable] = []
    if base.decision == "decline":
        unavailable.append(Unavailable(term_months=request.term, method=request.method,
                                       reason=f"the applicant is declined ({', '.join(_codes(base))})"))
    elif base.terms is not None:
        terms = [request.term] if request.term is not None else base.terms.months
        if request.term is not None and request.term not in base.terms.months:
            unavailable.append(Unavailable(term_months=request.term, method=None, reason=(
                f"term {request.term} months is not allowed (allowed: {_list(base.terms.months)} months)")))
            terms = []
        for term in terms:
            methods = [request.method] if request.method is not None else [m.method for m in product.methods]
            for method in methods:
                try:
                    offers.append(make_offer(product, record, on, Request(request.amount, term, method, request.start)))
                except NotOffered as exc:
                    # A method nobody asked for that the product does not allow at this term is not worth listing.
                    if request.method is not None or not str(exc).startswith("repayment method "):
                        unavailable.append(Unavailable(term_months=term, method=method, reason=str(exc)))
    return OffersResult(requested_amount=request.amount, requested_term_months=request.term, requested_method=request.method,
                        start_date=request.start, offers=offers, unavailable=unavailable)


def single_offer(product: CompiledProduct, record: Record, on: date, request: Request) -> tuple[Offer, Evaluation]:
    """One offer (for `pf schedule PRODUCT APPLICANT`); a UsageError names what is allowed instead."""
    request = requested(record, request)
    base = evaluate(product, record, on)
    if base.decision == "decline":
        raise UsageError(f"no offer: the applicant is declined by {product.code} ({', '.join(_codes(base))}); "
                         f"run pf evaluate for the reasons")
    allowed_terms = base.terms.months if base.terms is not None else []
    if request.term is None:
        raise UsageError(f"--term is required: the applicant did not ask for a term (allowed: {_list(allowed_terms)} months)")
    if request.method is None:
        at_term = evaluate(product, _with(record, {TERM: request.term}), on)
        methods = at_term.terms.methods if at_term.terms is not None else []
        raise UsageError(f"--method is required: the applicant did not ask for one (allowed at {request.term} months: "
                         f"{_list(_method_names(methods))})")
    try:
        return make_offer(product, record, on, request), base
    except NotOffered as exc:
        raise UsageError(f"no offer for {request.term} months, {request.method}: {exc}") from None


def make_offer(product: CompiledProduct, record: Record, on: date, request: Request) -> Offer:
    """The offer for one term and method; raises NotOffered saying why not."""
    term, method = request.term, request.method
    assert term is not None and method is not None
    if method not in RepaymentMethod.__members__:
        raise NotOffered(f"repayment method {method!r} is unknown ({_list(_method_names(m.value for m in RepaymentMethod))})")
    at = evaluate(product, _with(record, {TERM: term, METHOD: method}), on)
    if at.decision == "decline":
        raise NotOffered(f"declined at {term} months, {method} ({', '.join(_codes(at))})")
    assert at.terms is not None
    if term not in at.terms.months:
        raise NotOffered(f"term {term} months is not allowed (allowed: {_list(at.terms.months)} months)")
    if method not in at.terms.methods:
        raise NotOffered(f"repayment method {method} is not allowed at {term} months (allowed: {_list(_method_names(at.terms.methods))})")
    if at.limit is None:
        raise NotOffered(f"no limit could be set ({', '.join(_codes(at))})")
    limit = at.limit.amount
    principal = request.amount if request.amount is not None else limit
    if principal > limit:
        raise NotOffered(f"amount {principal:,.2f} exceeds the limit {limit:,.2f}")
    if at.limit.minimum is not None and principal < at.limit.minimum:
        raise NotOffered(f"amount {principal:,.2f} is below the product minimum {Decimal(at.limit.minimum):,.2f}")
    if principal <= 0:
        raise NotOffered("the limit is zero: there is nothing to lend")
    priced = at
    asked = record.get(AMOUNT)
    if asked is None or Decimal(asked) != principal:
        priced = evaluate(product, _with(record, {TERM: term, METHOD: method, AMOUNT: principal}), on)
        if priced.decision == "decline":
            raise NotOffered(f"declined at {principal:,.2f} ({', '.join(_codes(priced))})")
    if priced.rate is None:
        raise NotOffered(f"no rate could be set ({', '.join(_codes(priced))})")
    rate_bp = priced.rate.final
    try:
        schedule = build_schedule(principal, bp_to_rate(rate_bp), term, method, request.start)
    except ValueError as exc:
        raise NotOffered(str(exc)) from None
    try:
        fees = charge(product.pricing.fees, priced.record, schedule)
    except FeeUnknown as exc:
        raise NotOffered(str(exc)) from None
    due = [p.payment + fee for p, fee in zip(schedule.periods, fees.per_period)]
    received = principal - fees.upfront - fees.deducted
    if received <= 0:
        raise NotOffered("the one-off fees are not less than the amount")
    apr_bp = apr_basis_points(received, due)
    periods = [period_row(p.period, p.due_date, p.payment, p.principal, p.interest, fee, p.balance)
               for p, fee in zip(schedule.periods, fees.per_period)]
    return Offer(
        decision="refer" if "refer" in (at.decision, priced.decision) else "approve",
        amount=principal, limit=limit, term_months=term, method=method, method_label=RepaymentMethod(method).label_zh,
        rate_bp=rate_bp, rate_percent=bp_to_percent(rate_bp), apr_bp=apr_bp, apr_percent=bp_to_percent(apr_bp),
        first_payment=due[0], largest_payment=max(due), total_interest=schedule.total_interest, total_fees=fees.total,
        upfront_fees=fees.upfront, deducted_fees=fees.deducted, net_disbursed=principal - fees.deducted,
        total_payment=schedule.total_payment + fees.total, fees=fees.charges, schedule=periods,
    )


_PERIOD_FIELDS = tuple(OfferPeriod.model_fields)
_new_period = OfferPeriod.__new__
_set = object.__setattr__


def period_row(period: int, due: date | None, payment: Decimal, principal: Decimal, interest: Decimal, fee: Decimal,
               balance: Decimal) -> OfferPeriod:
    """An OfferPeriod from figures that are already cent-exact Decimals, without re-validating them.

    What OfferPeriod.model_construct does, minus its per-call field bookkeeping: a 360-month offer
    builds 360 of these, and model_construct alone would cost 2 ms of the 5 ms a schedule may take.
    tests/test_offers.py checks that the result equals model_construct's.
    """
    row = _new_period(OfferPeriod)
    _set(row, "__dict__", {"period": period, "due_date": due, "payment": payment, "principal": principal, "interest": interest,
                           "fee": fee, "total_due": payment + fee, "balance": balance})
    _set(row, "__pydantic_fields_set__", set(_PERIOD_FIELDS))
    _set(row, "__pydantic_extra__", None)
    _set(row, "__pydantic_private__", None)
    return row


def _with(record: Record, changes: dict[str, Any]) -> Record:
    changed = dict(record)
    changed.update(changes)
    changed["loan"] = True  # the loan source is present now (what has(loan) tests)
    return changed


def _codes(e: Evaluation) -> list[str]:
    return [rule.id for rule, _ in e.findings] or ["no reason recorded"]


def _list(items: Any) -> str:
    shown = [str(i) for i in items]
    return ", ".join(shown) if shown else "none"


def _method_names(methods: Any) -> list[str]:
    return [f"{m} {RepaymentMethod(m).label_zh}" for m in methods]
