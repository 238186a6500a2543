"""Compile typed nodes into plain Python functions over a flat record (dotted path -> value).

Missing data is a third outcome: every sub-expression may be None (unknown), and the generated code
follows Kleene's three-valued logic (false and unknown = false, true or unknown = true; anything
else touching unknown is unknown), which is also what a columnar engine's nulls do. The source is
generated from our own typed nodes, never from the user's text, and constants are passed by name,
so nothing the user wrote is ever executed.

The generated code stays flat whatever the expression: `and`/`or` chains become one Python `or` chain,
and every HOIST_EVERY levels of nesting a sub-expression is computed into a temporary first
(`SourceGenerator.lines`), so no generated function comes near CPython's nesting limits. Evaluating a
hoisted part eagerly is safe: evaluation is total (unknown, never an exception) and has no effects.
A numeric result whose magnitude reaches engine.core.decimals.RESULT_BOUND is unknown (`_bounded`).
"""
from __future__ import annotations

from typing import Any, Callable

from engine.core.decimals import in_engine_context
from engine.expressions import nodes as n
from engine.expressions.functions import DATE_RELATIVE, FUNCTIONS
from engine.expressions.runtime import RUNTIME_NAMESPACE

Record = dict[str, Any]


class CompiledExpression:
    """A typed expression and its generated Python source, turned into a function on first use.

    Products are evaluated through fused functions (engine.evaluate.fused), so most single-expression
    functions are only needed for tracing; compiling them lazily keeps loading a large pack fast.
    """

    __slots__ = ("text", "node", "fields", "source", "_constants", "_function")

    def __init__(self, text: str, node: n.Node, fields: tuple[str, ...], source: str, constants: dict[str, Any]):
        self.text = text
        self.node = node
        self.fields = fields  # paths read (data fields and table outputs), for explaining a result
        self.source = source  # the generated Python, for debugging
        self._constants = constants
        self._function: Callable[[Record], Any] | None = None

    @property
    def function(self) -> Callable[[Record], Any]:
        if self._function is None:
            namespace: dict[str, Any] = dict(RUNTIME_NAMESPACE)
            namespace.update(self._constants)
            exec(compile(self.source, "<expression>", "exec"), namespace)  # noqa: S102 - generated from typed nodes only
            self._function = in_engine_context(namespace["_expression"])
        return self._function

    def __call__(self, record: Record) -> Any:
        return self.function(record)

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"


HOIST_EVERY = 8


def compile_expression(text: str, node: n.Node) -> CompiledExpression:
    generator = SourceGenerator()
    body = generator.value(node)
    prelude = "".join(f"    {line}\n" for line in generator.take_lines())
    source = f"def _expression(d):\n    g = d.get\n{prelude}    return {body}\n"
    fields = tuple(dict.fromkeys(f for f in node.fields() if "." in f))
    return CompiledExpression(text, node, fields, source, generator.constants)


class SourceGenerator:
    """Python source for typed nodes; one generator may serve many expressions of one function."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {}
        self.temps = 0
        self.depth = 0
        self.inline = False  # inside an aggregate's per-record lambda: nothing may be hoisted out of it
        self.lines: list[str] = []  # hoisted temporaries, to run (in order) before the code that uses them

    def const(self, value: Any) -> str:
        if value is None or isinstance(value, bool) or type(value) is int:
            return repr(value)
        name = f"_k{len(self.constants)}"
        self.constants[name] = value
        return name

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def expr(self, node: n.Node) -> str:
        self.depth += 1
        try:
            code: str = getattr(self, "gen_" + type(node).__name__)(node)
        finally:
            self.depth -= 1
        if self.depth and self.depth % HOIST_EVERY == 0 and not isinstance(node, (n.Const, n.FieldRef)) and not self.inline:
            t = self.temp()
            self.lines.append(f"{t} = {code}")
            return t
        return code

    def value(self, node: n.Node) -> str:
        """The code of an expression whose value leaves the expression layer (a number is bounded)."""
        code = self.expr(node)
        return f"_bounded({code})" if node.type.kind == "number" else code

    def take_lines(self) -> list[str]:
        """The hoisted statements generated so far (emit them before the expression), and forget them."""
        lines, self.lines = self.lines, []
        return lines

    def strict(self, operands: list[n.Node], build: Callable[[list[str]], str]) -> str:
        """Unknown if any operand is unknown, else build(operand codes)."""
        names: list[str] = []
        checks: list[str] = []
        for operand in operands:
            code = self.expr(operand)
            if operand.nullable:
                t = self.temp()
                checks.append(f"({t} := {code}) is None")
                names.append(t)
            else:
                names.append(f"({code})")
        body = build(names)
        if not checks:
            return f"({body})"
        return f"(None if {' or '.join(checks)} else {body})"

    def gen_Const(self, node: n.Const) -> str:
        return self.const(node.value)

    def gen_FieldRef(self, node: n.FieldRef) -> str:
        return f"g({node.path!r})"

    def gen_Compare(self, node: n.Compare) -> str:
        return self.strict([node.left, node.right], lambda v: f"{v[0]} {node.op} {v[1]}")

    def gen_Arith(self, node: n.Arith) -> str:
        if node.op == "/":
            return self.strict([node.left, node.right], lambda v: f"_divide({v[0]}, {v[1]})")
        return self.strict([node.left, node.right], lambda v: f"{v[0]} {node.op} {v[1]}")

    def gen_Negate(self, node: n.Negate) -> str:
        return self.strict([node.operand], lambda v: f"-{v[0]}")

    def gen_Not(self, node: n.Not) -> str:
        return self.strict([node.operand], lambda v: f"not {v[0]}")

    def gen_Logic(self, node: n.Logic) -> str:
        if not node.nullable:
            return "(" + f" {node.op} ".join(f"({self.expr(o)})" for o in node.operands) + ")"
        # Kleene (engine.expressions.kleene): the deciding value (False for and, True for or) wins even over
        # unknown; else any unknown makes it unknown. One flat `or` chain, short-circuiting at the decider.
        decider = node.op == "or"
        tests: list[str] = []
        unknowns: list[str] = []
        for operand in node.operands:
            code = self.expr(operand)
            if operand.nullable:
                t = self.temp()
                tests.append(f"({t} := {code}) is {decider}")
                unknowns.append(t)
            else:
                tests.append(f"({code})" if decider else f"not ({code})")
        rest = f"(None if {' or '.join(f'{t} is None' for t in unknowns)} else {not decider})"
        return f"({decider} if {' or '.join(tests)} else {rest})"

    def gen_IfElse(self, node: n.IfElse) -> str:
        then, otherwise = self.expr(node.then), self.expr(node.otherwise)
        if not node.condition.nullable:
            return f"({then} if {self.expr(node.condition)} else {otherwise})"
        t = self.temp()
        return f"({then} if ({t} := {self.expr(node.condition)}) is True else ({otherwise} if {t} is False else None))"

    def gen_Member(self, node: n.Member) -> str:
        op = "not in" if node.negate else "in"
        return self.strict([node.needle, node.haystack], lambda v: f"{v[0]} {op} {v[1]}")

    def gen_Lookup(self, node: n.Lookup) -> str:
        table = self.const(node.mapping)
        if node.key.type.kind == "string":
            return self.strict([node.key], lambda v: f"{table}.get({v[0]})")
        return self.strict([node.key], lambda v: f"{table}.get(str({v[0]}))")  # map keys are text

    def gen_ItemField(self, node: n.ItemField) -> str:
        return f"_r.get({node.name!r})"

    def gen_Aggregate(self, node: n.Aggregate) -> str:
        # The per-record parts are lambdas of the record `_r`; hoisting inside them would read `_r` outside.
        items = self.expr(node.items)
        saved, self.inline = self.inline, True
        try:
            element = "None" if node.element is None else f"(lambda _r: {self.expr(node.element)})"
            keep = "None" if node.filter is None else f"(lambda _r: {self.expr(node.filter)})"
        finally:
            self.inline = saved
        return f"_aggregate({node.op!r}, {items}, {element}, {keep})"

    def gen_Call(self, node: n.Call) -> str:
        if node.function == "has":
            return f"(g({node.args[0].path!r}) is not None)"  # type: ignore[attr-defined]
        if node.function == "coalesce":
            *firsts, last = node.args
            result = self.expr(last)
            for arg in reversed(firsts):
                t = self.temp()
                result = f"({t} if ({t} := {self.expr(arg)}) is not None else {result})"
            return result
        helper = FUNCTIONS[node.function].runtime
        extra = ", g('$date')" if node.function in DATE_RELATIVE else ""
        return self.strict(list(node.args), lambda v: f"{helper}({', '.join(v)}{extra})")


def fuse_values(expressions: list[CompiledExpression]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Several expressions evaluated by one generated function, returning their values in order."""
    generator = SourceGenerator()
    body = ", ".join(generator.value(e.node) for e in expressions)
    prelude = "".join(f"    {line}\n" for line in generator.take_lines())
    namespace: dict[str, Any] = dict(RUNTIME_NAMESPACE)
    source = f"def _values(d):\n    g = d.get\n{prelude}    return ({body}{',' if len(expressions) == 1 else ''})\n"
    namespace.update(generator.constants)
    exec(compile(source, "<values>", "exec"), namespace)  # noqa: S102 - generated from typed nodes only
    return in_engine_context(namespace["_values"])
