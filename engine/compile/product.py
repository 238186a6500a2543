"""Documents -> compiled products. Every problem is collected and reported, not only the first."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from engine.compile.ir import (
    CompiledAdjustment,
    CompiledCombination,
    CompiledLimit,
    CompiledMethod,
    CompiledPricing,
    CompiledProduct,
    CompiledRow,
    CompiledRule,
    CompiledTable,
    CompiledTerms,
    Message,
)
from engine.documents.loaded import LoadedProduct, LoadedRuleset
from engine.core.errors import DocPath, ExpressionError, Problem, ProblemCollector, did_you_mean
from engine.expressions import CompiledExpression, ExpressionProblem, Scope, compile_expression, parse_expression
from engine.expressions.parser import expression_text
from engine.expressions.types import type_of_value, unify
from engine.compile.fees import compile_fees
from engine.evaluate.fused import fuse_rules, fuse_values
from engine.compile.limits import cap_kind, compile_cap
from engine.documents.models import DataDictionary, RuleDoc
from engine.documents.source import SourceDocument
from engine.compile.scorecards import compile_scorecard
from engine.compile.tables import CellProblem, cell_condition

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def compile_product(
    product: LoadedProduct,
    rulesets: dict[str, LoadedRuleset],
    dictionary: DataDictionary,
    shared: dict[str, dict[str, Any]] | None = None,
    *,
    pack: str = "",
    content_hash: str = "",
) -> CompiledProduct:
    """Compile one product; raises ExpressionError listing every problem found.
    shared: the parameter centre's values in force (group -> name -> value)."""
    compiler = _ProductCompiler(product, rulesets, dictionary, shared or {}, pack, content_hash)
    compiled = compiler.run()
    compiler.problems.raise_if_any(ExpressionError)
    assert compiled is not None
    return compiled


def check_ruleset(ruleset: LoadedRuleset, dictionary: DataDictionary, shared: dict[str, dict[str, Any]] | None = None) -> list[Problem]:
    """Compile a ruleset on its own (its default params, any data source) to find its problems."""
    return compile_ruleset(ruleset, dictionary, shared)[1]


def compile_ruleset(ruleset: LoadedRuleset, dictionary: DataDictionary,
                    shared: dict[str, dict[str, Any]] | None = None) -> tuple[list[CompiledRule | None], list[Problem]]:
    """A ruleset's rules compiled with its default params (None where a rule has problems)."""
    problems = ProblemCollector()
    seen: set[str] = set()
    for i, rule in enumerate(ruleset.doc.rules):
        if rule.id in seen:
            problems.add(replace(ruleset.source.problem(("rules", i, "id"), f"duplicate rule id {rule.id!r}"), code="PF502"))
        seen.add(rule.id)
    compiler = _Expressions(problems)
    scope = Scope(dictionary, dict(ruleset.doc.params), shared=shared or {})
    rules = [compiler.rule(ruleset.source, ("rules", i), rule, scope, f"ruleset:{ruleset.doc.code}", None, {})
             for i, rule in enumerate(ruleset.doc.rules)]
    return rules, problems.problems


class _Expressions:
    """Compiles expressions and rules, turning expression problems into located problems."""

    def __init__(self, problems: ProblemCollector, context: str = ""):
        self.problems = problems
        self.context = context

    def expr(self, source: SourceDocument, path: DocPath, text: Any, scope: Scope, expect: str | None) -> CompiledExpression | None:
        try:
            node = parse_expression(text, scope, expect)
        except ExpressionProblem as exc:
            problem = source.expression_problem(path, expression_text(text), exc.line, exc.col, exc.message + self.context, exc.hint)
            self.problems.add(replace(problem, code=exc.code))
            return None
        return compile_expression(expression_text(text), node)

    def message(self, source: SourceDocument, path: DocPath, template: str, scope: Scope) -> Message:
        placeholders = []
        for match in _PLACEHOLDER.finditer(template):
            try:
                node = parse_expression(match.group(1), scope)
            except ExpressionProblem as exc:
                self.problems.add(source.expression_problem(path, template, 1, match.start(1) + exc.col, f"in message placeholder: {exc.message}", exc.hint))
                continue
            placeholders.append((match.group(0), compile_expression(match.group(1), node)))
        return Message(template, tuple(placeholders))

    def rule(
        self,
        source: SourceDocument,
        path: DocPath,
        rule: RuleDoc,
        scope: Scope,
        origin: str,
        combination: str | None,
        table_inputs: dict[str, tuple[str, ...]],
    ) -> CompiledRule | None:
        guard = self.expr(source, path + ("when",), rule.when, scope, "boolean") if rule.when is not None else None
        check = self.expr(source, path + ("rule",), rule.rule, scope, "boolean")
        message = self.message(source, path + ("message",), rule.message, scope)
        if check is None or (rule.when is not None and guard is None):
            return None
        read = (guard.fields if guard else ()) + check.fields
        return CompiledRule(
            rule.id, origin, combination, guard, check, rule.action, rule.on_missing, message, expand_inputs(read, table_inputs)
        )


def expand_inputs(fields: tuple[str, ...], table_inputs: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Data fields behind an expression's reads: a table output stands for the fields the table reads."""
    expanded: list[str] = []
    for f in fields:
        expanded.extend(table_inputs.get(f, ()) if f.startswith("tables.") else (f,))
    return tuple(dict.fromkeys(expanded))


class _ProductCompiler:
    def __init__(self, product: LoadedProduct, rulesets: dict[str, LoadedRuleset], dictionary: DataDictionary,
                 shared: dict[str, dict[str, Any]], pack: str, content_hash: str):
        self.product = product
        self.pack = pack
        self.content_hash = content_hash
        self.doc = product.doc
        self.source = product.source
        self.rulesets = rulesets
        self.dictionary = dictionary
        self.problems = ProblemCollector()
        self.x = _Expressions(self.problems)
        self.scope = Scope(dictionary, dict(self.doc.params), frozenset(self.doc.data_sources), {}, shared)
        self.table_inputs: dict[str, tuple[str, ...]] = {}

    def run(self) -> CompiledProduct | None:
        self.check_sources()
        # Scorecards read only data and params, and tables, rules, limit and pricing may read their grade.
        scorecards = tuple(s for s in (compile_scorecard(self, i) for i in range(len(self.doc.scorecards))) if s is not None)
        tables = tuple(t for t in (self.table(i) for i in range(len(self.doc.tables))) if t is not None)
        eligibility = self.eligibility()
        combinations = self.combinations()
        limit = self.limit()
        pricing = self.pricing()
        terms = self.terms()
        methods = self.methods()
        if self.problems.problems:
            return None
        early = self.tables_read_by_rules(tables, eligibility, combinations)
        return CompiledProduct(
            self.doc, self.source.file, eligibility, combinations, tables,
            tuple(t for t in tables if t.id in early), tuple(t for t in tables if t.id not in early),
            limit, pricing, terms, methods, self.table_inputs, fuse_rules(eligibility, combinations),
            self.pack, self.content_hash, scorecards=scorecards,
        )

    @staticmethod
    def tables_read_by_rules(tables: tuple[CompiledTable, ...], eligibility: tuple[CompiledRule, ...],
                             combinations: tuple[CompiledCombination, ...]) -> set[str]:
        """Tables the rules need (directly or through another table). The others wait until the rules
        have run, so a declined applicant is not also told that, say, no price row matched."""
        def tables_in(fields: tuple[str, ...]) -> set[str]:
            return {f.split(".")[1] for f in fields if f.startswith("tables.")}

        rules = eligibility + tuple(r for c in combinations for r in c.rules)
        needed = set()
        for rule in rules:
            needed |= tables_in(rule.check.fields + (rule.guard.fields if rule.guard else ()))
        for combination in combinations:
            needed |= tables_in(combination.condition.fields if combination.condition else ())
        reads = {t.id: tables_in(tuple(f for row in t.rows for f in row.condition.fields)) for t in tables}
        for table in reversed(tables):  # a table reads only earlier tables, so one backward pass closes the set
            if table.id in needed:
                needed |= reads[table.id]
        return needed

    def e(self, path: DocPath, text: Any, expect: str | None) -> CompiledExpression | None:
        return self.x.expr(self.source, path, text, self.scope, expect)

    def check_sources(self) -> None:
        for i, name in enumerate(self.doc.data_sources):
            if name not in self.dictionary.sources:
                self.problems.add(self.source.problem(("data_sources", i), f"unknown data source {name!r}",
                                                      did_you_mean(name, self.dictionary.sources)))
        if "applicant" not in self.doc.data_sources:
            self.problems.add(self.source.problem(("data_sources",), "data_sources must include 'applicant' "
                                                  "(every product checks the customer type)"))

    # ------------------------------------------------------------ rules

    def eligibility(self) -> tuple[CompiledRule, ...]:
        rules: list[CompiledRule] = []
        seen: dict[str, int] = {}
        ruleset_ids = {r.id: code for code, rs in self.rulesets.items() for r in rs.doc.rules}
        for i, rule in enumerate(self.doc.eligibility):
            path = ("eligibility", i)
            if rule.id in seen:
                self.problems.add(replace(self.source.problem(path + ("id",), f"duplicate rule id {rule.id!r} (also rule {seen[rule.id]})"), code="PF502"))
            elif rule.id in ruleset_ids:
                self.problems.add(self.source.problem(path + ("id",), f"rule id {rule.id!r} is already used by ruleset {ruleset_ids[rule.id]!r}"))
            seen[rule.id] = i
            compiled = self.x.rule(self.source, path, rule, self.scope, "eligibility", None, self.table_inputs)
            if compiled:
                rules.append(compiled)
        customer_type = self.customer_type_rule()
        return ((customer_type,) if customer_type else ()) + tuple(rules)

    def customer_type_rule(self) -> CompiledRule | None:
        if "applicant" not in self.doc.data_sources:
            return None
        allowed = list(self.doc.customer_types)
        rule = RuleDoc(
            id="CUSTOMER_TYPE",
            rule=f"applicant.customer_type in {allowed!r}",
            message="客户类型{applicant.customer_type}不在本产品适用范围内(" + "、".join(allowed) + ")",
            action="decline",
        )
        return self.x.rule(self.source, ("customer_types",), rule, self.scope, "built-in", None, {})

    def combinations(self) -> tuple[CompiledCombination, ...]:
        result = []
        for i, combo in enumerate(self.doc.risk_controls):
            path: DocPath = ("risk_controls", i)
            condition = self.e(path + ("when",), combo.when, "boolean") if combo.when is not None else None
            rules: list[CompiledRule] = []
            for j, use in enumerate(combo.uses()):
                rules.extend(self.ruleset_rules(path + ("rulesets", j), use.ruleset, use.params, combo.id))
            result.append(CompiledCombination(combo.id, combo.name, condition, tuple(rules)))
        return tuple(result)

    def ruleset_rules(self, path: DocPath, code: str, overrides: dict[str, Any], combination: str) -> list[CompiledRule]:
        ruleset = self.rulesets.get(code)
        if ruleset is None:
            self.problems.add(self.source.problem(path, f"unknown ruleset {code!r}", did_you_mean(code, self.rulesets)))
            return []
        params = dict(ruleset.doc.params)
        for name, value in overrides.items():
            where = path + ("params", name)
            if name not in params:
                self.problems.add(self.source.problem(where, f"ruleset {code!r} has no param {name!r}",
                                                      did_you_mean(name, params), key=True))
            elif type_of_value(value).kind != type_of_value(params[name]).kind:
                self.problems.add(self.source.problem(where, f"param {name!r} of ruleset {code!r} is a "
                                                      f"{type_of_value(params[name])}, got {type_of_value(value)}"))
            else:
                params[name] = value
        x = _Expressions(self.problems, f" [ruleset {code!r} used by product {self.doc.code!r}]")
        scope = Scope(self.dictionary, params, self.scope.sources, {}, self.scope.shared)
        compiled = [
            x.rule(ruleset.source, ("rules", k), rule, scope, f"ruleset:{code}", combination, {})
            for k, rule in enumerate(ruleset.doc.rules)
        ]
        return [r for r in compiled if r is not None]

    # ------------------------------------------------------------ tables

    def table(self, index: int) -> CompiledTable | None:
        table = self.doc.tables[index]
        path: DocPath = ("tables", index)
        if table.id in self.scope.tables:
            self.problems.add(replace(self.source.problem(path + ("id",), f"duplicate table id {table.id!r}"), code="PF502"))
            return None
        before = len(self.problems.problems)
        inputs = [self.e(path + ("inputs", j), text, None) for j, text in enumerate(table.inputs)]
        if None in inputs:
            return None
        width = len(table.inputs)
        rows = []
        for r, row in enumerate(table.rows):
            condition = self.row_condition(path + ("rows", r), table.inputs, row[:width])
            outputs = {f"tables.{table.id}.{name}": value for name, value in zip(table.outputs, row[width:])}
            for c, value in enumerate(row[width:]):
                if value is None or isinstance(value, list):
                    self.problems.add(self.source.problem(path + ("rows", r, width + c), "an output cell must be a single value"))
            if condition is not None:
                rows.append(CompiledRow(r, condition, outputs))
        output_types = {}
        for c, name in enumerate(table.outputs):
            values = [row[width + c] for row in table.rows if row[width + c] is not None]
            if table.no_match.output is not None:
                values.append(table.no_match.output[name])
            unified = unify([type_of_value(v) for v in values if not isinstance(v, list)])
            if unified is None:
                self.problems.add(self.source.problem(path + ("outputs", c), f"output {name!r} mixes values of different types"))
                continue
            output_types[name] = unified
        keys = tuple(f"tables.{table.id}.{name}" for name in table.outputs)
        read = expand_inputs(tuple(f for i in inputs if i for f in i.fields), self.table_inputs)
        for key in keys:
            self.table_inputs[key] = read
        # Registered even when a row is broken, so later uses are checked instead of cascading errors.
        self.scope.tables[table.id] = output_types
        if len(self.problems.problems) > before:
            return None
        no_match = table.no_match
        default = {f"tables.{table.id}.{k}": v for k, v in no_match.output.items()} if no_match.output else None
        message = self.x.message(self.source, path + ("no_match", "message"), no_match.message, self.scope) if no_match.message else None
        return CompiledTable(table.id, table.hit_policy, tuple(rows), keys, default, no_match.action, message, read,
                             tuple(i.node for i in inputs if i is not None))

    def row_condition(self, path: DocPath, inputs: list[Any], cells: list[Any]) -> CompiledExpression | None:
        parts = []
        for c, (input_text, cell) in enumerate(zip(inputs, cells)):
            try:
                text = cell_condition(expression_text(input_text), cell)
            except CellProblem as exc:
                self.problems.add(self.source.problem(path + (c,), str(exc)))
                return None
            if text is None:
                continue
            try:
                parse_expression(text, self.scope, "boolean")
            except ExpressionProblem as exc:
                self.problems.add(self.source.problem(path + (c,), f"cell {cell!r}: {exc.message}", exc.hint))
                return None
            parts.append(f"({text})")
        combined = " and ".join(parts) or "true"
        return compile_expression(combined, parse_expression(combined, self.scope, "boolean"))

    # ------------------------------------------------------------ limit, pricing, terms

    def limit(self) -> CompiledLimit:
        doc = self.doc.limit
        caps = []
        seen: set[str] = set()
        for i, cap in enumerate(doc.caps):
            if cap.id in seen:
                self.problems.add(self.source.problem(("limit", "caps", i, "id"), f"duplicate cap id {cap.id!r}"))
            seen.add(cap.id)
            compiled = compile_cap(self, i, cap, doc.round_down_to)  # engine.compile.limits: every kind of cap
            if compiled:
                caps.append(compiled)
        minimum = self.e(("limit", "min_amount"), doc.min_amount, "number") if doc.min_amount is not None else None
        # Expression caps are fused into one function; the others are computed by their model in between.
        fused = [c.value for c in caps if c.value is not None]
        computed = tuple((i, c) for i, c in enumerate(caps) if c.value is None)
        return CompiledLimit(tuple(caps), doc.round_down_to, minimum, doc.below_min_action,
                             fuse_values(fused) if fused else _no_values, computed,
                             any(cap_kind(c.kind).needs_rate for c in caps))

    def pricing(self) -> CompiledPricing:
        doc = self.doc.pricing
        p: DocPath = ("pricing",)
        adjustments = []
        for i, adj in enumerate(doc.adjustments):
            condition = self.e(p + ("adjustments", i, "when"), adj.when, "boolean") if adj.when is not None else None
            bp = self.e(p + ("adjustments", i, "bp"), adj.bp, "number")
            if bp:
                adjustments.append(CompiledAdjustment(adj.id, adj.label, condition, bp))
        base = self.e(p + ("base_bp",), doc.base_bp, "number")
        spread = self.e(p + ("spread_bp",), doc.spread_bp, "number")
        floor = self.e(p + ("floor_bp",), doc.floor_bp, "number") if doc.floor_bp is not None else None
        cap = self.e(p + ("cap_bp",), doc.cap_bp, "number") if doc.cap_bp is not None else None
        return CompiledPricing(doc.base_label, base, spread, tuple(adjustments), floor, cap,  # type: ignore[arg-type]
                               compile_fees(self))

    def terms(self) -> CompiledTerms:
        doc = self.doc.terms
        maximum = self.e(("terms", "max_months"), doc.max_months, "number") if doc.max_months is not None else None
        return CompiledTerms(tuple(sorted(set(doc.months))), maximum, doc.revolving, doc.line_validity_months)

    def methods(self) -> tuple[CompiledMethod, ...]:
        result = []
        for i, option in enumerate(self.doc.repayment_methods):
            condition = self.e(("repayment_methods", i, "when"), option.when, "boolean") if option.when is not None else None
            result.append(CompiledMethod(option.method, condition))
        return tuple(result)


def _no_values(record: dict[str, Any]) -> tuple[Any, ...]:
    return ()
