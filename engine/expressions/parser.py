"""Parse expression text with Python's `ast`, accept only a whitelist of node kinds, resolve names
against the scope (engine.expressions.names) and type-check everything, producing typed nodes.
Nothing here evaluates input."""
from __future__ import annotations

import ast
from decimal import Decimal
from typing import Any

from engine.core.errors import did_you_mean
from engine.expressions import nodes as n
from engine.expressions.bounds import check_text, check_tree
from engine.expressions.folding import (
    arithmetic,
    constant,
    constant_problem,
    fold_if,
    fold_logic,
    fold_not,
    fold_strict,
)
from engine.expressions.functions import FUNCTIONS, ArgumentProblem
from engine.expressions.names import NameResolver
from engine.expressions.problems import ExpressionProblem
from engine.expressions.scope import Scope
from engine.expressions.types import BOOLEAN, NULL, NUMBER, Type, type_of_value

AGGREGATES = ("any", "all", "count", "sum", "min", "max")
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
    check_text(text)
    if not text.strip():
        raise ExpressionProblem("expression is empty")
    try:
        # Wrapping in parentheses lets a YAML block scalar span lines; line 1 of the text is line 2 here.
        tree = ast.parse("(\n" + text + "\n)", mode="eval")
    except SyntaxError as exc:
        lines = text.split("\n")
        line, col = max((exc.lineno or 2) - 1, 1), max((exc.offset or 1) - 1, 0)
        if line > len(lines):  # found at the closing wrapper parenthesis: the text ended too early
            line, col = len(lines), len(lines[-1])
        hint = "use == to compare" if "=" in text and "==" not in text and "<=" not in text and ">=" not in text else None
        raise ExpressionProblem(f"syntax error: {exc.msg}", line, col, hint) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionProblem("expression is nested too deeply or is not valid text") from None
    lines = text.split("\n")
    checker = _Checker(scope, lines)
    _inside_wrapper(tree.body, lines)
    check_tree(tree.body, checker.problem)
    try:
        node = checker.visit(tree.body)
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
            return constant(type_of_value(value), value)
        if isinstance(value, int):
            return self.number(node, value, str(value))
        if isinstance(value, float):
            # the float is inexact (or inf for 9e999999999): read the literal's own digits exactly
            literal = ast.get_source_segment("(\n" + "\n".join(self.lines) + "\n)", node) or repr(value)
            try:
                exact = Decimal(literal.replace("_", ""))
            except ArithmeticError:
                raise self.problem(node, f"{literal} is not a decimal number") from None
            return self.number(node, exact, literal)
        raise self.problem(node, f"{type(value).__name__} literals are not allowed")

    def number(self, node: ast.AST, value: int | Decimal, literal: str) -> n.Node:
        problem = constant_problem(value)
        if problem is not None:
            raise self.problem(node, f"number {_shorten(literal)} {problem}", "numbers in products are amounts, rates and counts")
        return n.Const(NUMBER, False, value)

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
        folded = fold_logic(op, operands)
        if folded is not None:
            return folded
        return n.Logic(BOOLEAN, any(o.nullable for o in operands), op, operands)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> n.Node:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            self.require(node.operand, operand, "boolean", "'not' needs true/false")
            return fold_not(operand) or n.Not(BOOLEAN, operand.nullable, operand)
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            self.require(node.operand, operand, "number", "a sign needs a number")
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, n.Const):
                return constant(NUMBER, None if operand.value is None else -operand.value)
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
        folded = fold_strict(NUMBER, (left, right))
        if folded is not None:
            return folded
        if isinstance(left, n.Const) and isinstance(right, n.Const) and op != "/":
            value = arithmetic(op, left.value, right.value)
            problem = constant_problem(value)
            if problem is not None:
                raise self.problem(node, f"the constant {op} gives a number that {problem}")
            return n.Const(NUMBER, False, value)
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
            parts.append(fold_strict(BOOLEAN, (left, right)) or n.Compare(BOOLEAN, left.nullable or right.nullable, op, left, right))
        if len(parts) == 1:
            return parts[0]
        return fold_logic("and", tuple(parts)) or n.Logic(BOOLEAN, any(p.nullable for p in parts), "and", tuple(parts))

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
        return fold_strict(BOOLEAN, (needle, haystack)) or n.Member(BOOLEAN, needle.nullable or haystack.nullable, needle, haystack, negate)

    def visit_IfExp(self, node: ast.IfExp) -> n.Node:
        condition = self.visit(node.test)
        self.require(node.test, condition, "boolean", "the condition of 'if' must be true/false")
        then, otherwise = self.visit(node.body), self.visit(node.orelse)
        kinds = {then.type.kind, otherwise.type.kind} - {"null"}
        if len(kinds) > 1:
            raise self.problem(node, f"both branches must have the same type, got {then.type} and {otherwise.type}")
        result_type = then.type if then.type.kind != "null" else otherwise.type
        nullable = condition.nullable or then.nullable or otherwise.nullable or NULL in (then.type, otherwise.type)
        folded = fold_if(condition, then, otherwise, result_type)
        if folded is not None:
            return folded
        return n.IfElse(result_type, nullable, condition, then, otherwise)

    def visit_Call(self, node: ast.Call) -> n.Node:
        if not isinstance(node.func, ast.Name):
            raise self.problem(node, "method calls are not allowed; use a function such as min(a, b)",
                               "functions: " + ", ".join(FUNCTIONS))
        name = node.func.id
        if name.startswith("_"):
            raise self.problem(node.func, f"names starting with '_' are not allowed: {name!r}")
        if name in AGGREGATES and len(node.args) == 1 and isinstance(node.args[0], ast.GeneratorExp):
            return self.aggregate(node, name, node.args[0])
        if name == "count":
            raise self.problem(node, "count() takes one generator: count(x for x in source.records if x.field == ...)")
        spec = FUNCTIONS.get(name)
        if spec is None:
            raise self.problem(node.func, f"unknown function {name!r}", did_you_mean(name, FUNCTIONS) or
                               "functions: " + ", ".join(FUNCTIONS))
        if node.keywords:
            raise self.problem(node, f"{name}() takes no keyword arguments")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.problem(arg, _FORBIDDEN[ast.Starred])
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
            args = [a for a in args if not (isinstance(a, n.Const) and a.value is None)] or args[-1:]
            if len(args) == 1:
                return args[0]
            nullable = args[-1].nullable
        else:
            folded = fold_strict(result, args)
            if folded is not None:
                return folded
            nullable = any(a.nullable for a in args) or name == "round_down"
        return n.Call(result, nullable, name, tuple(args))

    # ------------------------------------------------------------ aggregates over records fields

    def aggregate(self, node: ast.Call, op: str, gen: ast.GeneratorExp) -> n.Node:
        if len(gen.generators) != 1:
            raise self.problem(gen, f"{op}() takes one 'for': {op}(x.field for x in source.records if ...)")
        loop = gen.generators[0]
        if loop.is_async or not isinstance(loop.target, ast.Name) or loop.target.id.startswith("_"):
            raise self.problem(loop.target, "the loop variable must be a plain name, e.g. 'for x in collateral.items'")
        var = loop.target.id
        if len(loop.ifs) > 1:
            raise self.problem(loop.ifs[1], "one 'if' per aggregate; join conditions with 'and'")
        loops: dict[str, Type] = getattr(self, "loops", {})
        if loops:
            raise self.problem(node, "aggregates cannot be nested inside each other")
        items = self.visit(loop.iter)
        item_type = items.type.item
        if items.type.kind != "list" or item_type is None or item_type.kind != "record":
            raise self.problem(loop.iter, f"{op}() loops over a records field (a list of records), got {items.type}")
        self.loops = {var: item_type}
        try:
            condition = self.visit(loop.ifs[0]) if loop.ifs else None
            if condition is not None:
                self.require(loop.ifs[0], condition, "boolean", "the 'if' of an aggregate must be true/false")
            if op == "count":
                if not (isinstance(gen.elt, ast.Name) and gen.elt.id == var):
                    raise self.problem(gen.elt, f"count() counts records: count({var} for {var} in ... if ...)")
                element = None
            else:
                element = self.visit(gen.elt)
                want = "boolean" if op in ("any", "all") else "number"
                self.require(gen.elt, element, want, f"{op}() needs a {want} for each record")
        finally:
            self.loops = {}
        result = BOOLEAN if op in ("any", "all") else NUMBER
        return n.Aggregate(result, True, op, var, items, element, condition)

    def visit_Name(self, node: ast.Name) -> n.Node:
        if node.id in getattr(self, "loops", {}):
            raise self.problem(node, f"{node.id!r} is a record; name one of its fields, e.g. {node.id}.<field>")
        try:
            return super().visit_Name(node)
        except ExpressionProblem as exc:
            if len(node.id) <= 3 and exc.hint is None:
                exc.hint = "a loop variable exists only inside its aggregate, e.g. any(x.type == 'house' for x in collateral.items)"
            raise

    def visit_Attribute(self, node: ast.Attribute) -> n.Node:
        loops: dict[str, Type] = getattr(self, "loops", {})
        if isinstance(node.value, ast.Name) and node.value.id in loops:
            record = loops[node.value.id]
            field_type = record.field(node.attr)
            if field_type is None:
                names = [name for name, _ in record.fields or ()]
                raise self.problem(node, f"a record has no field {node.attr!r} (it has {', '.join(names)})",
                                   did_you_mean(node.attr, names))
            return n.ItemField(field_type, True, node.value.id, node.attr)
        return super().visit_Attribute(node)

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


def _inside_wrapper(body: ast.AST, lines: list[str]) -> None:
    """The text is parsed inside one pair of parentheses; text that closes them and opens its own
    (`true) or (false`) would otherwise be accepted as a different expression."""
    if getattr(body, "lineno", 2) >= 2 and (getattr(body, "end_lineno", None) or 0) <= len(lines) + 1:
        return
    depth, quote = 0, ""
    for line_no, line in enumerate(lines, 1):
        for col, char in enumerate(line):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "([":
                depth += 1
            elif char in ")]":
                depth -= 1
                if depth < 0:
                    raise ExpressionProblem(f"unmatched {char!r}: it closes more than the expression opened", line_no, col)
    raise ExpressionProblem("unmatched parentheses")


def _shorten(literal: str) -> str:
    return literal if len(literal) <= 24 else literal[:20] + "..."


__all__ = ["ExpressionProblem", "parse_expression", "expression_text"]
