"""All of a product's rules fused into one generated function: the fast path of evaluation.

Calling one small function per rule costs more than the rule itself, so the fast path inlines
every rule (and every risk-control combination's condition) into a single function that returns
the failed or unknown rules. The traced path (`--trace`) walks the same compiled rules one by one;
a differential test keeps the two identical.
"""
from __future__ import annotations

from typing import Any, Callable

from engine.compile.ir import CompiledCombination, CompiledRule
from engine.expressions.compiler import CompiledExpression, SourceGenerator
from engine.expressions.runtime import RUNTIME_NAMESPACE

RuleChecker = Callable[[dict[str, Any]], list[tuple[CompiledRule, Any]]]


def fuse_rules(eligibility: tuple[CompiledRule, ...], combinations: tuple[CompiledCombination, ...]) -> RuleChecker:
    generator = SourceGenerator()
    namespace: dict[str, Any] = dict(RUNTIME_NAMESPACE)
    lines = ["def _check_rules(d):", "    g = d.get", "    out = []", "    add = out.append"]

    def emit(rule: CompiledRule, indent: str) -> None:
        name = f"_rule{len(namespace)}"
        namespace[name] = rule
        check = generator.expr(rule.check.node)
        if rule.guard is None:
            lines.append(f"{indent}_r = {check}")
            lines.append(f"{indent}if _r is not True: add(({name}, _r))")
            return
        # A guarded rule reads "when G, R" (G implies R): false G, not applicable; unknown G, the rule
        # passes if R holds (it holds whichever way G goes) and is unknown otherwise.
        lines.append(f"{indent}_a = {generator.expr(rule.guard.node)}")
        lines.append(f"{indent}if _a is not False:")
        lines.append(f"{indent}    _r = {check}")
        lines.append(f"{indent}    if _r is not True: add(({name}, _r if _a is True else None))")

    for rule in eligibility:
        emit(rule, "    ")
    for combination in combinations:
        indent = "    "
        if combination.condition is not None:
            # Applied unless the condition is decidedly false (unknown applies: the stricter reading).
            lines.append(f"    if {generator.expr(combination.condition.node)} is not False:")
            indent = "        "
        for rule in combination.rules:
            emit(rule, indent)
        if indent != "    " and not combination.rules:
            lines.append(f"{indent}pass")
    lines.append("    return out")
    namespace.update(generator.constants)
    exec(compile("\n".join(lines) + "\n", "<rules>", "exec"), namespace)  # noqa: S102 - generated from typed nodes only
    return namespace["_check_rules"]


def fuse_values(expressions: list[CompiledExpression]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Several expressions evaluated by one generated function, returning their values in order."""
    generator = SourceGenerator()
    body = ", ".join(generator.expr(e.node) for e in expressions)
    namespace: dict[str, Any] = dict(RUNTIME_NAMESPACE)
    source = f"def _values(d):\n    g = d.get\n    return ({body}{',' if len(expressions) == 1 else ''})\n"
    namespace.update(generator.constants)
    exec(compile(source, "<values>", "exec"), namespace)  # noqa: S102 - generated from typed nodes only
    return namespace["_values"]
