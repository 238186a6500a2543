"""`pf show`: a product as a product manager reads it, with the rulesets it combines expanded."""
from __future__ import annotations

from typing import Any

from engine.compiled import CompiledProduct
from engine.documents import LoadedRuleset
from engine.expressions.parser import expression_text
from engine.render import METHOD_LABELS, table
from engine.values import format_value


def describe_product(product: CompiledProduct, rulesets: dict[str, LoadedRuleset]) -> str:
    doc = product.doc
    to = doc.effective.to.isoformat() if doc.effective.to else "open-ended"
    out = [
        f"{doc.name}  ({doc.code} v{doc.version})",
        f"  effective {doc.effective.from_.isoformat()} .. {to}; borrower: {doc.borrower}",
        f"  customer types: {', '.join(doc.customer_types)}",
        f"  data sources:   {', '.join(doc.data_sources)}",
    ]
    if doc.description:
        out.append("  " + doc.description.strip())
    out += ["", "Params"] + table([[k, format_value(v)] for k, v in doc.params.items()])
    out += ["", "Eligibility"] + _rules(doc.eligibility)
    for combo in doc.risk_controls:
        when = f"  when {expression_text(combo.when)}" if combo.when is not None else "  always"
        out += ["", f"Risk-control combination {combo.id}: {combo.name}", when]
        for use in combo.uses():
            ruleset = rulesets[use.ruleset].doc
            params = {**ruleset.params, **use.params}
            overridden = f" (overrides: {', '.join(f'{k}={format_value(v)}' for k, v in use.params.items())})" if use.params else ""
            out.append(f"  ruleset {ruleset.code}: {ruleset.name}{overridden}")
            out += _rules(ruleset.rules, indent="    ")
            del params
    for t in doc.tables:
        out += ["", f"Table {t.id} (hit policy {t.hit_policy})" + (f": {t.description}" if t.description else "")]
        header = [expression_text(i) for i in t.inputs] + [f"→ {o}" for o in t.outputs]
        out += table([header] + [[_cell(c) for c in row] for row in t.rows])
        no_match = t.no_match
        out.append("  no match: " + (f"output {no_match.output}" if no_match.output else f"{no_match.action}: {no_match.message}"))
    limit = doc.limit
    out += ["", f"Limit: smallest cap, rounded down to {format_value(limit.round_down_to)}"
            + (f", minimum {expression_text(limit.min_amount)} ({limit.below_min_action} below it)" if limit.min_amount is not None else "")]
    out += table([[c.id, c.label, expression_text(c.value), f"missing: {c.on_missing}"] for c in limit.caps])
    pricing = doc.pricing
    out += ["", "Pricing (basis points)"]
    rows = [["base", pricing.base_label, expression_text(pricing.base_bp)], ["spread", "", expression_text(pricing.spread_bp)]]
    rows += [[f"adjust {a.id}", a.label, f"{expression_text(a.bp)}" + (f" when {expression_text(a.when)}" if a.when is not None else "")]
             for a in pricing.adjustments]
    if pricing.floor_bp is not None:
        rows.append(["floor", "", expression_text(pricing.floor_bp)])
    if pricing.cap_bp is not None:
        rows.append(["cap", "", expression_text(pricing.cap_bp)])
    out += table(rows)
    terms = doc.terms
    out += ["", f"Terms: {', '.join(map(str, terms.months))} months"
            + (f", at most {expression_text(terms.max_months)}" if terms.max_months is not None else "")
            + (f"; revolving, line valid {terms.line_validity_months} months" if terms.revolving else "")]
    out.append("Repayment: " + ", ".join(
        f"{m.method} {METHOD_LABELS[m.method]}" + (f" (when {expression_text(m.when)})" if m.when is not None else "")
        for m in doc.repayment_methods))
    out.append(f"\n{product.rule_count} rules in all (CUSTOMER_TYPE included)")
    return "\n".join(out) + "\n"


def _rules(rules: Any, indent: str = "  ") -> list[str]:
    rows = []
    for rule in rules:
        condition = expression_text(rule.rule)
        if rule.when is not None:
            condition = f"when {expression_text(rule.when)}: {condition}"
        rows.append([rule.id, rule.action, f"missing→{rule.on_missing}", condition])
    return table(rows, indent=indent)


def _cell(cell: Any) -> str:
    if cell is None:
        return "-"
    if isinstance(cell, list):
        return "[" + ", ".join(map(str, cell)) + "]"
    return format_value(cell) if not isinstance(cell, str) else cell
