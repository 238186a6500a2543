"""The semantic rules of a product, written once as expression nodes every backend compiles.

- "when G, R" is the Kleene implication `not G or R`: false G passes (not applicable), unknown G
  passes only when R holds whichever way G goes, and is unknown otherwise.
- a risk-control combination applies unless its condition is decidedly false: `coalesce(C, true)`.
- a decision table's hit policy is one expression, the table's state: the matched row's index,
  NO_MATCH, AMBIGUOUS (a 'unique' table with two matching rows) or unknown (None).
"""
from __future__ import annotations

from engine.compile.ir import AMBIGUOUS, NO_MATCH
from engine.expressions import nodes as n
from engine.expressions.types import BOOLEAN, NUMBER


def implies(guard: n.Node, check: n.Node) -> n.Node:
    nullable = guard.nullable or check.nullable
    return n.Logic(BOOLEAN, nullable, "or", (n.Not(BOOLEAN, guard.nullable, guard), check))


def applies_unless_false(condition: n.Node) -> n.Node:
    return n.Call(BOOLEAN, False, "coalesce", (condition, n.Const(BOOLEAN, False, True)))


def _int(value: int) -> n.Node:
    return n.Const(NUMBER, False, value)


def _count(hits: list[tuple[int, n.Node]], when_true: int | None, when_false: int, when_unknown: int) -> list[n.Node]:
    """One term per row: when_true (or the row index when None) if the row matches, etc."""
    terms: list[n.Node] = []
    for index, hit in hits:
        value = n.IfElse(NUMBER, hit.nullable, hit, _int(index if when_true is None else when_true), _int(when_false))
        terms.append(n.Call(NUMBER, False, "coalesce", (value, _int(when_unknown))) if hit.nullable else value)
    return terms


def _sum(terms: list[n.Node]) -> n.Node:
    if not terms:
        return _int(0)
    total = terms[0]
    for term in terms[1:]:
        total = n.Arith(NUMBER, False, "+", total, term)
    return total


def _compare(op: str, left: n.Node, right: int) -> n.Node:
    return n.Compare(BOOLEAN, False, op, left, _int(right))


def table_state(hit_policy: str, hits: list[tuple[int, n.Node]]) -> n.Node:
    """hits: (row index, row condition). 'first': the first matching row; an undecidable row hides
    every row after it. 'unique': two matching rows are AMBIGUOUS (whatever else is unknown); else an
    undecidable row makes the table unknown; else the one matching row, or NO_MATCH."""
    nullable = any(hit.nullable for _, hit in hits)
    if hit_policy == "first":
        state: n.Node = _int(NO_MATCH)
        for index, hit in reversed(hits):
            state = n.IfElse(NUMBER, nullable, hit, _int(index), state)
        return state
    if hit_policy != "unique":
        raise ValueError(f"unknown hit policy {hit_policy!r}")
    matches = _sum(_count(hits, 1, 0, 0))
    unknowns = _sum(_count(hits, 0, 0, 1))
    matched = _sum(_count(hits, None, 0, 0))
    unknown = n.Const(NUMBER, True, None)
    decided = n.IfElse(NUMBER, False, _compare("==", matches, 1), matched, _int(NO_MATCH))
    after_ambiguity = n.IfElse(NUMBER, nullable, _compare(">", unknowns, 0), unknown, decided)
    return n.IfElse(NUMBER, nullable, _compare(">=", matches, 2), _int(AMBIGUOUS), after_ambiguity)


def state_is(state_key: str, values: tuple[int, ...], negate: bool) -> n.Node:
    """A check over a table's state: passes (True) unless the state is one of values; never unknown."""
    ref = n.FieldRef(NUMBER, True, state_key)
    known = n.Call(NUMBER, False, "coalesce", (ref, _int(0)))
    member = n.Member(BOOLEAN, False, known, n.Const(NUMBER, False, frozenset(values)), negate)
    return member
