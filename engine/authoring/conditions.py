"""Static analysis building blocks: a finding as a warning, whether a condition can hold, and what every
applicant who is not declined satisfies. Decidability comes from constants and ranges: comparisons of one
field with constants, enum and boolean domains, the data dictionary's min/max. Anything else is treated as
free (never guessed)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from engine.compile.ir import CompiledProduct
from engine.core.errors import Problem
from engine.documents.models import DataDictionary, FieldDef
from engine.expressions import nodes as n

MAX_TERMS = 256
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def warning(problem: Problem, code: str) -> Problem:
    """A static-analysis finding: the problem reported as a warning with its diagnostic code."""
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


def dnf(node: n.Node, positive: bool = True) -> list[Conjunction] | None:
    """The condition (or its negation) as a disjunction of conjunctions of atoms; None if too large."""
    if isinstance(node, n.Const) and isinstance(node.value, bool):
        return [()] if node.value == positive else []
    if isinstance(node, n.Not):
        return dnf(node.operand, not positive)
    if isinstance(node, n.Logic):
        conjunctive = (node.op == "and") == positive
        parts = [dnf(o, positive) for o in node.operands]
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
        domain: set[Any] | None = set(definition.values or ()) if kind == "enum" and definition is not None else {True, False} if kind == "boolean" else None
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
    terms = dnf(node, not negate) if node is not None else [()]
    guard = dnf(also) if also is not None else [()]
    if terms is None or guard is None:
        return None
    combined = [g + t for g in guard for t in terms]
    if len(combined) > MAX_TERMS * 4:
        return None
    return any(_satisfiable(c, dictionary) for c in combined)


# ---------------------------------------------------------------- what holds after the hard rules


def atom_holds(atom: Atom, value: Any) -> bool:
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
    terms = dnf(node)
    return [a for a in terms[0] if a.field is not None] if terms is not None and len(terms) == 1 else []


def _allowed_values(atoms: list[Atom], field: str, domain: set[Any]) -> set[Any] | None:
    """The values of an enum field the atoms allow, or None when they do not constrain it."""
    relevant = [a for a in atoms if a.field == field and a.op in ("==", "!=", "in", "notin")]
    if not relevant:
        return None
    return {v for v in domain if all(atom_holds(a, v) for a in relevant)}


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
        if field is None:
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
