"""Documents -> compiled products. Every problem is collected and reported, not only the first."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from engine.compile import reasons
from engine.compile.drawdown import DRAW_NAMES
from engine.compile.fees import compile_fees
from engine.compile.ir import (
    Check,
    Checkpoint,
    CompiledAdjustment,
    CompiledLimit,
    CompiledMethod,
    CompiledPricing,
    CompiledProduct,
    CompiledTable,
    CompiledTerms,
    LimitChecks,
    Message,
    MissingMessage,
    OfferStep,
    RuleGroup,
    RulesStep,
    ScorecardStep,
    Step,
    TableStep,
)
from engine.compile.limits import cap_kind, compile_cap
from engine.compile.scorecards import compile_scorecard
from engine.compile.semantics import applies_unless_false, implies
from engine.compile.tables import compile_table, expand_inputs
from engine.core.errors import DocPath, ExpressionError, Problem, ProblemCollector, did_you_mean
from engine.documents.loaded import LoadedProduct, LoadedRuleset
from engine.documents.models import DataDictionary, RuleDoc
from engine.documents.provenance import ResolvedDocument
from engine.documents.source import SourceDocument
from engine.expressions import CompiledExpression, ExpressionProblem, Scope, compile_expression, parse_expression
from engine.expressions.compiler import fuse_values
from engine.expressions.parser import expression_text
from engine.expressions.types import type_of_value

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


def compile_ruleset(ruleset: LoadedRuleset, dictionary: DataDictionary,
                    shared: dict[str, dict[str, Any]] | None = None) -> tuple[list[Check | None], list[Problem]]:
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


_LABEL_END = re.compile(r"[(（:：,，;；]")


def field_label(scope: Scope, path: str) -> str:
    """A data field as an officer knows it: its dictionary description up to the first bracket or colon."""
    field = scope.dictionary.field(path)
    if field is None:
        return path
    label = _LABEL_END.split(field.description, 1)[0].strip()
    return label or path


class _Expressions:
    """Compiles expressions and rules, turning expression problems into located problems."""

    def __init__(self, problems: ProblemCollector, context: str = ""):
        self.problems = problems
        self.context = context

    def expr(self, source: SourceDocument | ResolvedDocument, path: DocPath, text: Any, scope: Scope, expect: str | None) -> CompiledExpression | None:
        try:
            node = parse_expression(text, scope, expect)
        except ExpressionProblem as exc:
            problem = source.expression_problem(path, expression_text(text), exc.line, exc.col, exc.message + self.context, exc.hint)
            self.problems.add(replace(problem, code=exc.code))
            return None
        return compile_expression(expression_text(text), node)

    def message(self, source: SourceDocument | ResolvedDocument, path: DocPath, template: str, scope: Scope) -> Message:
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
        source: SourceDocument | ResolvedDocument,
        path: DocPath,
        rule: RuleDoc,
        scope: Scope,
        origin: str,
        combination: str | None,
        table_inputs: dict[str, tuple[str, ...]],
    ) -> Check | None:
        guard = self.expr(source, path + ("when",), rule.when, scope, "boolean") if rule.when is not None else None
        check = self.expr(source, path + ("rule",), rule.rule, scope, "boolean")
        message = self.message(source, path + ("message",), rule.message, scope)
        missing_message: Message | MissingMessage | None = None
        if rule.message_missing is not None:
            missing_message = self.message(source, path + ("message_missing",), rule.message_missing, scope)
        if check is None or (rule.when is not None and guard is None):
            return None
        read = (guard.fields if guard else ()) + check.fields
        condition = check
        if guard is not None:
            condition = compile_expression(f"not ({guard.text}) or ({check.text})", implies(guard.node, check.node))
        position = source.position(path)
        inputs = expand_inputs(read, table_inputs)
        if missing_message is None:
            missing_message = MissingMessage(tuple((p, field_label(scope, p)) for p in inputs))
        return Check(rule.id, "rule", origin, rule.action, rule.on_missing, message, inputs,
                     combination, guard, check, condition, tuple(path), source.file,
                     position.line if position else None, position.column if position else None, missing_message)


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
        tables = tuple(t for t in (compile_table(self, i) for i in range(len(self.doc.tables))) if t is not None)
        eligibility = self.eligibility()
        combinations = self.combinations()
        limit = self.limit()
        pricing = self.pricing()
        terms = self.terms()
        methods = self.methods()
        self.drawdown_rules()
        if self.problems.problems:
            return None
        early = self.tables_read_by_rules(tables, eligibility, combinations)
        groups = (RuleGroup(None, "eligibility", None, None, eligibility),) + combinations
        steps: list[Step] = [ScorecardStep(card, reasons.scorecard_unknown(card.id, card.name, ("scorecards", i), self.source.file))
                             for i, card in enumerate(scorecards)]
        steps += [TableStep(t) for t in tables if t.id in early]
        steps += [RulesStep(groups), Checkpoint()]
        steps += [TableStep(t) for t in tables if t.id not in early]
        steps += [Checkpoint(), OfferStep(limit, pricing, terms, methods)]
        return CompiledProduct(self.doc, self.source.file, tuple(steps), _checks_of(steps), self.table_inputs,
                               self.pack, self.content_hash)

    def drawdown_rules(self) -> None:
        # Type-checked here so a bad draw rule is a located error at load time, not at the first draw.
        if self.doc.drawdown is None:
            return
        scope = Scope(self.dictionary, dict(self.doc.params), None, {}, self.scope.shared, extra=dict(DRAW_NAMES))
        for i, rule in enumerate(self.doc.drawdown.rules):
            self.x.expr(self.source, ("drawdown", "rules", i, "rule"), rule.rule, scope, "boolean")

    @staticmethod
    def tables_read_by_rules(tables: tuple[CompiledTable, ...], eligibility: tuple[Check, ...],
                             combinations: tuple[RuleGroup, ...]) -> set[str]:
        """Tables the rules need (directly or through another table). The others wait until the rules
        have run, so a declined applicant is not also told that, say, no price row matched."""
        def tables_in(fields: tuple[str, ...]) -> set[str]:
            return {f.split(".")[1] for f in fields if f.startswith("tables.")}

        rules = eligibility + tuple(r for c in combinations for r in c.rules)
        needed = set()
        for rule in rules:
            needed |= tables_in(rule.rule_check.fields + (rule.guard.fields if rule.guard else ()))
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

    def eligibility(self) -> tuple[Check, ...]:
        rules: list[Check] = []
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

    def customer_type_rule(self) -> Check | None:
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

    def combinations(self) -> tuple[RuleGroup, ...]:
        result = []
        for i, combo in enumerate(self.doc.risk_controls):
            path: DocPath = ("risk_controls", i)
            condition = self.e(path + ("when",), combo.when, "boolean") if combo.when is not None else None
            rules: list[Check] = []
            for j, use in enumerate(combo.uses()):
                rules.extend(self.ruleset_rules(path + ("rulesets", j), use.ruleset, use.params, combo.id))
            applies = None
            if condition is not None:
                applies = compile_expression(f"coalesce({condition.text}, true)", applies_unless_false(condition.node))
            result.append(RuleGroup(combo.id, combo.name, applies, condition, tuple(rules)))
        return tuple(result)

    def ruleset_rules(self, path: DocPath, code: str, overrides: dict[str, Any], combination: str) -> list[Check]:
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
                if compiled.on_missing == "refer":
                    compiled = replace(compiled, unknown=reasons.cap_unknown(compiled.id, compiled.label, compiled.fields,
                                                                             ("limit", "caps", i), self.source.file))
                caps.append(compiled)
        minimum = self.e(("limit", "min_amount"), doc.min_amount, "number") if doc.min_amount is not None else None
        # Expression caps are fused into one function; the others are computed by their model in between.
        fused = [c.value for c in caps if c.value is not None]
        computed = tuple((i, c) for i, c in enumerate(caps) if c.value is None)
        return CompiledLimit(tuple(caps), doc.round_down_to, minimum, doc.below_min_action,
                             fuse_values(fused) if fused else _no_values, computed,
                             any(cap_kind(c.kind).needs_rate for c in caps),
                             LimitChecks(reasons.limit_unknown(file=self.source.file),
                                         reasons.limit_below_minimum(doc.below_min_action, file=self.source.file)))

    def pricing(self) -> CompiledPricing:
        doc = self.doc.pricing
        p: DocPath = ("pricing",)
        adjustments = []
        for i, adj in enumerate(doc.adjustments):
            condition = self.e(p + ("adjustments", i, "when"), adj.when, "boolean") if adj.when is not None else None
            bp = self.e(p + ("adjustments", i, "bp"), adj.bp, "number")
            if bp:
                adjustments.append(CompiledAdjustment(adj.id, adj.label, condition, bp, reasons.rate_adjustment_unknown(
                    adj.label, p + ("adjustments", i), self.source.file)))
        base = self.e(p + ("base_bp",), doc.base_bp, "number")
        spread = self.e(p + ("spread_bp",), doc.spread_bp, "number")
        floor = self.e(p + ("floor_bp",), doc.floor_bp, "number") if doc.floor_bp is not None else None
        cap = self.e(p + ("cap_bp",), doc.cap_bp, "number") if doc.cap_bp is not None else None
        inputs = (base.fields if base else ()) + (spread.fields if spread else ())
        return CompiledPricing(doc.base_label, base, spread, tuple(adjustments), floor, cap,  # type: ignore[arg-type]
                               compile_fees(self), reasons.rate_unknown(inputs, file=self.source.file))

    def terms(self) -> CompiledTerms:
        doc = self.doc.terms
        maximum = self.e(("terms", "max_months"), doc.max_months, "number") if doc.max_months is not None else None
        months = tuple(sorted(set(doc.months)))
        inputs = maximum.fields if maximum else ()
        return CompiledTerms(months, maximum, doc.revolving, doc.line_validity_months,
                             reasons.term_unknown(inputs, file=self.source.file),
                             reasons.no_eligible_term(months[0], inputs, file=self.source.file) if months else None)

    def methods(self) -> tuple[CompiledMethod, ...]:
        result = []
        for i, option in enumerate(self.doc.repayment_methods):
            condition = self.e(("repayment_methods", i, "when"), option.when, "boolean") if option.when is not None else None
            result.append(CompiledMethod(option.method, condition))
        return tuple(result)


def _no_values(record: dict[str, Any]) -> tuple[Any, ...]:
    return ()


def _checks_of(steps: list[Step]) -> tuple[Check, ...]:
    """Every IR entry of a product, in the order its findings are reported."""
    out: list[Check] = []
    for step in steps:
        if isinstance(step, ScorecardStep):
            out.append(step.unknown)
        elif isinstance(step, TableStep):
            out += [c for c in (step.table.ambiguous, step.table.no_match) if c is not None]
        elif isinstance(step, RulesStep):
            out += [rule for group in step.groups for rule in group.rules]
        elif isinstance(step, OfferStep):
            for cap in step.limit.caps:
                out += _model_reasons(cap.model)
                out += [cap.unknown] if cap.unknown is not None else []
            if step.limit.checks is not None:
                out += [step.limit.checks.unknown, step.limit.checks.below_minimum]
            out += [a.unknown for a in step.pricing.adjustments if a.unknown is not None]
            out += [c for c in (step.pricing.unknown, step.terms.unknown, step.terms.none_eligible) if c is not None]
    return tuple(out)


def _model_reasons(model: Any) -> list[Check]:
    """The reasons a cap model may report itself (its Check-valued fields)."""
    if model is None:
        return []
    values = [getattr(model, name) for name in getattr(model, "__dataclass_fields__", {})]
    return list(dict.fromkeys(v for v in values if isinstance(v, Check)))
