"""Rendering offers: a comparison table under a decision, and one offer's schedule as a table, CSV or
JSON (`pf schedule PRODUCT APPLICANT`). Amounts always have two decimals; no float ever reaches text."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from engine.compile.ir import CompiledProduct
from engine.core.money import format_money_grouped
from engine.results.decision import ProductRef
from engine.results.offer_models import Offer, OffersResult
from engine.results.render import DECISION_LABELS, display_width

SCHEDULE_CSV_HEADER = "period,due_date,payment,principal,interest,fee,total_due,balance"


class OfferDocument(BaseModel):
    """`pf schedule PRODUCT APPLICANT --format json`: whose offer it is, and the offer with its schedule."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    product: ProductRef
    evaluated_on: date
    applicant_id: str | None
    offer: Offer


def offer_document(product: CompiledProduct, on: date, applicant_id: str | None, offer: Offer) -> OfferDocument:
    doc = product.doc
    return OfferDocument(product=ProductRef(code=doc.code, name=doc.name, version=doc.version, pack=product.pack,
                                            content_hash=product.content_hash),
                         evaluated_on=on, applicant_id=applicant_id, offer=offer)


def offers_lines(offers: OffersResult) -> list[str]:
    """The offers section of `pf evaluate --offers` (table format)."""
    lines = ["", "报价 Offers" + (f"   (requested amount {format_money_grouped(offers.requested_amount)})" if offers.requested_amount else "")]
    if offers.offers:
        rows = [["term", "method", "amount", "rate", "APR", "first payment", "total interest", "fees", "total payment", "decision"]]
        for o in offers.offers:
            rows.append([f"{o.term_months}个月", f"{o.method} {o.method_label}", format_money_grouped(o.amount), o.rate_percent,
                         o.apr_percent, format_money_grouped(o.first_payment), format_money_grouped(o.total_interest),
                         format_money_grouped(o.total_fees), format_money_grouped(o.total_payment), o.decision])
        lines += _aligned(rows, right=set(range(2, 9)))
    else:
        lines.append("  no offer")
    for u in offers.unavailable:
        what = " ".join(p for p in (f"{u.term_months}个月" if u.term_months else "", u.method or "") if p)
        lines.append(f"  not offered{(' ' + what) if what else ''}: {u.reason}")
    if len(offers.offers) == 1:
        lines += [""] + schedule_table(offers.offers[0]).rstrip("\n").split("\n")
    elif offers.offers:
        lines.append("  one offer's full schedule: pf schedule PRODUCT APPLICANT --term N --method M (or --offers --term N --method M)")
    return lines


def _aligned(rows: list[list[str]], right: set[int], indent: str = "  ") -> list[str]:
    """Columns padded to a common width, numbers right-aligned; CJK characters count two columns."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [(" " * (w - display_width(c)) + c) if i in right else (c + " " * (w - display_width(c)))
                 for i, (c, w) in enumerate(zip(row, widths))]
        out.append(indent + "  ".join(cells).rstrip())
    return out


def offer_summary(offer: Offer) -> list[str]:
    lines = [f"{offer.method_label} {offer.method} | 本金 Amount {format_money_grouped(offer.amount)} (limit {format_money_grouped(offer.limit)}) | "
             f"期限 Term {offer.term_months} 个月 | 年利率 Rate {offer.rate_percent} ({offer.rate_bp}bp) | "
             f"年化利率 APR {offer.apr_percent}"]
    for fee in offer.fees:
        how = {"upfront": "签约时支付", "deducted": "放款时扣除", "with_installment": "随每期还款"}[fee.collected]
        note = "(条件数据缺失,按收取披露)" if fee.condition == "unknown_charged" else ""
        lines.append(f"  费用 Fee {fee.label}: {how} {format_money_grouped(fee.first)}"
                     + (f"/期, 合计 {format_money_grouped(fee.total)}" if fee.kind == "periodic" else "") + note)
    if offer.deducted_fees:
        lines.append(f"  实际到账 Net disbursed {format_money_grouped(offer.net_disbursed)}")
    return lines


def schedule_table(offer: Offer) -> str:
    """The offer's schedule with fees, aligned; a 合计 Total row; CJK characters count two columns.
    Period rows are ASCII (their length is their width), which keeps a 360-month table fast."""
    periods = offer.schedule or []
    dated = any(p.due_date is not None for p in periods)
    zh = ["期数", "还款日", "本息", "本金", "利息", "费用", "应还合计", "剩余本金"]
    en = ["Period", "Due date", "Payment", "Principal", "Interest", "Fee", "Total due", "Balance"]
    rows = [[str(p.period), p.due_date.isoformat() if p.due_date else "", f"{p.payment:,.2f}", f"{p.principal:,.2f}",
             f"{p.interest:,.2f}", f"{p.fee:,.2f}", f"{p.total_due:,.2f}", f"{p.balance:,.2f}"] for p in periods]
    zero = offer.amount * 0
    principal = sum((p.principal for p in periods), zero)
    fees = sum((p.fee for p in periods), zero)
    total = ["合计 Total", "", *(f"{x:,.2f}" for x in (offer.total_payment - offer.total_fees, principal, offer.total_interest,
                                                      fees, offer.total_payment - offer.upfront_fees - offer.deducted_fees)), ""]
    if not dated:
        for row in [zh, en, total, *rows]:
            del row[1]
    widths = [max(display_width(zh[i]), display_width(en[i]), display_width(total[i]), max((len(r[i]) for r in rows), default=0))
              for i in range(len(zh))]
    left = {0, 1} if dated else {0}

    def line(cells: list[str]) -> str:
        out = []
        for i, (cell, width) in enumerate(zip(cells, widths)):
            fill = " " * (width - display_width(cell))
            out.append(cell + fill if i in left else fill + cell)
        return "  ".join(out).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    template = "  ".join(f"{{:{'<' if i in left else '>'}{w}}}" for i, w in enumerate(widths))  # ASCII rows: one format call
    body = offer_summary(offer) + [line(zh), line(en), rule] + [template.format(*r).rstrip() for r in rows] + [rule, line(total)]
    if offer.upfront_fees or offer.deducted_fees:
        body.append(f"一次性费用 One-off fees {format_money_grouped(offer.upfront_fees + offer.deducted_fees)}; "
                    f"总成本 Total cost {format_money_grouped(offer.total_payment - offer.amount)}")
    return "\n".join(body) + "\n"


def render_offer_table(document: OfferDocument, decision: str) -> str:
    p = document.product
    head = [f"{p.name}  ({p.code} v{p.version})   评估日期 {document.evaluated_on.isoformat()}"
            + (f"   申请 {document.applicant_id}" if document.applicant_id else ""),
            f"决策 Decision: {DECISION_LABELS[decision]}" + ("   (须人工审核后方可放款 subject to manual review)" if decision == "refer" else ""),
            ""]
    return "\n".join(head) + "\n" + schedule_table(document.offer)


def render_offer_csv(offer: Offer) -> str:
    """One row per period; amounts are plain two-decimal numbers; due_date ISO or empty."""
    lines = [SCHEDULE_CSV_HEADER]
    for p in offer.schedule or []:
        lines.append(f"{p.period},{p.due_date.isoformat() if p.due_date else ''},{p.payment:.2f},{p.principal:.2f},"
                     f"{p.interest:.2f},{p.fee:.2f},{p.total_due:.2f},{p.balance:.2f}")
    return "\n".join(lines) + "\n"


def render_offer_json(document: OfferDocument) -> str:
    return document.model_dump_json(indent=2)
