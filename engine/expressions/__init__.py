"""The expression language: parse (AST whitelist) -> typed nodes -> compiled Python callables."""
from engine.expressions.compiler import CompiledExpression, compile_expression
from engine.expressions.parser import ExpressionProblem, parse_expression
from engine.expressions.scope import Scope
from engine.expressions.types import Type

__all__ = ["CompiledExpression", "ExpressionProblem", "Scope", "Type", "compile_expression", "parse_expression"]
