"""What a document template sees: the Decision, the chosen offer and its schedule, the product's contract
terms and the reasons in words (every variable is listed in docs/documents.md).

The context is built from results already computed; a template never evaluates anything itself.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.compile.ir import CompiledProduct
from engine.core.repayment import RepaymentMethod
from engine.documents.contract import ContractDoc
from engine.results.decision import CapResult, Decision
from engine.results.offer_models import Offer, OfferPeriod

BORROWER_LABELS = {"individual": "个人经营性贷款(借款人为经营者本人)", "enterprise": "企业流动资金贷款(借款人为企业)"}
DECISION_LABELS = {"approve": "批准", "refer": "转人工审核", "decline": "拒绝"}
NOTICE_VALID_DAYS = 30  # an approval notice is an offer, open for a month unless the product says otherwise


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class ProductInfo(Model):
    code: str
    name: str
    version: str
    pack: str
    borrower: Literal["individual", "enterprise"]
    borrower_label: str = Field(description="the kind of loan in words")
    description: str | None


class Reason(Model):
    """One finding, for a customer: the words, not the code (the code is kept for the bank's own reference)."""

    code: str
    message: str
    action: Literal["decline", "refer"]
    outcome: Literal["fail", "unknown"]
    advice: str | None = Field(description="the rule's `advice`: what the customer can do about it")


class RateParts(Model):
    base_label: str = Field(description="e.g. 1年期LPR")
    base_bp: int
    spread_bp: int = Field(description="final rate minus the base: the contract's 加点 (adjustments and floor/cap included)")
    final_bp: int
    adjustments: list[tuple[str, int]] = Field(description="(label, bp) of every adjustment applied")
    bound_by: str | None


class DocumentInfo(Model):
    template: str
    title: str
    number: str = Field(description="the document number: product code, applicant id, issue date")
    issued_on: date
    valid_until: date | None = Field(description="approval notice: the last day the offer may be accepted")


class DocumentContext(Model):
    document: DocumentInfo
    decision: Decision
    decision_label: str
    product: ProductInfo
    applicant_id: str
    purpose: str | None = Field(description="loan.purpose of the application, else the product's contract purpose")
    requested_amount: Decimal | None
    reasons: list[Reason] = Field(description="every finding, in evaluation order")
    decline_reasons: list[Reason]
    refer_reasons: list[Reason]
    rate: RateParts | None
    offer: Offer | None = Field(description="the offer the documents quote: the requested term and method, else the first")
    offers: list[Offer]
    schedule: list[OfferPeriod]
    contract: ContractDoc | None
    entrusted: bool | None = Field(description="the offer's amount is above the entrusted-payment threshold")
    collateral_cap: CapResult | None = Field(description="the collateral cap of the limit, with its valuation and ratio")
    line_valid_until: date | None = Field(description="revolving line: evaluation day + line validity months")
    maturity: date | None = Field(description="the offer's last due date, or evaluation day + term")


def advice_by_code(product: CompiledProduct, rulesets: dict[str, Any]) -> dict[str, str]:
    """Each rule's advice text by rule id: the product's own rules, then the rulesets it combines."""
    found: dict[str, str] = {}
    for rule in product.doc.eligibility:
        if rule.advice:
            found[rule.id] = rule.advice
    for combination in product.doc.risk_controls:
        for use in combination.rulesets:
            code = use if isinstance(use, str) else use.ruleset
            loaded = rulesets.get(code)
            for rule in (loaded.doc.rules if loaded is not None else []):
                if rule.advice:
                    found.setdefault(rule.id, rule.advice)
    return found


def add_months(day: date, count: int) -> date:
    month = day.month - 1 + count
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def chosen_offer(decision: Decision, record: dict[str, Any]) -> Offer | None:
    """The offer a document quotes: the one at the applicant's requested term and method, else the first."""
    offers = decision.offers.offers if decision.offers is not None else []
    term, method = record.get("loan.term_months"), record.get("loan.repayment_method")
    for offer in offers:
        if (term is None or offer.term_months == int(term)) and (method is None or offer.method == method):
            return offer
    return offers[0] if offers else None


def build_context(product: CompiledProduct, decision: Decision, record: dict[str, Any], *, template: str, title: str,
                  advice: dict[str, str], issued_on: date | None = None) -> DocumentContext:
    issued = issued_on or decision.evaluated_on
    doc = product.doc
    contract = doc.contract
    reasons = [Reason(code=f.code, message=f.message, action=f.action, outcome=f.outcome, advice=advice.get(f.code))
               for f in decision.findings]
    offer = chosen_offer(decision, record)
    rate = None
    if decision.rate is not None:
        r = decision.rate
        rate = RateParts(base_label=r.base_label, base_bp=r.base_bp, spread_bp=r.final_bp - r.base_bp, final_bp=r.final_bp,
                         adjustments=[(a.label, a.bp) for a in r.adjustments], bound_by=r.bound_by)
    collateral = next((c for c in decision.limit.caps if c.kind == "collateral"), None) if decision.limit else None
    terms = decision.terms
    line_until = (add_months(decision.evaluated_on, terms.line_validity_months)
                  if terms is not None and terms.revolving and terms.line_validity_months else None)
    maturity = None
    if offer is not None:
        due = [p.due_date for p in offer.schedule or [] if p.due_date is not None]
        maturity = due[-1] if due else add_months(decision.evaluated_on, offer.term_months)
    applicant_id = decision.applicant_id or "-"
    purpose = record.get("loan.purpose") or (contract.purpose if contract else None)
    requested = record.get("loan.amount")
    entrusted = None
    if contract is not None and contract.entrusted_payment is not None and offer is not None:
        entrusted = offer.amount > contract.entrusted_payment.above
    return DocumentContext(
        document=DocumentInfo(template=template, title=title, number=f"{doc.code}-{applicant_id}-{issued:%Y%m%d}", issued_on=issued,
                              valid_until=issued + timedelta(days=NOTICE_VALID_DAYS) if decision.decision != "decline" else None),
        decision=decision, decision_label=DECISION_LABELS[decision.decision],
        product=ProductInfo(code=doc.code, name=doc.name, version=doc.version, pack=product.pack, borrower=doc.borrower,
                            borrower_label=BORROWER_LABELS[doc.borrower], description=doc.description),
        applicant_id=applicant_id, purpose=str(purpose) if purpose is not None else None,
        requested_amount=Decimal(str(requested)) if requested is not None else None,
        reasons=reasons, decline_reasons=[r for r in reasons if r.action == "decline"],
        refer_reasons=[r for r in reasons if r.action == "refer"], rate=rate, offer=offer,
        offers=decision.offers.offers if decision.offers is not None else [], schedule=offer.schedule or [] if offer else [],
        contract=contract, entrusted=entrusted, collateral_cap=collateral, line_valid_until=line_until, maturity=maturity,
    )


def method_label(method: str) -> str:
    return RepaymentMethod(method).label_zh if method in RepaymentMethod.__members__ else method


def template_variables(context: DocumentContext) -> dict[str, Any]:
    """The top-level names a template sees (the context's fields, unchanged: Decimal stays Decimal)."""
    variables = dict(context)
    variables["method_label"] = method_label
    return variables
