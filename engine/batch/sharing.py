"""Which typed expressions the columnar compiler would copy: polars expressions are trees, so an operand
read twice is copied, and nested re-reading constructs would grow 3-4x per level (engine.batch.columnar
computes such operands once, into a temporary column)."""
from __future__ import annotations

from engine.expressions import nodes as n

# functions whose columnar form reads an argument more than once
REREADS = frozenset({"round", "round_down", "min", "max", "clamp"})


def is_division(node: n.Node) -> bool:
    return isinstance(node, n.Arith) and node.op == "/"


def rereads(node: n.Node, memo: dict[int, bool]) -> bool:
    """Whether compiling the node reads some operand more than once (so copying it multiplies the work)."""
    key = id(node)
    if key not in memo:
        here = isinstance(node, (n.IfElse, n.Member)) or (isinstance(node, n.Call) and node.function in REREADS) \
            or (isinstance(node, n.Compare) and (is_division(node.left) or is_division(node.right)))
        memo[key] = here or any(rereads(child, memo) for child in node.children())
    return memo[key]
