"""Parse expression text with Python's `ast`, accept only a whitelist of node kinds, resolve names
against the scope (engine.expressions.names) and type-check everything, producing typed nodes.
Nothing here evaluates input."""
from __future__ import annotations

import ast
from decimal import Decimal
from typing import Any

from engine.core.errors import did_you_mean
from engine.expressions import nodes as n
from engine.expressions.functions import FUNCTIONS, ArgumentProblem
from engine.expressions.names import NameResolver
from engine.expressions.problems import ExpressionProblem
from engine.expressions.scope import Scope
from engine.expressions.types import BOOLEAN, NULL, NUMBER, Type, type_of_value

MAX_LENGTH = 4000
MAX_DIGITS = 30  # a literal longer than this is not money, and big ints are a denial-of-service risk
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_FORBIDDEN = {
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignment (:=) is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Starred: "* unpacking is not allowed",
    ast.Dict: "map literals are not allowed; put maps in params",
    ast.Set: "set literals are not allowed; use a list [...]",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Slice: "slices are not allowed",
}


def expression_text(source: Any) -> str:
    """YAML may give a bare constant (`when: true`, `bp: -10`) where an expression is expected."""
    if isinstance(source, bool):
        return "true" if source else "false"
    if isinstance(source, (int, Decimal)):
        return str(source)
    return str(source)


def parse_expression(source: Any, scope: Scope, expect: str | None = None) -> n.Node:
    """Parse and type-check; `expect` is the kind the result must have ('boolean', 'number', ...)."""
    text = expression_text(source)
    if len(text) > MAX_LENGTH:
        raise ExpressionProblem(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionProblem("expression is empty")
    try:
        # Wrapping in parentheses lets a YAML block scalar span lines; line 1 of the text is line 2 here.
        tree = ast.parse("(\n" + text + "\n)", mode="eval")
    except SyntaxError as exc:
        line = max((exc.lineno or 2) - 1, 1)
        col = max((exc.offset or 1) - 1, 0)
        hint = "use == to compare" if "=" in text and "==" not in text and "<=" not in text and ">=" not in text else None
        raise ExpressionProblem(f"syntax error: {exc.msg}", line, col, hint) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionProblem("expression is nested too deeply or is not valid text") from None
    lines = text.split("\n")
    try:
        node = _Checker(scope, lines).visit(tree.body)
    except RecursionError:
        raise ExpressionProblem("expression is nested too deeply") from None
    if expect is not None and node.type.kind not in (expect, "null"):
        raise ExpressionProblem(f"expression must give a {expect}, but gives {node.type}")
    return node


class _Checker(NameResolver):
    def visit(self, node: ast.AST) -> n.Node:
        handler = getattr(self, "visit_" + type(node).__name__, None)
        if handler is None:
            message = _FORBIDDEN.get(type(node), f"{type(node).__name__} is not allowed in expressions")
            raise self.problem(node, message)
        return handler(node)

    # ------------------------------------------------------------ literals (names: see NameResolver)

    def visit_Constant(self, node: ast.Constant) -> n.Node:
        value = node.value
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return n.Const(type_of_value(value), False, value)
        if isinstance(value, int):
            if len(str(abs(value))) > MAX_DIGITS:
                raise self.problem(node, f"number literal has more than {MAX_DIGITS} digits")
            return n.Const(NUMBER, False, value)
        if isinstance(value, float):
            literal = ast.get_source_segment("(\n" + "\n".join(self.lines) + "\n)", node) or repr(value)
            if len(literal) > MAX_DIGITS + 2:
                raise self.problem(node, f"number literal has more than {MAX_DIGITS} digits")
            try:
                exact = Decimal(literal.replace("_", ""))
            except ArithmeticError:
                raise self.problem(node, f"{literal} is not a decimal number") from None
            if not exact.is_finite():
                raise self.problem(node, "number is not finite")
            return n.Const(NUMBER, False, exact)
        raise self.problem(node, f"{type(value).__name__} literals are not allowed")

    def visit_List(self, node: ast.List | ast.Tuple) -> n.Node:
        items = [self.visit(element) for element in node.elts]
        if not all(isinstance(item, n.Const) for item in items):
            raise self.problem(node, "list items must be constants")
        values = [item.value for item in items]  # type: ignore[attr-defined]
        list_type = type_of_value(values)
        if values and list_type.item is None:
            raise self.problem(node, "list items must all have the same type")
        return n.Const(list_type, False, tuple(values))

    visit_Tuple = visit_List


    def visit_BoolOp(self, node: ast.BoolOp) -> n.Node:
        op = "and" if isinstance(node.op, ast.And) else "or"
        operands = tuple(self.visit(v) for v in node.values)
        for value, operand in zip(node.values, operands):
            self.require(value, operand, "boolean", f"'{op}' needs true/false on both sides")
        return n.Logic(BOOLEAN, any(o.nullable for o in operands), op, operands)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> n.Node:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            self.require(node.operand, operand, "boolean", "'not' needs true/false")
            if isinstance(operand, n.Const):
                return n.Const(BOOLEAN, False, not operand.value)
            return n.Not(BOOLEAN, operand.nullable, operand)
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            self.require(node.operand, operand, "number", "a sign needs a number")
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, n.Const):
                return n.Const(NUMBER, False, -operand.value)
            return n.Negate(NUMBER, operand.nullable, operand)
        raise self.problem(node, "bitwise operators are not allowed")

    def visit_BinOp(self, node: ast.BinOp) -> n.Node:
        op = _ARITH.get(type(node.op))
        if op is None:
            symbol = {ast.Pow: "**", ast.Mod: "%", ast.FloorDiv: "//"}.get(type(node.op), type(node.op).__name__)
            hint = "use round_down(x, step) or floor(x)" if symbol == "//" else None
            raise self.problem(node, f"operator {symbol} is not allowed (only + - * /)", hint)
        left, right = self.visit(node.left), self.visit(node.right)
        self.require(node.left, left, "number", f"'{op}' needs numbers")
        self.require(node.right, right, "number", f"'{op}' needs numbers")
        if isinstance(left, n.Const) and isinstance(right, n.Const) and op != "/":
            return n.Const(NUMBER, False, _fold_arith(op, left.value, right.value))
        return n.Arith(NUMBER, left.nullable or right.nullable or op == "/", op, left, right)

    def visit_Compare(self, node: ast.Compare) -> n.Node:
        operands = [self.visit(node.left)] + [self.visit(c) for c in node.comparators]
        sources = [node.left] + list(node.comparators)
        parts: list[n.Node] = []
        for i, op_node in enumerate(node.ops):
            left, right = operands[i], operands[i + 1]
            if isinstance(op_node, (ast.In, ast.NotIn)):
                parts.append(self.membership(sources[i + 1], left, right, isinstance(op_node, ast.NotIn)))
                continue
            op = _COMPARE.get(type(op_node))
            if op is None:
                raise self.problem(node, "'is' is not allowed; use == or has(field)")
            self.check_comparable(sources[i], sources[i + 1], left, right, op)
            parts.append(n.Compare(BOOLEAN, left.nullable or right.nullable, op, left, right))
        if len(parts) == 1:
            return parts[0]
        return n.Logic(BOOLEAN, any(p.nullable for p in parts), "and", tuple(parts))

    def check_comparable(self, left_src: ast.AST, right_src: ast.AST, left: n.Node, right: n.Node, op: str) -> None:
        if left.type.kind == "null" or right.type.kind == "null":
            raise self.problem(left_src, "comparing with null is not allowed", "use has(field) to test for missing data")
        if left.type.kind != right.type.kind:
            raise self.problem(right_src, f"cannot compare {left.type} with {right.type}")
        if op not in ("==", "!=") and left.type.kind not in ("number", "date"):
            raise self.problem(left_src, f"'{op}' needs numbers or dates, got {left.type}")
        for enum_side, const_side, src in ((left, right, right_src), (right, left, left_src)):
            self.check_enum_value(enum_side.type, const_side, src)

    def check_enum_value(self, enum_type: Type, const: n.Node, src: ast.AST) -> None:
        if enum_type.values is None or not isinstance(const, n.Const):
            return
        values = const.value if isinstance(const.value, tuple) else (const.value,)
        for value in values:
            if value not in enum_type.values:
                raise self.problem(src, f"{value!r} is not a possible value ({enum_type})",
                                   did_you_mean(str(value), enum_type.values))

    def membership(self, src: ast.AST, needle: n.Node, haystack: n.Node, negate: bool) -> n.Node:
        if haystack.type.kind != "list":
            raise self.problem(src, f"'in' needs a list on its right, got {haystack.type}")
        item = haystack.type.item
        if item is not None and needle.type.kind not in (item.kind, "null"):
            raise self.problem(src, f"cannot look for {needle.type} in a {haystack.type}")
        if isinstance(haystack, n.Const):
            self.check_enum_value(needle.type, haystack, src)
            haystack = n.Const(haystack.type, False, frozenset(haystack.value))
        return n.Member(BOOLEAN, needle.nullable or haystack.nullable, needle, haystack, negate)

    def visit_IfExp(self, node: ast.IfExp) -> n.Node:
        condition = self.visit(node.test)
        self.require(node.test, condition, "boolean", "the condition of 'if' must be true/false")
        then, otherwise = self.visit(node.body), self.visit(node.orelse)
        kinds = {then.type.kind, otherwise.type.kind} - {"null"}
        if len(kinds) > 1:
            raise self.problem(node, f"both branches must have the same type, got {then.type} and {otherwise.type}")
        result_type = then.type if then.type.kind != "null" else otherwise.type
        nullable = condition.nullable or then.nullable or otherwise.nullable or NULL in (then.type, otherwise.type)
        return n.IfElse(result_type, nullable, condition, then, otherwise)

    def visit_Call(self, node: ast.Call) -> n.Node:
        if not isinstance(node.func, ast.Name):
            raise self.problem(node, "method calls are not allowed; use a function such as min(a, b)",
                               "functions: " + ", ".join(FUNCTIONS))
        name = node.func.id
        if name.startswith("_"):
            raise self.problem(node.func, f"names starting with '_' are not allowed: {name!r}")
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise self.problem(node.func, f"unknown function {name!r}", did_you_mean(name, FUNCTIONS) or
                               "functions: " + ", ".join(FUNCTIONS))
        if node.keywords:
            raise self.problem(node, f"{name}() takes no keyword arguments")
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise self.problem(node, f"wrong number of arguments: {spec.signature}")
        if name == "has":
            return n.Call(BOOLEAN, False, "has", (self.presence_path(node.args[0]),))
        args = [self.visit(a) for a in node.args]
        try:
            result = spec.result(args)
        except ArgumentProblem as exc:
            at = node.args[exc.arg_index] if exc.arg_index is not None else node
            raise self.problem(at, f"{name}(): {exc.message}") from None
        if name == "coalesce":
            nullable = args[-1].nullable or args[-1].type.kind == "null"
        else:
            nullable = any(a.nullable for a in args) or name == "round_down"
        return n.Call(result, nullable, name, tuple(args))

    def presence_path(self, arg: ast.AST) -> n.Node:
        if isinstance(arg, ast.Name) and arg.id in self.scope.dictionary.sources:
            if not self.scope.source_declared(arg.id):
                raise self.problem(arg, f"data source {arg.id!r} is not in this product's data_sources")
            return n.FieldRef(BOOLEAN, True, arg.id)
        field = self.visit(arg)
        if not isinstance(field, n.FieldRef):
            raise self.problem(arg, "has() needs a data field or a data source, e.g. has(tax.grade) or has(tax)")
        return field

    def require(self, src: ast.AST, node: n.Node, kind: str, message: str) -> None:
        if node.type.kind not in (kind, "null"):
            raise self.problem(src, f"{message}, got {node.type}")


def _fold_arith(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    return a * b


__all__ = ["ExpressionProblem", "parse_expression", "expression_text"]
