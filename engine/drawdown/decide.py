"""decide_draw: the built-in and product-declared checks one draw on a line must pass.

Pure (no database): the lines store calls it inside its locked transaction, so it only reads the
views it is handed and the compiled product the line is pinned to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from engine.catalog import Catalog
from engine.core.money import format_money
from engine.documents.drawdown import DrawdownDoc
from engine.drawdown.contract import DrawDecision, DrawReason, DrawRequest, ExposureView, LineView, PoolView
from engine.drawdown.rules import CompiledRule, compile_rules

_STATE_MESSAGES = {"frozen": "额度已冻结,不能用款", "expired": "额度已到期,不能用款", "closed": "额度已关闭,不能用款"}
_RECHECK = {"blacklist": ("applicant.blacklisted", "客户在黑名单中"),
            "risk_warning": ("applicant.risk_warning", "客户有风险预警"),
            "overdue": ("applicant.overdue", "客户存在逾期")}


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # Clamp to the month's last day (31 Jan + 1 month is 28/29 Feb), as repayment schedules do.
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _m(amount: Decimal) -> str:
    return format_money(amount)


def decide_draw(catalog: Catalog, line: LineView, request: DrawRequest, *,
                applicant: Mapping[str, Any] | None = None,
                pool: PoolView | None = None,
                exposure: ExposureView | None = None) -> DrawDecision:
    """Approve, refer or decline one draw on the product version the line is pinned to."""
    entry = catalog.select(f"{line.product_code}@{line.product_version}", line.valid_from)
    compiled = catalog.compile_entry(entry, line.valid_from)
    rules = compiled.doc.drawdown or DrawdownDoc()
    reasons = built_in_reasons(line, request, pool)
    entrusted, declared = declared_reasons(rules, line, request, applicant, exposure)
    reasons += declared
    reasons += _expression_reasons(_compiled_rules(catalog, compiled.content_hash, rules, compiled.doc.params),
                                   _record(line, request, applicant, pool, exposure))
    kinds = {r.kind for r in reasons}
    decision: Literal["approve", "refer", "decline"] = (
        "decline" if "decline" in kinds else "refer" if kinds else "approve")
    return DrawDecision(line_id=line.line_id, decision=decision, reasons=reasons, amount=request.amount,
                        term_months=request.term_months, entrusted_payment=entrusted,
                        product_code=line.product_code, product_version=line.product_version,
                        content_hash=compiled.content_hash)


def built_in_reasons(line: LineView, request: DrawRequest, pool: PoolView | None) -> list[DrawReason]:
    """The checks every line has, whatever its product declares."""
    out: list[DrawReason] = []
    if line.state != "active":
        out.append(DrawReason(code=f"DR_{line.state.upper()}", kind="decline",
                              message=_STATE_MESSAGES[line.state], values={"state": line.state}))
    if not line.valid_from <= request.on <= line.valid_to:
        out.append(DrawReason(code="DR_VALIDITY", kind="decline", message="用款日不在额度有效期内",
                              values={"on": request.on.isoformat(), "valid_from": line.valid_from.isoformat(),
                                      "valid_to": line.valid_to.isoformat()}))
    if request.amount > line.available:
        out.append(DrawReason(code="DR_BALANCE", kind="decline",
                              message=f"用款金额 {_m(request.amount)} 元超过可用额度 {_m(line.available)} 元",
                              values={"amount": _m(request.amount), "available": _m(line.available),
                                      "outstanding": _m(line.outstanding), "limit": _m(line.limit)}))
    due = _add_months(request.on, request.term_months)
    if due > line.maturity:
        out.append(DrawReason(code="DR_MATURITY", kind="decline", message="用款到期日晚于额度到期日",
                              values={"due": due.isoformat(), "maturity": line.maturity.isoformat(),
                                      "term_months": request.term_months}))
    if line.pool_id is not None:
        if pool is None or pool.pool_id != line.pool_id:
            out.append(DrawReason(code="DR_POOL_UNKNOWN", kind="unknown", message="缺少风险补偿资金池信息",
                                  values={"pool_id": line.pool_id}))
        elif pool.suspended:
            out.append(DrawReason(code="DR_POOL_SUSPENDED", kind="decline", message="风险补偿资金池已暂停新增业务",
                                  values={"pool_id": pool.pool_id}))
        elif pool.used + request.amount > pool.capacity:
            out.append(DrawReason(code="DR_POOL_CAPACITY", kind="decline", message="用款后资金池余额将超过放大后容量",
                                  values={"pool_id": pool.pool_id, "used": _m(pool.used),
                                          "capacity": _m(pool.capacity), "amount": _m(request.amount)}))
    return out


def declared_reasons(rules: DrawdownDoc, line: LineView, request: DrawRequest,
                     applicant: Mapping[str, Any] | None,
                     exposure: ExposureView | None) -> tuple[bool, list[DrawReason]]:
    """The product's `drawdown:` rules; returns whether 受托支付 is required and the reasons."""
    out: list[DrawReason] = []
    amount = request.amount
    if rules.min_amount is not None and amount < rules.min_amount:
        out.append(DrawReason(code="DR_MIN_AMOUNT", kind="decline", message=f"单笔用款不得低于 {_m(rules.min_amount)} 元",
                              values={"amount": _m(amount), "min_amount": _m(rules.min_amount)}))
    if rules.max_amount is not None and amount > rules.max_amount:
        out.append(DrawReason(code="DR_MAX_AMOUNT", kind="decline", message=f"单笔用款不得超过 {_m(rules.max_amount)} 元",
                              values={"amount": _m(amount), "max_amount": _m(rules.max_amount)}))
    if rules.max_draws is not None and line.draws_count + 1 > rules.max_draws:
        out.append(DrawReason(code="DR_MAX_DRAWS", kind="decline", message=f"用款次数已达上限 {rules.max_draws} 次",
                              values={"draws_count": line.draws_count, "max_draws": rules.max_draws}))
    if rules.max_term_months is not None and request.term_months > rules.max_term_months:
        out.append(DrawReason(code="DR_MAX_TERM", kind="decline", message=f"单笔用款期限不得超过 {rules.max_term_months} 个月",
                              values={"term_months": request.term_months, "max_term_months": rules.max_term_months}))
    entrusted = rules.entrusted_above is not None and amount > rules.entrusted_above
    if entrusted:
        out += _payee_reasons(rules, line, request)
    if rules.exposure_cap is not None:
        if exposure is None:
            out.append(DrawReason(code="DR_EXPOSURE_UNKNOWN", kind="unknown", message="缺少客户授信总额信息",
                                  values={"exposure_cap": _m(rules.exposure_cap)}))
        else:
            # Undrawn commitment already counts in customer_total, so only the part of the draw
            # beyond it would raise exposure; a draw never exceeds available, so total stays put.
            total = exposure.customer_total + max(Decimal(0), amount - line.available)
            if total > rules.exposure_cap:
                out.append(DrawReason(code="DR_EXPOSURE", kind="decline", message=f"客户授信总额将超过 {_m(rules.exposure_cap)} 元",
                                      values={"customer_total": _m(total), "exposure_cap": _m(rules.exposure_cap)}))
    for fact in rules.recheck:
        field, message = _RECHECK[fact]
        value = None if applicant is None else applicant.get(field.split(".", 1)[1])
        if value is None:
            out.append(DrawReason(code=f"DR_RECHECK_{fact.upper()}", kind="unknown" if rules.missing_data == "refer" else "decline",
                                  message=f"用款复核缺少数据:{field}", values={"field": field, "value": None}))
        elif value is True:
            out.append(DrawReason(code=f"DR_RECHECK_{fact.upper()}", kind="decline", message=message,
                                  values={"field": field, "value": True}))
    return entrusted, out


def _payee_reasons(rules: DrawdownDoc, line: LineView, request: DrawRequest) -> list[DrawReason]:
    out: list[DrawReason] = []
    threshold = _m(rules.entrusted_above or Decimal(0))
    if not request.payee:
        out.append(DrawReason(code="DR_ENTRUSTED_PAYEE", kind="decline",
                              message=f"单笔超过 {threshold} 元须受托支付,未提供收款方",
                              values={"amount": _m(request.amount), "entrusted_above": threshold}))
        return out
    if request.payee.strip() == line.borrower_name.strip():
        out.append(DrawReason(code="DR_PAYEE_BORROWER", kind="decline", message="受托支付收款方不得为借款人本人",
                              values={"payee": request.payee}))
    if rules.payees is not None and request.payee not in rules.payees:
        out.append(DrawReason(code="DR_PAYEE_LIST", kind="decline", message="收款方不在供应链场景收款方名单内",
                              values={"payee": request.payee}))
    return out


_RULES: dict[str, list[CompiledRule]] = {}


def _compiled_rules(catalog: Catalog, digest: str, rules: DrawdownDoc, params: Mapping[str, Any]) -> list[CompiledRule]:
    # Keyed by content hash: the same product version always compiles to the same rules.
    if digest not in _RULES:
        _RULES[digest] = compile_rules(rules, catalog.dictionary, dict(params))
    return _RULES[digest]


def _record(line: LineView, request: DrawRequest, applicant: Mapping[str, Any] | None,
            pool: PoolView | None, exposure: ExposureView | None) -> dict[str, Any]:
    record: dict[str, Any] = {f"line.{k}": v for k, v in line.model_dump().items()}
    record.update({f"draw.{k}": v for k, v in request.model_dump().items()})
    if pool is not None:
        record.update({f"pool.{k}": v for k, v in pool.model_dump().items()})
    if exposure is not None:
        record.update({f"exposure.{k}": v for k, v in exposure.model_dump().items()})
    for key, value in (applicant or {}).items():
        record[key if "." in key else f"applicant.{key}"] = value
    return record


def _expression_reasons(rules: list[CompiledRule], record: dict[str, Any]) -> list[DrawReason]:
    out: list[DrawReason] = []
    for rule_id, function, message, action, on_missing, fields in rules:
        result = function(record)
        if result is True:
            continue
        values = {f: _value(record.get(f)) for f in fields}
        if result is None:  # three-valued logic: a missing fact takes the rule's on_missing action
            out.append(DrawReason(code=rule_id, kind="unknown" if on_missing == "refer" else "decline",
                                  message=f"缺少数据:{', '.join(fields)}", values=values))
        else:
            out.append(DrawReason(code=rule_id, kind="decline" if action == "decline" else "refer",
                                  message=message, values=values))
    return out


def _value(value: Any) -> str | int | bool | None:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return _m(value)
    return str(value)
