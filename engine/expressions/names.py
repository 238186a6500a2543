"""Resolving the names in an expression against the scope: data fields, params (the product's and the parameter
centre's), table outputs, scorecard results and map lookups. The parser's checker builds on this."""
from __future__ import annotations

import ast
from typing import Any

import engine.expressions.nodes as n  # the module itself: the package imports the parser, which imports this
from engine.core.errors import did_you_mean
from engine.expressions.folding import constant, constant_problem
from engine.expressions.problems import ExpressionProblem
from engine.expressions.scope import Scope
from engine.expressions.types import type_of_value

CONSTANT_NAMES = {"true": True, "false": False, "null": None}


class NameResolver:
    """The name and path half of the checker; `visit` (the whole language) is the parser's."""

    def __init__(self, scope: Scope, lines: list[str]):
        self.scope = scope
        self.lines = lines

    def problem(self, node: ast.AST, message: str, hint: str | None = None, code: str = "PF003") -> ExpressionProblem:
        line = getattr(node, "lineno", 2) - 1
        col_bytes = getattr(node, "col_offset", 0)
        text_line = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        col = len(text_line.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))
        return ExpressionProblem(message, max(line, 1), col, hint, code)

    def visit(self, node: ast.AST) -> n.Node:  # pragma: no cover - the parser's checker defines it
        raise NotImplementedError

    def visit_Name(self, node: ast.Name) -> n.Node:
        if node.id in CONSTANT_NAMES:
            value = CONSTANT_NAMES[node.id]
            return constant(type_of_value(value), value)
        if node.id.startswith("_"):
            raise self.problem(node, f"names starting with '_' are not allowed: {node.id!r}")
        if node.id in self.scope.dictionary.sources:
            raise self.problem(node, f"{node.id!r} is a data source; name one of its fields, e.g. {node.id}.<field>",
                               did_you_mean_field(self.scope, node.id, ""))
        if node.id in ("params", "tables", "scores") or node.id in self.scope.shared:
            raise self.problem(node, f"name one of the {node.id}, e.g. {node.id}.<name>")
        known = [*self.scope.dictionary.sources, "params", "tables", "scores", *self.scope.shared, *CONSTANT_NAMES]
        raise self.problem(node, f"unknown name {node.id!r}", did_you_mean(node.id, known))

    def visit_Attribute(self, node: ast.Attribute) -> n.Node:
        parts = self.path_parts(node)
        root = parts[0]
        if root == "params":
            return self.param(node, parts[1:])
        if root == "tables":
            return self.table_output(node, parts)
        if root == "scores":
            return self.score_output(node, parts)
        if root in self.scope.dictionary.sources or self.scope.extra_root(root):
            return self.data_field(node, parts)
        if root in self.scope.shared:
            return self.shared_param(node, root, parts[1:])
        known = [*self.scope.dictionary.sources, "params", "tables", "scores", *self.scope.shared]
        raise self.problem(node, f"unknown name {root!r}", did_you_mean(root, known))

    def path_parts(self, node: ast.AST) -> list[str]:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise self.problem(node, f"names starting with '_' are not allowed: {node.attr!r}")
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            raise self.problem(node, "attribute access is only allowed on data fields and params (e.g. tax.grade)")
        if node.id.startswith("_"):
            raise self.problem(node, f"names starting with '_' are not allowed: {node.id!r}")
        parts.append(node.id)
        return parts[::-1]

    def data_field(self, node: ast.AST, parts: list[str]) -> n.Node:
        path = ".".join(parts)
        if len(parts) != 2:
            raise self.problem(node, f"{path!r} is not a field: use source.field, e.g. tax.grade")
        field_type = self.scope.field_type(path)
        if field_type is None:
            raise self.problem(node, f"unknown field {path!r}", did_you_mean_field(self.scope, parts[0], parts[1]))
        if not self.scope.source_declared(parts[0]):
            raise self.problem(node, f"data source {parts[0]!r} is not in this product's data_sources",
                               f"add {parts[0]} to data_sources")
        return n.FieldRef(field_type, True, path)

    def param(self, node: ast.AST, names: list[str]) -> n.Node:
        if not names:
            raise self.problem(node, "name a param, e.g. params.min_tax_paid")
        name = names[0]
        if name not in self.scope.params:
            raise self.problem(node, f"unknown param {name!r}", did_you_mean(name, self.scope.params), "PF102")
        return self.constant_path(node, name, self.scope.params[name], names[1:])

    def shared_param(self, node: ast.AST, group: str, names: list[str]) -> n.Node:
        params = self.scope.shared[group]
        if not names:
            raise self.problem(node, f"name a param of the parameter centre group {group!r}, e.g. {group}.<name>")
        if names[0] not in params:
            raise self.problem(node, f"unknown param {names[0]!r} in parameter centre group {group!r}", did_you_mean(names[0], params), "PF102")
        if params[names[0]] is None:
            raise self.problem(node, f"{group}.{names[0]} has no value in force on the date this product is compiled for",
                               "its history starts later: add an earlier value or move the product's effective date")
        return self.constant_path(node, names[0], params[names[0]], names[1:])

    def constant_path(self, node: ast.AST, name: str, value: Any, rest: list[str]) -> n.Node:
        for key in rest:
            if not isinstance(value, dict) or key not in value:
                known = list(value) if isinstance(value, dict) else []
                raise self.problem(node, f"param {name!r} has no key {key!r}", did_you_mean(key, known))
            value = value[key]
        if isinstance(value, list):
            value = tuple(value)  # constants are immutable (and hashable for 'in')
        problem = constant_problem(value)
        if problem is not None:
            raise self.problem(node, f"param {name!r} = {value} {problem}")
        return constant(type_of_value(value), value)

    def table_output(self, node: ast.AST, parts: list[str]) -> n.Node:
        if len(parts) != 3:
            raise self.problem(node, "use tables.<table>.<output>, e.g. tables.rate_spread.spread_bp")
        table, output = parts[1], parts[2]
        if table not in self.scope.tables:
            raise self.problem(node, f"unknown table {table!r} (or it is defined after this use)",
                               did_you_mean(table, self.scope.tables))
        outputs = self.scope.tables[table]
        if output not in outputs:
            raise self.problem(node, f"table {table!r} has no output {output!r}", did_you_mean(output, outputs))
        return n.FieldRef(outputs[output], True, ".".join(parts))

    def score_output(self, node: ast.AST, parts: list[str]) -> n.Node:
        """scores.<card>.score or scores.<card>.grade: a scorecard's result, unknown when a variable is."""
        if len(parts) != 3:
            raise self.problem(node, "use scores.<scorecard>.score or scores.<scorecard>.grade")
        card, output = parts[1], parts[2]
        if card not in self.scope.scores:
            raise self.problem(node, f"unknown scorecard {card!r}", did_you_mean(card, self.scope.scores)
                               or ("scorecards: " + ", ".join(self.scope.scores) if self.scope.scores else "the product has no scorecards"))
        outputs = self.scope.scores[card]
        if output not in outputs:
            raise self.problem(node, f"scorecard {card!r} has no output {output!r} (it has {', '.join(outputs)})",
                               did_you_mean(output, outputs))
        return n.FieldRef(outputs[output], True, ".".join(parts))

    def visit_Subscript(self, node: ast.Subscript) -> n.Node:
        mapping = self.visit(node.value)
        if not (isinstance(mapping, n.Const) and isinstance(mapping.value, dict)):
            raise self.problem(node, "only params maps can be indexed, e.g. params.tax_multiplier[tax.grade]")
        key = self.visit(node.slice)
        value_type = mapping.type.item
        if value_type is None:
            raise self.problem(node.value, "the values of this map do not all have the same type")
        if key.type.kind not in ("string", "number"):
            raise self.problem(node.slice, f"a map key must be a string or number, got {key.type}")
        keys = mapping.type.keys or frozenset()
        if isinstance(key, n.Const):
            if str(key.value) not in keys:
                raise self.problem(node.slice, f"the map has no key {key.value!r}", did_you_mean(str(key.value), keys))
            return constant(value_type, mapping.value[str(key.value)])
        return n.Lookup(value_type, True, {str(k): v for k, v in mapping.value.items()}, key)



def did_you_mean_field(scope: Scope, source: str, name: str) -> str | None:
    src = scope.dictionary.sources.get(source)
    if src is None:
        return None
    if not name:
        return "fields: " + ", ".join(list(src.fields)[:8]) + (" ..." if len(src.fields) > 8 else "")
    return did_you_mean(f"{source}.{name}", [f"{source}.{f}" for f in src.fields]) or did_you_mean(
        f"{source}.{name}", scope.dictionary.paths()
    )
