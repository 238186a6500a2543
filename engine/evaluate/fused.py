"""A product's rule groups fused into one generated function: the fast path of evaluation.

Calling one small function per rule costs more than the rule itself, so the fast path inlines
every rule's effective condition (the IR's `Check.condition`, guard semantics included) and every
group's `applies` into a single function that returns the failed or unknown rules. The traced
interpreter walks the same IR one entry at a time; a differential test keeps the two identical.
"""
from __future__ import annotations

from typing import Any, Callable

from engine.compile.ir import Check, CompiledProduct, FindingTuple, RuleGroup, RulesStep
from engine.expressions.compiler import SourceGenerator
from engine.expressions.runtime import RUNTIME_NAMESPACE

RuleChecker = Callable[[dict[str, Any]], list[FindingTuple]]


def fuse_groups(groups: tuple[RuleGroup, ...]) -> RuleChecker:
    generator = SourceGenerator()
    namespace: dict[str, Any] = dict(RUNTIME_NAMESPACE)
    lines = ["def _check_rules(d):", "    g = d.get", "    out = []", "    add = out.append"]

    def emit(rule: Check, indent: str) -> None:
        name = f"_rule{len(namespace)}"
        namespace[name] = rule
        code = generator.expr(rule.decides.node)
        lines.extend(indent + line for line in generator.take_lines())
        lines.append(f"{indent}_r = {code}")
        lines.append(f"{indent}if _r is not True: add(({name}, _r))")

    for group in groups:
        indent = "    "
        if group.applies is not None:
            applies = generator.expr(group.applies.node)
            lines.extend("    " + line for line in generator.take_lines())
            lines.append(f"    if {applies}:")
            indent = "        "
            if not group.rules:
                lines.append(f"{indent}pass")
        for rule in group.rules:
            emit(rule, indent)
    lines.append("    return out")
    namespace.update(generator.constants)
    exec(compile("\n".join(lines) + "\n", "<rules>", "exec"), namespace)  # noqa: S102 - generated from typed nodes only
    return namespace["_check_rules"]


def rule_checker(product: CompiledProduct, step: RulesStep) -> RuleChecker:
    """The fused function of one rules step, generated on first use and kept with the product."""
    key = ("fused", id(step))
    checker = product.backends.get(key)
    if checker is None:
        checker = product.backends[key] = fuse_groups(step.groups)
    return checker
