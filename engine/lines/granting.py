"""A line from an approve decision: the decision's limit and pricing, the product's terms and validity."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from engine.finance.schedules import add_months
from engine.lines.models import Line, Model, to_cents
from engine.lines.store import LineError, Store
from engine.lines.tables import lines
from engine.lines.views import line_model
from engine.results.decision import Decision


class LineGrant(Model):
    """What `pf line grant` returns: the decision always, the line only when the decision approved."""

    decision_id: str
    decision: Decision
    line: Line | None


def decision_id(decision: Decision) -> str:
    """Stable: the same decision JSON (product, content hash, date, figures, reasons) gives the same id."""
    return "d-" + hashlib.sha256(decision.model_dump_json(exclude_none=False).encode()).hexdigest()[:24]


def line_terms(decision: Decision, line_id: str, *, on: date, customer_id: str, enterprise_id: str | None,
               borrower_name: str) -> dict[str, Any]:
    """The line row's columns from an approve decision; LineError when the decision cannot carry a line."""
    if decision.decision != "approve":
        raise LineError(f"decision is {decision.decision}: only an approve decision grants a line")
    if decision.limit is None or decision.rate is None or decision.terms is None:
        raise LineError("the approve decision has no limit, rate or terms: no line can be granted from it")
    validity = decision.terms.line_validity_months
    if validity is None:
        raise LineError(f"product {decision.product.code} declares no terms.line_validity_months: it grants no line")
    valid_to = add_months(on, validity) - timedelta(days=1)
    # The last draw may start on valid_to and run the longest term it may choose: that is the final maturity.
    # (max_months is the applicant's ceiling, e.g. by age at maturity; the terms offered already respect it.)
    longest = max(decision.terms.months, default=decision.terms.max_months or 0)
    return dict(
        line_id=line_id, customer_id=customer_id, enterprise_id=enterprise_id, borrower_name=borrower_name,
        product_code=decision.product.code, product_version=decision.product.version,
        content_hash=decision.product.content_hash, decision_id=decision_id(decision),
        limit_cents=to_cents(decision.limit.amount), revolving=decision.terms.revolving,
        valid_from=on.isoformat(), valid_to=valid_to.isoformat(), maturity=add_months(valid_to, longest).isoformat(),
        base_bp=decision.rate.base_bp, spread_bp=decision.rate.final_bp - decision.rate.base_bp,
        terms_months=list(decision.terms.months), repayment_methods=list(decision.terms.repayment_methods), pool_id=None,
    )


def grant_from_decision(store: Store, decision: Decision, *, on: date, actor: str, line_id: str | None = None,
                        customer_id: str | None = None, enterprise_id: str | None = None,
                        borrower_name: str | None = None) -> LineGrant:
    """Grant on approve (one locked transaction, refused if the line exists); refer / decline grant nothing."""
    did = decision_id(decision)
    if decision.decision != "approve":
        return LineGrant(decision_id=did, decision=decision, line=None)
    customer = customer_id or decision.applicant_id
    if not customer:
        raise LineError("the applicant has no id: give --customer")
    line_id = line_id or "L-" + did[2:14]
    row = line_terms(decision, line_id, on=on, customer_id=customer, enterprise_id=enterprise_id,
                     borrower_name=borrower_name or customer)
    evidence = {"decision_id": did, "limit": str(decision.limit.amount) if decision.limit else None,
                "rate_bp": decision.rate.final_bp if decision.rate else None}
    with store.db.write() as conn:
        if conn.execute(select(lines.c.line_id).where(lines.c.line_id == line_id)).first() is not None:
            raise LineError(f"line {line_id!r} already exists: a decision grants one line")
        _, new, _ = store.record(conn, "granted", on=on, actor=actor, data={"line": row}, line_id=line_id,
                                 rule="decision:approve", evidence=evidence)
    assert new is not None
    return LineGrant(decision_id=did, decision=decision, line=line_model(new))
