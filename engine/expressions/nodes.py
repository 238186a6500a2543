"""Typed expression nodes: what the parser produces and both compilers (row, columnar) consume."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from engine.expressions.types import Type


@dataclass(eq=False)
class Node:
    type: Type
    nullable: bool  # may evaluate to None (unknown) for some applicant

    def children(self) -> tuple["Node", ...]:
        return ()

    def fields(self) -> Iterator[str]:
        """Every data path this expression reads, in order of appearance."""
        for child in self.children():
            yield from child.fields()


@dataclass(eq=False)
class Const(Node):
    value: Any


@dataclass(eq=False)
class FieldRef(Node):
    path: str  # 'tax.grade', 'tables.spread.spread_bp', or a source name such as 'tax' (in has())

    def fields(self) -> Iterator[str]:
        yield self.path


@dataclass(eq=False)
class Compare(Node):
    op: str  # == != < <= > >=
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class Logic(Node):
    op: str  # and / or
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(eq=False)
class Not(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(eq=False)
class Arith(Node):
    op: str  # + - * /
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(eq=False)
class Negate(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(eq=False)
class IfElse(Node):
    condition: Node
    then: Node
    otherwise: Node

    def children(self) -> tuple[Node, ...]:
        return (self.condition, self.then, self.otherwise)


@dataclass(eq=False)
class Member(Node):
    needle: Node
    haystack: Node  # a Const frozenset or a list-typed field
    negate: bool

    def children(self) -> tuple[Node, ...]:
        return (self.needle, self.haystack)


@dataclass(eq=False)
class Lookup(Node):
    """params.some_map[key]: a constant map indexed by an expression; a missing key is unknown."""

    mapping: dict[str, Any]
    key: Node

    def children(self) -> tuple[Node, ...]:
        return (self.key,)


@dataclass(eq=False)
class Call(Node):
    function: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(eq=False)
class ItemField(Node):
    """x.name inside an aggregate: a field of the record the loop variable stands for (unknown when absent)."""

    var: str
    name: str


@dataclass(eq=False)
class Aggregate(Node):
    """any / all / count / sum / min / max over a records field: `sum(x.value for x in collateral.items if c)`.
    `element` is None for count (it counts the records the filter keeps)."""

    op: str
    var: str
    items: Node
    element: Node | None
    filter: Node | None

    def children(self) -> tuple[Node, ...]:
        return tuple(c for c in (self.items, self.element, self.filter) if c is not None)
