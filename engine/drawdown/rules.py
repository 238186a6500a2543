"""Declared draw rules: the same expression language and type checker as eligibility rules.

Names a draw rule may read besides the data dictionary's fields: line.*, draw.*, pool.*, exposure.*.
Compiled once per product content hash, because decide_draw runs inside the store's lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.compile.drawdown import DRAW_NAMES
from engine.core.errors import ProductFactoryError
from engine.documents.drawdown import DrawdownDoc
from engine.documents.models import DataDictionary
from engine.expressions.compiler import compile_expression
from engine.expressions.parser import parse_expression
from engine.expressions.problems import ExpressionProblem
from engine.expressions.scope import Scope

CompiledRule = tuple[str, Callable[[dict[str, Any]], Any], str, str, str, tuple[str, ...]]


class DrawRuleError(ProductFactoryError):
    """A declared draw rule that does not type-check."""


def compile_rules(rules: DrawdownDoc, dictionary: DataDictionary, params: dict[str, Any]) -> list[CompiledRule]:
    scope = Scope(dictionary=dictionary, params=dict(params), extra=dict(DRAW_NAMES))
    out: list[CompiledRule] = []
    for index, rule in enumerate(rules.rules):
        try:
            node = parse_expression(rule.rule, scope, expect="boolean")
        except ExpressionProblem as exc:
            raise DrawRuleError(f"drawdown.rules[{index}] ({rule.id}): {exc}") from None
        compiled = compile_expression(rule.rule, node)
        out.append((rule.id, compiled.function, rule.message, rule.action, rule.on_missing, compiled.fields))
    return out
