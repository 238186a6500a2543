"""Static analysis of products and rulesets: what can be known before any applicant arrives.

Each finding is a Problem with a stable code (docs/diagnostics.md lists them):
  PF101 param defined and never used          PF201 rule can never fail
  PF202 rule can never pass                    PF203 a rule's `when:` can never hold
  PF301 decision table gap                     PF302 rows overlap under the 'unique' hit policy
  PF303 row can never be the first match       PF402 scorecard bins leave a hole
  PF501 rule message says nothing
Decidability comes from constants and ranges: comparisons of one field with constants, enum and
boolean domains, the data dictionary's min/max. Anything else is treated as free (never guessed).
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Iterable

from engine.authoring.conditions import can_hold, hard_constraints, warning
from engine.authoring.table_analysis import analyse_table
from engine.compile.ir import Check, CompiledProduct
from engine.core.errors import Problem
from engine.documents.models import DataDictionary
from engine.expressions import nodes as n
from engine.expressions.parser import expression_text

__all__ = ["analyse_product", "analyse_ruleset", "analyse_rules", "analyse_table", "can_hold", "unused_params"]


# ---------------------------------------------------------------- rules


def analyse_rules(rules: Iterable[Check], source_of: Any, dictionary: DataDictionary) -> list[Problem]:
    problems = []
    for rule, source, path in source_of(rules):
        guard = rule.guard.node if rule.guard else None
        if guard is not None and can_hold(guard, dictionary) is False:
            problems.append(warning(source.problem(path + ("when",), f"the condition of rule {rule.id} can never hold: "
                                                   "the rule never applies", "check the comparison bounds"), "PF203"))
            continue
        if can_hold(rule.rule_check.node, dictionary, guard, negate=True) is False:
            problems.append(warning(source.problem(path + ("rule",), f"rule {rule.id} can never fail "
                                                   f"({expression_text(rule.rule_check.text)})", "a rule that always passes checks nothing"), "PF201"))
        constant_false = isinstance(rule.rule_check.node, n.Const) and rule.rule_check.node.value is False
        if not (constant_false and guard is not None) and can_hold(rule.rule_check.node, dictionary, guard) is False:
            problems.append(warning(source.problem(path + ("rule",), f"rule {rule.id} can never pass "
                                                   f"({expression_text(rule.rule_check.text)})", "every applicant it applies to is "
                                                   f"{'declined' if rule.action == 'decline' else 'referred'}"), "PF202"))
        if not re.search(r"[\w\u4e00-\u9fff]", rule.message.template):
            problems.append(warning(source.problem(path + ("message",), f"rule {rule.id} has no reason message",
                                                   "say why, in words a customer understands"), "PF501"))
    return problems


# ---------------------------------------------------------------- params


_PARAM_USE = re.compile(r"\bparams\.([a-z][a-z0-9_]*)")


def unused_params(params: dict[str, Any], texts: Any, source: Any, owner: str) -> list[Problem]:
    used = set(_PARAM_USE.findall(json.dumps(texts, ensure_ascii=False, default=str)))
    return [warning(source.problem(("params", name), f"param {name!r} of {owner} is never used",
                                   "remove it, or use it where the figure belongs", key=True), "PF101")
            for name in params if name not in used]


def analyse_scorecards(product: CompiledProduct, loaded: Any, dictionary: DataDictionary) -> list[Problem]:
    """Values a scorecard variable can take that no bin scores (and no `other` bin catches)."""
    problems = []
    for card in product.scorecards:
        card_index = next(i for i, c in enumerate(loaded.doc.scorecards) if c.id == card.id)
        for v_index, variable in enumerate(card.variables):
            if variable.other is not None:
                continue
            holes: list[str] = []
            kind = variable.value.node.type
            if kind.values is not None or kind.kind == "boolean":
                possible = sorted(kind.values) if kind.values is not None else [True, False]
                holes = [str(v).lower() if isinstance(v, bool) else str(v) for v in possible if v not in variable.lookup]
            elif kind.kind == "number" and variable.ranges:
                definition = dictionary.field(variable.value.node.path) if isinstance(variable.value.node, n.FieldRef) else None
                low = definition.min if definition is not None else None
                high = definition.max if definition is not None else None
                holes = _interval_holes(sorted(((r[0], r[1]) for r in variable.ranges), key=lambda r: (r[0] is not None, r[0] or 0)), low, high)
            if holes:
                path = ("scorecards", card_index, "variables", v_index, "bins")
                problems.append(warning(loaded.source.problem(path, f"scorecard {card.id}: no bin of {variable.id} scores "
                                                              f"{', '.join(holes)}", "add a bin or an `other: true` bin; "
                                                              "such an applicant cannot be scored"), "PF402"))
    return problems


def _interval_holes(ranges: list[tuple[Any, Any]], low: Any, high: Any) -> list[str]:
    """Half-open [from, below) intervals sorted by start: the stretches between low and high none covers."""
    holes = []
    cursor = None if low is None else low
    started = low is not None
    for start, below in ranges:
        if start is not None and (not started or cursor is None or start > cursor):
            if started and (high is None or (cursor is not None and cursor < high)):
                holes.append(f"[{cursor}, {start})")
            elif not started:
                holes.append(f"below {start}")
        started = True
        cursor = below if below is None or cursor is None or below > cursor else cursor
        if below is None:
            return holes
    if cursor is not None and (high is None or cursor <= high):
        holes.append(f"{cursor} and above")
    return holes


def analyse_product(product: CompiledProduct, loaded: Any, dictionary: DataDictionary, today: date) -> list[Problem]:
    doc = loaded.doc
    source = loaded.source
    problems: list[Problem] = []
    texts = doc.model_dump(mode="json", exclude={"params"})
    problems.extend(unused_params(doc.params, texts, source, f"product {doc.code}"))

    def located(rules: Iterable[Check]):
        for index, rule in enumerate(product.eligibility):
            if rule.origin == "eligibility":
                position = next(i for i, r in enumerate(doc.eligibility) if r.id == rule.id)
                yield rule, source, ("eligibility", position)

    problems.extend(analyse_rules(product.eligibility, located, dictionary))
    problems.extend(analyse_scorecards(product, loaded, dictionary))
    after_rules = hard_constraints(product)
    for table in product.tables:
        position = next(i for i, t in enumerate(doc.tables) if t.id == table.id)
        constraints = after_rules if table in product.late_tables else []
        problems.extend(analyse_table(table, list(table.input_nodes), source, ("tables", position), dictionary, today, constraints))
    return problems


def analyse_ruleset(ruleset: Any, compiled_rules: list[Check], dictionary: DataDictionary) -> list[Problem]:
    doc, source = ruleset.doc, ruleset.source
    problems = unused_params(doc.params, doc.model_dump(mode="json", exclude={"params"}), source, f"ruleset {doc.code}")

    def located(rules: Iterable[Check]):
        for index, rule in enumerate(compiled_rules):
            yield rule, source, ("rules", index)

    problems.extend(analyse_rules(compiled_rules, located, dictionary))
    return problems
