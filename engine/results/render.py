"""Rendering a Decision for people (an aligned text table) and for machines (JSON)."""
from __future__ import annotations

import unicodedata
from typing import Any

from engine.core.money import bp_to_percent, format_money_grouped
from engine.core.repayment import METHOD_LABELS
from engine.results.decision import Decision

DECISION_LABELS = {"approve": "APPROVE 通过", "refer": "REFER 转人工审核", "decline": "DECLINE 拒绝"}


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def render_json(decision: Decision) -> str:
    return decision.model_dump_json(indent=2, exclude_none=False)


def render_table(decision: Decision) -> str:
    p = decision.product
    lines = [
        f"{p.name}  ({p.code} v{p.version})   评估日期 {decision.evaluated_on.isoformat()}"
        + (f"   申请 {decision.applicant_id}" if decision.applicant_id else ""),
        f"决策 Decision: {DECISION_LABELS[decision.decision]}",
    ]
    if decision.findings:
        lines += ["", "原因 Reasons"]
        rows = [["code", "outcome", "action", "message", "inputs"]]
        for f in decision.findings:
            inputs = ", ".join(f"{k}={_value(v)}" for k, v in f.inputs.items())
            rows.append([f.code, f.outcome, f.action, f.message, inputs])
        lines += table(rows)
    if decision.limit:
        limit = decision.limit
        binding = next(c for c in limit.caps if c.binding)
        lines += ["", f"额度 Limit: {format_money_grouped(limit.amount)} 元   (binding cap: {binding.id} {binding.label}; "
                  f"rounded down to {format_money_grouped(limit.step)})"]
        rows = [["cap", "label", "value", ""]]
        for cap in limit.caps:
            value = format_money_grouped(cap.value) if cap.value is not None else cap.outcome
            rows.append([cap.id, cap.label, value, "<- binding" if cap.binding else ""])
        lines += table(rows)
        if limit.min_amount is not None:
            lines.append(f"  minimum amount: {format_money_grouped(limit.min_amount)}")
        for cap in limit.caps:  # how each modelled cap was computed, line by line
            if cap.detail is not None and cap.kind != "formula":
                lines += ["", f"  {cap.id} ({cap.kind}) {cap.label}"] + [f"    {line}" for line in cap.detail.explanation]
    for card in decision.scorecards:
        score = "—" if card.score is None else f"{card.score}"
        lines += ["", f"评分卡 Scorecard {card.id} {card.name}: {score} 分, 等级 grade {card.grade or '—'}   (base {card.base_points})"]
        rows = [["variable", "label", "value", "bin", "points", "max", "lost"]]
        for v in card.variables:
            rows.append([v.id, v.label, _value(v.value), v.bin or "no bin", _value(v.points), _value(v.max_points), _value(v.lost)])
        lines += table(rows)
        if card.reason_codes:
            lines.append("  reason codes: " + ", ".join(f"{r.code} {r.label} (-{r.lost})" for r in card.reason_codes))
    if decision.rate:
        r = decision.rate
        parts = [f"{r.base_label} {r.base_bp}bp", f"spread {r.spread_bp:+d}bp"]
        parts += [f"{a.label} {a.bp:+d}bp" for a in r.adjustments]
        bounds = []
        if r.floor_bp is not None:
            bounds.append(f"floor {bp_to_percent(r.floor_bp)}")
        if r.cap_bp is not None:
            bounds.append(f"cap {bp_to_percent(r.cap_bp)}")
        lines += ["", f"利率 Rate: {r.final_percent} ({r.final_bp}bp)" + (f"   bound by {r.bound_by}" if r.bound_by else ""),
                  "  " + " ".join(parts) + (f"   [{', '.join(bounds)}]" if bounds else "")]
    if decision.terms:
        t = decision.terms
        extra = f" (max {t.max_months})" if t.max_months is not None else ""
        revolving = f"; revolving line, valid {t.line_validity_months} months" if t.revolving and t.line_validity_months else ""
        lines += ["", f"期限 Terms: {', '.join(map(str, t.months)) or 'none'} months{extra}{revolving}",
                  "还款方式 Repayment: " + (", ".join(f"{m} {METHOD_LABELS.get(m, '')}" for m in t.repayment_methods) or "none")]
    if decision.trace is not None:
        lines += ["", "跟踪 Trace"]
        rows = [["#", "kind", "id", "outcome", "value", "inputs"]]
        for step in decision.trace:
            inputs = ", ".join(f"{k}={_value(v)}" for k, v in step.inputs.items())
            rows.append([str(step.order), step.kind, step.id, step.outcome, _value(step.value) if step.value is not None else "", inputs])
        lines += table(rows)
    return "\n".join(lines) + "\n"
