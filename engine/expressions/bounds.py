"""The size limits of one expression (engine.core.limits: expression_chars, expression_depth, expression_nodes),
checked on Python's syntax tree before anything is type-checked or compiled.

Depth counts nested expressions (calls, operators, conditionals); parentheses that only group add nothing,
and a chain such as `a < b < c` or `a and b and c` is one level, so both compilers can rely on every
expression they see being at most `expression_depth` deep. The walk is iterative, so a tree deeper than
Python's recursion limit is measured and refused, never crashes.
"""
from __future__ import annotations

import ast
from typing import Callable

from engine.core.limits import LIMITS, InputLimits
from engine.expressions.problems import ExpressionProblem


def check_text(text: str, limits: InputLimits = LIMITS) -> None:
    if len(text) > limits.expression_chars:
        raise ExpressionProblem(f"expression is {len(text)} characters long; the limit is {limits.expression_chars}",
                                hint="split it: a param, a table or a scorecard holds the parts")


Locate = Callable[[ast.AST, str, "str | None"], ExpressionProblem]


def check_tree(tree: ast.AST, problem: Locate, limits: InputLimits = LIMITS) -> None:
    """Refuse a tree deeper or larger than the limits, at the first node past the limit (`problem` locates it)."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.expression_nodes:
            raise problem(node, f"expression has more than {limits.expression_nodes} parts (names, numbers, operators)", None)
        if depth > limits.expression_depth:
            raise problem(node, f"expression is nested more than {limits.expression_depth} levels deep",
                      "name the inner part: a param, a table output or a scorecard")
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                stack.append((child, depth + 1))

