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

import itertools
import json
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Sequence

from engine.compile.ir import Check, CompiledProduct, CompiledTable
from engine.core.errors import Problem
from engine.documents.models import DataDictionary, FieldDef
from engine.expressions import nodes as n
from engine.expressions.parser import expression_text

MAX_TERMS = 256
MAX_COMBINATIONS = 20_000
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def warning(problem: Problem, code: str) -> Problem:
    return replace(problem, code=code, severity="warning")


# ---------------------------------------------------------------- satisfiability of conditions


@dataclass(frozen=True)
class Atom:
    field: str | None  # None for an opaque sub-expression
    op: str  # == != < <= > >= in notin, or 'opaque'
    value: Any
    key: int = 0  # identity of an opaque node
    positive: bool = True


Conjunction = tuple[Atom, ...]


def _dnf(node: n.Node, positive: bool = True) -> list[Conjunction] | None:
    """The condition (or its negation) as a disjunction of conjunctions of atoms; None if too large."""
    if isinstance(node, n.Const) and isinstance(node.value, bool):
        return [()] if node.value == positive else []
    if isinstance(node, n.Not):
        return _dnf(node.operand, not positive)
    if isinstance(node, n.Logic):
        conjunctive = (node.op == "and") == positive
        parts = [_dnf(o, positive) for o in node.operands]
        if any(p is None for p in parts):
            return None
        if not conjunctive:
            result = [c for p in parts for c in p]  # type: ignore[union-attr]
            return result if len(result) <= MAX_TERMS else None
        combined: list[Conjunction] = [()]
        for part in parts:
            combined = [a + b for a in combined for b in part]  # type: ignore[union-attr]
            if len(combined) > MAX_TERMS:
                return None
        return combined
    if isinstance(node, n.Compare):
        left, right, op = node.left, node.right, node.op
        if isinstance(left, n.Const) and isinstance(right, n.FieldRef):
            left, right, op = right, left, _FLIP[op]
        if isinstance(left, n.FieldRef) and isinstance(right, n.Const):
            return [(Atom(left.path, op if positive else _NEGATE[op], right.value),)]
    if isinstance(node, n.Member) and isinstance(node.needle, n.FieldRef) and isinstance(node.haystack, n.Const):
        inside = positive != node.negate
        return [(Atom(node.needle.path, "in" if inside else "notin", frozenset(node.haystack.value)),)]
    if isinstance(node, n.FieldRef) and node.type.kind == "boolean":
        return [(Atom(node.path, "==", positive),)]
    return [(Atom(None, "opaque", None, id(node), positive),)]


def _satisfiable(conjunction: Conjunction, dictionary: DataDictionary) -> bool:
    by_field: dict[str, list[Atom]] = {}
    opaque: dict[int, bool] = {}
    for atom in conjunction:
        if atom.field is None:
            if opaque.setdefault(atom.key, atom.positive) != atom.positive:
                return False
            continue
        by_field.setdefault(atom.field, []).append(atom)
    return all(_field_satisfiable(atoms, dictionary.field(f)) for f, atoms in by_field.items())


def _field_satisfiable(atoms: list[Atom], definition: FieldDef | None) -> bool:
    kind = definition.type if definition else None
    if kind in ("enum", "boolean") or all(a.op in ("==", "!=", "in", "notin") for a in atoms) and not _numeric(atoms):
        domain: set[Any] | None = set(definition.values or ()) if definition is not None and kind == "enum" else {True, False} if kind == "boolean" else None
        excluded: set[Any] = set()
        for atom in atoms:
            if atom.op in ("==", "in"):
                allowed = {atom.value} if atom.op == "==" else set(atom.value)
                domain = allowed if domain is None else domain & allowed
            elif atom.op in ("!=", "notin"):
                excluded |= {atom.value} if atom.op == "!=" else set(atom.value)
            else:
                return True  # an order comparison on text: not analysed
        return domain is None or bool(domain - excluded)
    return _interval_satisfiable(atoms, definition)


def _numeric(atoms: list[Atom]) -> bool:
    return any(isinstance(a.value, (int, Decimal, date)) and not isinstance(a.value, bool) for a in atoms)


def _interval_satisfiable(atoms: list[Atom], definition: FieldDef | None) -> bool:
    low: Any = definition.min if definition and definition.min is not None else None
    high: Any = definition.max if definition and definition.max is not None else None
    low_open = high_open = False
    points: set[Any] | None = None
    excluded: set[Any] = set()
    for atom in atoms:
        value = atom.value
        if atom.op in (">", ">="):
            if low is None or value > low or (value == low and atom.op == ">"):
                low, low_open = value, atom.op == ">"
        elif atom.op in ("<", "<="):
            if high is None or value < high or (value == high and atom.op == "<"):
                high, high_open = value, atom.op == "<"
        elif atom.op == "==":
            points = {value} if points is None else points & {value}
        elif atom.op == "in":
            points = set(value) if points is None else points & set(value)
        elif atom.op == "!=":
            excluded.add(value)
        elif atom.op == "notin":
            excluded |= set(value)

    def inside(v: Any) -> bool:
        return ((low is None or v > low or (v == low and not low_open))
                and (high is None or v < high or (v == high and not high_open)) and v not in excluded)

    if points is not None:
        return any(inside(p) for p in points)
    if low is not None and high is not None:
        if low > high or (low == high and (low_open or high_open or low in excluded)):
            return False
        if definition is not None and definition.type == "integer":
            first = int(low) + (1 if low_open or low != int(low) else 0)
            last = int(high) - (1 if high_open or high != int(high) else 0)
            return any(v not in excluded for v in range(first, min(last, first + len(excluded) + 1) + 1))
    return True


def can_hold(node: n.Node | None, dictionary: DataDictionary, also: n.Node | None = None, negate: bool = False) -> bool | None:
    """Whether (also ∧ node) — or (also ∧ ¬node) when negate — can be true; None when not decidable."""
    terms = _dnf(node, not negate) if node is not None else [()]
    guard = _dnf(also) if also is not None else [()]
    if terms is None or guard is None:
        return None
    combined = [g + t for g in guard for t in terms]
    if len(combined) > MAX_TERMS * 4:
        return None
    return any(_satisfiable(c, dictionary) for c in combined)


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


# ---------------------------------------------------------------- tables


def _representatives(column: list[n.Node], definition: FieldDef | None) -> list[Any] | None:
    if definition is None:
        return None
    if definition.type == "enum":
        return list(definition.values or ())
    if definition.type == "boolean":
        return [True, False]
    constants = sorted({c for node in column for c in _constants(node)
                        if isinstance(c, (int, Decimal)) and not isinstance(c, bool)})
    if definition.type in ("integer", "number", "money"):
        points: list[Any] = []
        low = definition.min
        for c in constants:
            points.append(c)
        if not constants:
            return [definition.min if definition.min is not None else Decimal(0)]
        candidates = set(points)
        candidates.add(constants[0] - 1)
        candidates.add(constants[-1] + 1)
        for a, b in zip(constants, constants[1:]):
            candidates.add((Decimal(a) + Decimal(b)) / 2)
        values = sorted(v for v in candidates if (low is None or v >= low) and (definition.max is None or v <= definition.max))
        if definition.type == "integer":
            values = sorted({int(v) for v in values if v == int(v)} | {int(v) + 1 for v in values if v != int(v)})
        return values
    if definition.type == "string":
        literals = sorted({c for node in column for c in _constants(node) if isinstance(c, str)})
        return literals + ["\u0000other"]
    return None


def _constants(node: n.Node) -> Iterable[Any]:
    if isinstance(node, n.Const):
        if isinstance(node.value, (frozenset, tuple)):
            yield from node.value
        else:
            yield node.value
    for child in node.children():
        yield from _constants(child)


def _atom_holds(atom: Atom, value: Any) -> bool:
    op, target = atom.op, atom.value
    if op == "in":
        return value in target
    if op == "notin":
        return value not in target
    if isinstance(value, str) != isinstance(target, str):
        return True
    return {"==": value == target, "!=": value != target, "<": value < target, "<=": value <= target,
            ">": value > target, ">=": value >= target}[op]


def hard_constraints(product: CompiledProduct) -> list[Atom]:
    """What every applicant who is not declined satisfies: unconditional hard rules on one field at a time."""
    rules = list(product.eligibility) + [r for c in product.combinations if c.condition is None for r in c.rules]
    atoms: list[Atom] = []
    for rule in rules:
        if rule.guard is not None or rule.action != "decline":
            continue
        atoms.extend(_single_conjunction(rule.rule_check.node))
    return atoms + _constraints_across_branches(product)


def _single_conjunction(node: n.Node) -> list[Atom]:
    terms = _dnf(node)
    return [a for a in terms[0] if a.field is not None] if terms is not None and len(terms) == 1 else []


def _allowed_values(atoms: list[Atom], field: str, domain: set[Any]) -> set[Any] | None:
    """The values of an enum field the atoms allow, or None when they do not constrain it."""
    relevant = [a for a in atoms if a.field == field and a.op in ("==", "!=", "in", "notin")]
    if not relevant:
        return None
    return {v for v in domain if all(_atom_holds(a, v) for a in relevant)}


def _constraints_across_branches(product: CompiledProduct) -> list[Atom]:
    """Combinations chosen by one enum field (e.g. by enterprise size) that together cover all its values:
    whatever branch applies, its hard rules hold, so the union of what each branch allows holds too."""
    branches: dict[str, list[tuple[set[Any], list[Atom]]]] = {}
    for combination in product.combinations:
        if combination.condition is None:
            continue
        condition = _single_conjunction(combination.condition.node)
        fields = {a.field for a in condition}
        if len(fields) != 1 or not condition:
            continue
        field = fields.pop()
        if field is None:  # an opaque sub-expression names no field
            continue
        kind = combination.condition.node
        values = _enum_values(kind, field)
        if values is None:
            continue
        chosen = _allowed_values(condition, field, values)
        rules = [r for r in combination.rules if r.guard is None and r.action == "decline"]
        branches.setdefault(field, []).append((chosen or set(), [a for r in rules for a in _single_conjunction(r.rule_check.node)]))
    atoms: list[Atom] = []
    for field, items in branches.items():
        domain = _enum_values_of(product, field)
        if domain is None or set().union(*(chosen for chosen, _ in items)) != domain:
            continue
        constrained = set.intersection(*({a.field for a in branch_atoms if a.field} for _, branch_atoms in items))
        for target in constrained:
            target_domain = _enum_values_of(product, target)
            if target_domain is None:
                continue
            allowed = [_allowed_values(branch_atoms, target, target_domain) for _, branch_atoms in items]
            if all(a is not None for a in allowed):
                atoms.append(Atom(target, "in", frozenset(set().union(*allowed))))  # type: ignore[arg-type]
    return atoms


def _enum_values(node: n.Node, field: str) -> set[Any] | None:
    for sub in _walk(node):
        if isinstance(sub, n.FieldRef) and sub.path == field and sub.type.values is not None:
            return set(sub.type.values)
    return None


def _enum_values_of(product: CompiledProduct, field: str) -> set[Any] | None:
    nodes = [c.condition.node for c in product.combinations if c.condition is not None]
    nodes += [r.rule_check.node for c in product.combinations for r in c.rules] + [r.rule_check.node for r in product.eligibility]
    for node in nodes:
        values = _enum_values(node, field)
        if values is not None:
            return values
    return None


def _walk(node: n.Node) -> Iterable[n.Node]:
    yield node
    for child in node.children():
        yield from _walk(child)


def analyse_table(table: CompiledTable, inputs: list[n.Node], source: Any, path: tuple[Any, ...],
                  dictionary: DataDictionary, today: date, constraints: Sequence[Atom] = ()) -> list[Problem]:
    """Gaps, overlaps (unique) and unreachable rows (first), over representative input values.
    constraints: what holds whenever the table is evaluated (hard rules, for tables read after them)."""
    if not all(isinstance(i, n.FieldRef) and "." in i.path and not i.path.startswith("tables.") for i in inputs):
        return []  # computed inputs: not analysed
    fields = [i.path for i in inputs]  # type: ignore[attr-defined]
    condition_nodes = [row.condition.node for row in table.rows]
    domains = [_representatives(condition_nodes, dictionary.field(f)) for f in fields]
    domains = [None if d is None else [v for v in d if all(_atom_holds(a, v) for a in constraints if a.field == f)]
               for f, d in zip(fields, domains)]
    if any(d is None for d in domains) or _product_size(domains) > MAX_COMBINATIONS:  # type: ignore[arg-type]
        return []
    problems: list[Problem] = []
    gaps: list[tuple[Any, ...]] = []
    overlaps: dict[tuple[int, ...], str] = {}
    first_hits: set[int] = set()
    for combination in itertools.product(*domains):  # type: ignore[arg-type]
        record = dict(zip(fields, combination))
        record["$date"] = today
        hits = [row.index for row in table.rows if row.condition.function(record) is True]
        if not hits:
            gaps.append(combination)
        else:
            first_hits.add(hits[0])
            if table.hit_policy == "unique" and len(hits) > 1:
                overlaps.setdefault(tuple(hits), _describe(fields, combination))
    if gaps:
        summary = _summarise_gaps(fields, gaps, domains)  # type: ignore[arg-type]
        outcome = "the default outputs apply" if table.default is not None else \
            f"the case is {'declined' if table.no_match_action == 'decline' else 'referred'} by no_match"
        problems.append(warning(source.problem(path + ("rows",), f"table {table.id} has a gap: no row matches {summary}",
                                               f"{outcome}; add a row or a catch-all row"), "PF301"))
    for rows, example in overlaps.items():
        problems.append(replace(source.problem(path + ("rows", rows[1]), f"table {table.id} rows {', '.join(map(str, rows))} "
                                               f"all match {example} under hit policy 'unique'",
                                               "make the rows exclusive or use hit_policy: first"), code="PF302"))
    if table.hit_policy == "first":
        for row in table.rows:
            if row.index not in first_hits:
                problems.append(warning(source.problem(path + ("rows", row.index), f"row {row.index} of table {table.id} "
                                                       "can never be the first match: earlier rows cover every value it matches",
                                                       "remove it or move it up"), "PF303"))
    return problems


def _summarise_gaps(fields: list[str], gaps: list[tuple[Any, ...]], domains: list[list[Any]]) -> str:
    """'tax.grade=C (any tax.paid_12m)' where one value of the first input misses every row; else examples."""
    parts = []
    rest = list(gaps)
    if len(fields) > 1:
        others = _product_size(domains[1:])
        for value in domains[0]:
            matching = [g for g in rest if g[0] == value]
            if len(matching) == others:
                parts.append(_describe(fields[:1], (value,)) + f" (any {', '.join(fields[1:])})")
                rest = [g for g in rest if g[0] != value]
    parts += [_describe(fields, g) for g in rest[:3]]
    more = f" and {len(rest) - 3} more" if len(rest) > 3 else ""
    return "; ".join(parts) + more


def _product_size(domains: list[list[Any]]) -> int:
    size = 1
    for d in domains:
        size *= max(len(d), 1)
    return size


def _describe(fields: list[str], values: tuple[Any, ...]) -> str:
    shown = ["other" if v == "\u0000other" else str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return ", ".join(f"{f}={v}" for f, v in zip(fields, shown))


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
