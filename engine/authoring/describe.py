"""`pf show`: a product as a product manager reads it, with the rulesets it combines expanded."""
from __future__ import annotations

from typing import Any

from engine.compile.ir import CompiledProduct
from engine.core.repayment import METHOD_LABELS
from engine.core.values import format_value
from engine.documents.loaded import LoadedProduct, LoadedRuleset
from engine.expressions.parser import expression_text
from engine.results.render import table


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
    out += table([[c.id, c.label, c.summary(), f"missing: {c.on_missing}"] for c in limit.caps])
    pricing = doc.pricing
    out += ["", "Pricing (basis points)"]
    rows = [["base", pricing.base_label, expression_text(pricing.base_bp)], ["spread", "", expression_text(pricing.spread_bp)]]
    rows += [[f"adjust {a.id}", a.label, f"{expression_text(a.bp)}" + (f" when {expression_text(a.when)}" if a.when is not None else "")]
             for a in pricing.adjustments]
    if pricing.floor_bp is not None:
        rows.append(["floor", "", expression_text(pricing.floor_bp)])
    if pricing.cap_bp is not None:
        rows.append(["cap", "", expression_text(pricing.cap_bp)])
    rows += [[f"fee {f.id}", f.label, f"{f.kind}: {f.summary()}"] for f in pricing.fees]
    out += table(rows)
    for card in doc.scorecards:
        out += ["", f"Scorecard {card.id}: {card.name} (base {card.base_points} points; reason codes: top {card.reason_codes})"]
        out += table([[v.id, v.label, expression_text(v.value), "; ".join(f"{b.describe()} → {b.points}" for b in v.bins)]
                      for v in card.variables])
        out.append("  grades: " + ", ".join(f"{g.grade} ≥ {g.min_score}" if g.min_score is not None else f"{g.grade} below"
                                            for g in card.grades))
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


# ---------------------------------------------------------------- the resolved product and where each part came from


def provenance(loaded: LoadedProduct) -> list[tuple[str, str, str]]:
    """(part, value or id, 'file:line') for every param, rule, combination, table and section."""
    doc, source = loaded.doc, loaded.source
    rows: list[tuple[str, str, str]] = []
    for name, value in doc.params.items():
        rows.append((f"params.{name}", format_value(value), source.where(("params", name))))
    for i, rule in enumerate(doc.eligibility):
        rows.append((f"eligibility.{rule.id}", rule.action, source.where(("eligibility", i))))
    for i, combo in enumerate(doc.risk_controls):
        rows.append((f"risk_controls.{combo.id}", ", ".join(u.ruleset for u in combo.uses()), source.where(("risk_controls", i))))
    for i, decision_table in enumerate(doc.tables):
        rows.append((f"tables.{decision_table.id}", f"{len(decision_table.rows)} rows", source.where(("tables", i))))
    for i, cap in enumerate(doc.limit.caps):
        rows.append((f"limit.caps.{cap.id}", cap.summary(), source.where(("limit", "caps", i))))
    for key in ("base_bp", "spread_bp", "floor_bp", "cap_bp"):
        value = getattr(doc.pricing, key)
        if value is not None:
            rows.append((f"pricing.{key}", expression_text(value), source.where(("pricing", key))))
    for i, adjustment in enumerate(doc.pricing.adjustments):
        rows.append((f"pricing.adjustments.{adjustment.id}", expression_text(adjustment.bp), source.where(("pricing", "adjustments", i))))
    rows.append(("terms", ", ".join(map(str, doc.terms.months)), source.where(("terms",))))
    for i, option in enumerate(doc.repayment_methods):
        rows.append((f"repayment_methods.{option.method}", METHOD_LABELS[option.method], source.where(("repayment_methods", i))))
    return rows


def shared_params_used(loaded: LoadedProduct, catalog: Any, day: Any) -> list[tuple[str, str, str]]:
    """Parameter-centre values the product (or its rulesets) reads, with the value in force and its file."""
    import json
    import re

    text = json.dumps(loaded.doc.model_dump(mode="json"), ensure_ascii=False)
    for combo in loaded.doc.risk_controls:
        for use in combo.uses():
            if use.ruleset in catalog.rulesets:
                text += json.dumps(catalog.rulesets[use.ruleset].doc.model_dump(mode="json"), ensure_ascii=False)
    rows = []
    pack = catalog.select(f"{loaded.doc.code}@{loaded.doc.version}", day).pack.name
    for group, params in catalog.shared_entries(pack).items():
        for name in sorted(set(re.findall(rf"\b{group}\.([a-z][a-z0-9_]*)", text))):
            entry = params.get(name)
            if entry is not None:
                position = entry.source.position(("params", name))
                where = f"{entry.source.file}:{position.line}" if position else entry.source.file
                rows.append((f"{group}.{name}", format_value(entry.param.value_on(day)), f"{where} (pack {entry.pack.name})"))
    return rows


def provenance_json(loaded: LoadedProduct, catalog: Any, day: Any) -> dict[str, str]:
    return {part: where for part, _, where in provenance(loaded) + shared_params_used(loaded, catalog, day)}


def describe_resolved(loaded: LoadedProduct, compiled: CompiledProduct, catalog: Any, day: Any) -> str:
    doc = loaded.doc
    chain = []
    entry = catalog.select(f"{doc.code}@{doc.version}", day)
    while entry is not None:
        chain.append(f"{entry.label} ({entry.source.file}, pack {entry.pack.name})")
        entry = catalog.select(entry.header.extends, day) if entry.header.extends else None
    out = [
        f"{doc.name}  ({doc.code} v{doc.version}), resolved on {day.isoformat()}",
        f"  content hash {compiled.content_hash}",
        "  inheritance: " + "  <-  ".join(chain),
        "",
        "Every part and where it came from",
    ]
    out += table([[part, value, where] for part, value, where in provenance(loaded)])
    shared = shared_params_used(loaded, catalog, day)
    if shared:
        out += ["", f"Parameter centre values in force on {day.isoformat()}"]
        out += table([list(row) for row in shared])
    return "\n".join(out) + "\n"


def product_rows(catalog: Any) -> list[list[str]]:
    """Every product version as a table (header first): code, name, version, effective dates, pack, parent."""
    rows = [["code", "name", "version", "effective from", "to", "pack", "extends"]]
    for entry in catalog.entries():
        header = entry.header
        rows.append([header.code, header.name, header.version, header.effective.from_.isoformat(),
                     header.effective.to.isoformat() if header.effective.to else "—", entry.pack.name, header.extends or ""])
    return rows


def pack_rows(catalog: Any) -> list[list[str]]:
    """The packs loaded, in layering order, as a table (header first): what each brings."""
    rows = [["pack", "version", "path", "depends on", "products", "rulesets", "shared params"]]
    for loaded_pack in catalog.packs:
        manifest = loaded_pack.manifest
        products = sum(1 for e in catalog.entries() if e.pack is loaded_pack)
        rows.append([loaded_pack.name, loaded_pack.version, str(loaded_pack.root),
                     ", ".join(manifest.depends_on) if manifest else "", str(products),
                     str(len(loaded_pack.files("rulesets"))), str(len(loaded_pack.files("params")))])
    return rows
