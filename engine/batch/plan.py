"""A compiled product evaluated over a whole batch: the columnar plan, with the row path as fallback.

engine/evaluate/interpreter.py is the specification. The plan computes, for every check the row path can
report (table no-match and ambiguity, every rule, every limit/pricing/terms finding), a status
column -- 0 passed or not reached, 1 failed, 2 unknown -- in exactly the row path's order and with its
stages: early tables and rules; late tables unless declined; limit, pricing and terms unless declined.
The decision follows from the statuses as in `_decide`; the reason codes are the checks with a
non-zero status, in order. Statuses are packed two bits per check into 64-bit words, so each distinct
combination of findings is decoded once, in Python, however many rows share it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from engine.batch.columnar import Col, ColumnarCompiler, ColumnContext, Unsupported, align, number_const, to_scaled, wide
from engine.batch.caps import BUILDERS as CAP_BUILDERS
from engine.batch.caps import build_cap
from engine.batch.frame import ROW, Batch
from engine.batch.scorecards import scorecard_stages
from engine.compile.ir import (
    CompiledAdjustment,
    CompiledCap,
    CompiledCombination,
    CompiledLimit,
    CompiledPricing,
    CompiledProduct,
    CompiledRow,
    CompiledRule,
    CompiledTable,
    CompiledTerms,
)

CHECKS_PER_WORD = 32
DECISIONS = ("approve", "refer", "decline")

# The compiled structures this plan understands. A field added later (a new limit-model kind, fees,
# scorecards ...) is accepted only while it is empty; otherwise the product goes to the row path.
_KNOWN_FIELDS: dict[type, set[str]] = {
    CompiledProduct: {"doc", "file", "eligibility", "combinations", "tables", "early_tables", "late_tables", "limit",
                      "pricing", "terms", "methods", "table_inputs", "check_rules", "pack", "content_hash", "scorecards"},
    CompiledRule: {"id", "origin", "combination", "guard", "check", "action", "on_missing", "message", "inputs"},
    CompiledCombination: {"id", "name", "condition", "rules"},
    CompiledTable: {"id", "hit_policy", "rows", "output_keys", "default", "no_match_action", "no_match_message", "inputs",
                    "input_nodes"},
    CompiledRow: {"index", "condition", "outputs"},
    CompiledLimit: {"caps", "step", "min_amount", "below_min_action", "cap_values", "computed", "needs_rate"},
    CompiledCap: {"id", "label", "value", "on_missing", "kind", "model"},
    CompiledPricing: {"base_label", "base_bp", "spread_bp", "adjustments", "floor_bp", "cap_bp", "fees"},
    CompiledAdjustment: {"id", "label", "condition", "bp"},
    CompiledTerms: {"months", "max_months", "revolving", "line_validity_months"},
}


@dataclass(frozen=True)
class Check:
    """Something the row path may report as a finding, with what it does to the decision."""

    code: str
    fail_action: str | None  # the effective action when it fails
    unknown_action: str | None  # ... when it is unknown
    kind: str  # rule | table | limit | pricing | terms
    rule: CompiledRule | None = None


def columnar_support(product: CompiledProduct) -> str | None:
    """None when the columnar plan covers every part of the product, else why it does not."""
    def check(obj: Any, where: str) -> str | None:
        known = _KNOWN_FIELDS.get(type(obj))
        if known is None:
            return f"{where} is a {type(obj).__name__}, which the columnar path does not know"
        for f in dataclasses.fields(obj):
            if f.name not in known and getattr(obj, f.name) not in (None, (), [], {}, False, 0, ""):
                return f"{where} uses {f.name!r}, which the columnar path does not evaluate"
        return None

    objects: list[tuple[Any, str]] = [(product, "the product"), (product.limit, "the limit"),
                                      (product.pricing, "the pricing"), (product.terms, "the terms")]
    objects += [(r, f"rule {r.id}") for r in product.eligibility]
    for c in product.combinations:
        objects.append((c, f"combination {c.id}"))
        objects += [(r, f"rule {r.id}") for r in c.rules]
    for t in product.tables:
        objects.append((t, f"table {t.id}"))
        objects += [(row, f"table {t.id} row {row.index}") for row in t.rows]
    objects += [(c, f"cap {getattr(c, 'id', '?')}") for c in product.limit.caps]
    objects += [(a, f"adjustment {getattr(a, 'id', '?')}") for a in product.pricing.adjustments]
    for obj, where in objects:
        problem = check(obj, where)
        if problem:
            return problem
    for cap in product.limit.caps:
        if cap.kind not in CAP_BUILDERS:
            return f"cap {cap.id} is a {cap.kind} cap, which the columnar path does not evaluate"
    return None


class ColumnarPlan:
    """One product compiled to columnar stages for one batch schema and evaluation date."""

    def __init__(self, product: CompiledProduct, batch: Batch, on: date):
        problem = columnar_support(product)
        if problem:
            raise Unsupported(problem)
        self.product = product
        self.on = on
        self.context = ColumnContext(on, dict(batch.fields), batch.sources)
        self.dictionary_types = dict(batch.dictionary_types)
        self.compiler = ColumnarCompiler(self.context)
        self.checks: list[Check] = []
        self.stages: list[list[pl.Expr]] = []  # with_columns, in order
        self.statuses: list[str] = []
        self.redo: pl.Expr | None = None
        self._build()

    # ------------------------------------------------------------ building

    def _status_name(self) -> str:
        return f"$s{len(self.statuses)}"

    def _add_check(self, check: Check, status: pl.Expr, stage: list[pl.Expr]) -> None:
        name = self._status_name()
        self.statuses.append(name)
        self.checks.append(check)
        stage.append(status.cast(pl.UInt8).alias(name))

    def _gate(self, status: pl.Expr, declined: str | None) -> pl.Expr:
        if declined is None:
            return status
        return pl.when(pl.col(declined)).then(pl.lit(0, dtype=pl.UInt8)).otherwise(status)

    def _declines(self, first: int, last: int) -> pl.Expr:
        parts = []
        for name, check in zip(self.statuses[first:last], self.checks[first:last]):
            if check.fail_action == "decline":
                parts.append(pl.col(name) == 1)
            if check.unknown_action == "decline":
                parts.append(pl.col(name) == 2)
        if not parts:
            return pl.lit(False)
        return pl.any_horizontal(parts)

    def _build(self) -> None:
        product = self.product
        start = 0
        for card in product.scorecards:  # first, as in the row path: tables, rules and caps may read scores.<id>.*
            self.stages.extend(scorecard_stages(self.compiler, card))
            self._add_check(Check(f"SCORE_UNKNOWN_{card.id.upper()}", None, "refer", "scorecard"),
                            pl.when(pl.col(card.score_key).is_null()).then(2).otherwise(0), stage := [])
            self.stages.append(stage)
        for table in product.early_tables:
            self._table(table, None)
        stage: list[pl.Expr] = []
        for rule in product.eligibility:
            self._rule(rule, None, stage)
        for i, combination in enumerate(product.combinations):
            applies = None
            if combination.condition is not None:
                condition = self.compiler.boolean(combination.condition.node)
                applies = f"$combo{i}"
                self.stages.append([condition.fill_null(True).alias(applies)])  # unknown applies: the stricter reading
            for rule in combination.rules:
                self._rule(rule, applies, stage)
        self.stages.append(stage)
        self.stages.append([self._declines(start, len(self.checks)).alias("$declined1")])
        start = len(self.checks)
        for table in product.late_tables:
            self._table(table, "$declined1")
        self.stages.append([(pl.col("$declined1") | self._declines(start, len(self.checks))).alias("$declined2")])
        start = len(self.checks)
        if product.limit.needs_rate:  # a cap reads the offered rate: price first, report limit findings first
            self._rate("$declined2")
            middle = len(self.checks)
            self._limit("$declined2", pricing=(start, middle))
            self.checks[start:] = self.checks[middle:] + self.checks[start:middle]
            self.statuses[start:] = self.statuses[middle:] + self.statuses[start:middle]
        else:
            self._limit("$declined2")
            self._rate("$declined2")
        self._terms("$declined2")
        self.stages.append([(pl.col("$declined2") | self._declines(start, len(self.checks))).alias("$declined")])

    def _rule(self, rule: CompiledRule, applies: str | None, stage: list[pl.Expr]) -> None:
        check = self.compiler.boolean(rule.check.node)
        status = pl.when(check).then(0).when(check.not_()).then(1).otherwise(2)
        if rule.guard is not None:
            guard = self.compiler.boolean(rule.guard.node)
            # "when G, R" is G implies R: an unknown guard passes when R holds, else it is unknown.
            status = pl.when(guard.not_()).then(0).when(guard).then(status).when(check).then(0).otherwise(2)
        if applies is not None:
            status = pl.when(pl.col(applies)).then(status).otherwise(0)
        self._add_check(Check(rule.id, rule.action, rule.on_missing, "rule", rule), status, stage)

    def _table(self, table: CompiledTable, declined: str | None) -> None:
        hits = [self.compiler.boolean(row.condition.node) for row in table.rows]
        state_name = f"$table.{table.id}"
        if table.hit_policy == "first":
            state: Any = None
            for row, hit in zip(table.rows, hits):
                chain = pl.when(hit.is_null()).then(-1) if state is None else state.when(hit.is_null()).then(-1)
                state = chain.when(hit).then(row.index)
            state = pl.lit(-2) if state is None else state.otherwise(-2)
        else:
            trues = pl.sum_horizontal([h.fill_null(False).cast(pl.Int32) for h in hits]) if hits else pl.lit(0)
            unknown = pl.any_horizontal([h.is_null() for h in hits]) if hits else pl.lit(False)
            matched: Any = None
            for row, hit in zip(table.rows, hits):
                matched = (pl.when(hit.fill_null(False)).then(row.index) if matched is None
                           else matched.when(hit.fill_null(False)).then(row.index))
            matched = pl.lit(-2) if matched is None else matched.otherwise(-2)
            state = pl.when(trues >= 2).then(-3).when(unknown).then(-1).when(trues == 1).then(matched).otherwise(-2)
        self.stages.append([state.cast(pl.Int32).alias(state_name)])
        # Outputs: the matched row's constants; the default on no match (and after an ambiguity).
        outputs = []
        for key in table.output_keys:
            values: dict[int, Any] = {row.index: row.outputs[key] for row in table.rows}
            if table.default is not None:
                values[-2] = table.default[key]
                values[-3] = table.default[key]
            outputs.append(self._constant_column(state_name, key, values))
        if outputs:
            self.stages.append(outputs)
        stage: list[pl.Expr] = []
        state_col = pl.col(state_name)
        if table.hit_policy != "first":
            code = f"AMBIGUOUS_{table.id.upper()}"
            self._add_check(Check(code, "refer", None, "table"),
                            self._gate(pl.when(state_col == -3).then(1).otherwise(0), declined), stage)
        if table.default is None and table.no_match_action is not None and table.no_match_message is not None:
            self._add_check(Check(table.reason_code, table.no_match_action, None, "table"),
                            self._gate(pl.when(state_col.is_in([-2, -3])).then(1).otherwise(0), declined), stage)
        if stage:
            self.stages.append(stage)

    def _constant_column(self, state: str, key: str, values: dict[int, Any]) -> pl.Expr:
        present = [v for v in values.values() if v is not None]
        if all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in present):
            scaled = {k: to_scaled(v) for k, v in values.items()}
            scale = max((s for _, s in scaled.values()), default=0)
            mapped = {k: v * 10 ** (scale - s) for k, (v, s) in scaled.items()}
            bound = max((abs(v) for v in mapped.values()), default=0)
            is_wide = bound >= 2**62
            expr = pl.col(state).replace_strict(list(mapped), list(mapped.values()), default=None,
                                                return_dtype=pl.Int128 if is_wide else pl.Int64)
            self.context.fields[key] = _info("number", scale, bound, is_wide)
        elif all(isinstance(v, bool) for v in present):
            expr = pl.col(state).replace_strict(list(values), list(values.values()), default=None, return_dtype=pl.Boolean)
            self.context.fields[key] = _info("boolean")
        elif all(isinstance(v, str) for v in present):
            expr = pl.col(state).replace_strict(list(values), list(values.values()), default=None, return_dtype=pl.String)
            self.context.fields[key] = _info("string")
        elif all(isinstance(v, date) for v in present):
            expr = pl.col(state).replace_strict(list(values), list(values.values()), default=None, return_dtype=pl.Date)
            self.context.fields[key] = _info("date")
        else:
            raise Unsupported(f"table output {key} mixes kinds of values")
        return expr.alias(key)

    def _number(self, expression: Any) -> Col:
        col = self.compiler.compile(expression.node)
        if col.kind == "null":
            return Col("number", pl.lit(None, dtype=pl.Int64), 0, 0)
        if col.kind != "number":
            raise Unsupported("a limit, rate or term that is not a number")
        return col

    def _limit(self, declined: str, pricing: tuple[int, int] = (0, 0)) -> None:
        """engine.evaluate.interpreter._evaluate_limit over columns; each cap kind is built by engine.batch.caps."""
        limit = self.product.limit
        if not limit.caps:
            raise Unsupported("a limit without caps")
        built = [build_cap(self, cap) for cap in limit.caps]
        step = number_const(limit.step)
        stage: list[pl.Expr] = []
        aligned = align(*[b.value for b in built], step)
        caps, step = aligned[:-1], aligned[-1]
        scale = step.scale
        values = [wide(c) for c in caps]
        self.stages.append([v.alias(f"$cap{i}") for i, v in enumerate(values)])
        cap_cols = [pl.col(f"$cap{i}") for i in range(len(caps))]
        # What the models report while computing comes first; a reason already reported (a rule may check
        # the same consent) is reported once. Each in its own stage: it reads the statuses before it.
        for b in built:
            for f in b.findings:
                earlier = [pl.col(name) != 0 for i, (name, check) in enumerate(zip(self.statuses, self.checks))
                           if check.code == f.code and not pricing[0] <= i < pricing[1]]
                status = pl.when(pl.any_horizontal(earlier)).then(0).otherwise(f.status) if earlier else f.status
                self._add_check(Check(f.code, f.fail_action, f.unknown_action, "limit"), self._gate(status, declined),
                                found := [])
                self.stages.append(found)
        blocks = []
        for cap, b, c in zip(limit.caps, built, cap_cols):
            missing = c.is_null()
            if b.explained is not None:  # the model's own finding stands for the missing value
                missing = missing & ~b.explained
                blocks.append(c.is_null() & b.explained)
            if b.diagnosis is not None:
                finding, own = b.diagnosis
                self._add_check(Check(finding.code, finding.fail_action, finding.unknown_action, "limit"),
                                self._gate(pl.when(missing & own).then(1).otherwise(0), declined), stage)
                blocks.append(missing & own)
                missing = missing & ~own
            if cap.on_missing == "refer":
                self._add_check(Check(f"LIMIT_CAP_UNKNOWN_{cap.id.upper()}", None, "refer", "limit"),
                                self._gate(pl.when(missing).then(2).otherwise(0), declined), stage)
                blocks.append(missing)
        complete = ~pl.any_horizontal(blocks) if blocks else pl.lit(True)
        best = pl.min_horizontal(cap_cols)  # nulls ignored: a skipped cap simply does not count
        binding: Any = None
        for cap, c in zip(limit.caps, cap_cols):
            binding = pl.when(c == pl.col("$best")).then(pl.lit(cap.id)) if binding is None else \
                binding.when(c == pl.col("$best")).then(pl.lit(cap.id))
        t = pl.lit(step.const, dtype=pl.Int128)
        floored = pl.max_horizontal(pl.col("$best"), pl.lit(0, dtype=pl.Int128))
        amount = floored // t * t
        self.stages.append([complete.alias("$complete"), best.alias("$best")])
        self.stages.append([binding.otherwise(None).alias("$binding"), amount.alias("$amount")])
        self.limit_scale = scale
        self._add_check(Check("LIMIT_UNKNOWN", None, "refer", "limit"),
                        self._gate(pl.when(pl.col("$complete") & pl.col("$best").is_null()).then(2).otherwise(0), declined),
                        stage)
        computed = pl.col("$complete") & pl.col("$best").is_not_null()
        if limit.min_amount is not None:
            minimum = self._number(limit.min_amount)
            amount_col = Col("number", pl.col("$amount"), scale, 0, wide=True)
            left, right = align(amount_col, minimum)
            below = computed & right.expr.is_not_null() & (wide(left) < wide(right))
            self._add_check(Check("LIMIT_BELOW_MINIMUM", limit.below_min_action, None, "limit"),
                            self._gate(pl.when(below).then(1).otherwise(0), declined), stage)
        self.stages.append(stage)
        self.stages.append([computed.alias("$limit_ok")])

    def _bp(self, col: Col) -> pl.Expr:
        """Whole basis points: a fraction is rounded half up, as the row path's _bp does."""
        if col.scale == 0:
            return wide(col)
        return self.compiler.f_round([col]).expr

    def _rate(self, declined: str) -> None:
        pricing = self.product.pricing
        base, spread = self._number(pricing.base_bp), self._number(pricing.spread_bp)
        stage: list[pl.Expr] = []
        total = self._bp(base) + self._bp(spread)
        unknowns = []
        for adj in pricing.adjustments:
            applies = self.compiler.boolean(adj.condition.node) if adj.condition is not None else pl.lit(True)
            bp = self._number(adj.bp)
            bp_expr = self._bp(bp)
            ok = applies.fill_null(False) & bp.expr.is_not_null()
            unknown = applies.is_null() | (applies.fill_null(False) & bp.expr.is_null())
            total = total + pl.when(ok).then(bp_expr).otherwise(pl.lit(0, dtype=pl.Int128))
            unknowns.append(unknown)
            self._add_check(Check("RATE_ADJUSTMENT_UNKNOWN", None, "refer", "pricing"),
                            self._gate(pl.when(unknown).then(2).otherwise(0), declined), stage)
        complete = base.expr.is_not_null() & spread.expr.is_not_null()
        if unknowns:
            complete = complete & ~pl.any_horizontal(unknowns)
        self._add_check(Check("RATE_UNKNOWN", None, "refer", "pricing"),
                        self._gate(pl.when(complete).then(0).otherwise(2), declined), stage)
        final = total
        if pricing.floor_bp is not None:
            floor = self._bp(self._number(pricing.floor_bp))
            final = pl.when(floor.is_not_null() & (final < floor)).then(floor).otherwise(final)
        if pricing.cap_bp is not None:
            cap = self._bp(self._number(pricing.cap_bp))
            final = pl.when(cap.is_not_null() & (final > cap)).then(cap).otherwise(final)
        self.stages.append(stage + [pl.when(complete).then(final).alias("$rate")])

    def _terms(self, declined: str) -> None:
        terms = self.product.terms
        if terms.max_months is None:
            return
        stage: list[pl.Expr] = []
        maximum = self._number(terms.max_months)
        self._add_check(Check("TERM_UNKNOWN", None, "refer", "terms"),
                        self._gate(pl.when(maximum.expr.is_null()).then(2).otherwise(0), declined), stage)
        shortest, value = align(number_const(min(terms.months)), maximum)
        none_left = value.expr.is_not_null() & (wide(value) < shortest.const)
        self._add_check(Check("NO_ELIGIBLE_TERM", "decline", None, "terms"),
                        self._gate(pl.when(none_left).then(1).otherwise(0), declined), stage)
        self.stages.append(stage)

    # ------------------------------------------------------------ running

    def reason_groups(self) -> dict[tuple[str, str, str], list[str]]:
        """(code, effective action, outcome) -> the status columns (and status value) that report it."""
        groups: dict[tuple[str, str, str], list[str]] = {}
        for name, check in zip(self.statuses, self.checks):
            if check.fail_action:
                groups.setdefault((check.code, check.fail_action, "fail"), []).append(f"{name}=1")
            if check.unknown_action:
                groups.setdefault((check.code, check.unknown_action, "unknown"), []).append(f"{name}=2")
        return groups

    def run(self, frame: pl.DataFrame, detail: bool = False, exclude_redo: bool = True
            ) -> tuple[pl.DataFrame, dict[tuple[str, str, str, str], int]]:
        """Per-row results ('$row', decision, reasons [, reason_actions], '$amount' (the limit as a scaled
        int at limit_scale), binding_cap, rate_bp, '$redo': rows the row path must evaluate) and the
        number of applicants per (decision, reason code, effective action, outcome), '$redo' rows excluded."""
        lazy = frame.lazy()
        for stage in self.stages:
            lazy = lazy.with_columns(stage)
        any_finding = pl.any_horizontal([pl.col(s) != 0 for s in self.statuses]) if self.statuses else pl.lit(False)
        declined = pl.col("$declined")
        words = self._words()
        word_names = [f"$key{i}" for i in range(len(words))]
        result = lazy.select(
            pl.col(ROW),
            pl.when(declined).then(pl.lit("decline")).when(any_finding).then(pl.lit("refer")).otherwise(pl.lit("approve"))
            .alias("decision"),
            *words,
            pl.when(~declined & pl.col("$limit_ok")).then(pl.col("$amount")).alias("$amount"),
            pl.when(~declined & pl.col("$limit_ok")).then(pl.col("$binding")).alias("binding_cap"),
            pl.when(~declined).then(pl.col("$rate")).cast(pl.Int64).alias("rate_bp"),
            (self.redo if self.redo is not None else pl.lit(False)).fill_null(False).alias("$redo"),
        ).collect()
        # Each distinct combination of findings is decoded once, then joined back to its rows.
        keys = result.group_by(word_names + ["decision", "$redo"]).len()
        statuses = [((pl.col(f"$key{i // CHECKS_PER_WORD}") // (4 ** (i % CHECKS_PER_WORD))) % 4).cast(pl.UInt8).alias(s)
                    for i, s in enumerate(self.statuses)]
        decoded = keys.select(word_names).unique().with_columns(statuses)
        lists = [_joined([pl.when(pl.col(s) != 0).then(pl.lit(c.code + ";")).otherwise(pl.lit(""))
                          for s, c in zip(self.statuses, self.checks)]).alias("reasons")]
        if detail:
            lists.append(_joined([pl.when(pl.col(s) == 1).then(pl.lit(f"{c.fail_action};")).when(pl.col(s) == 2)
                                  .then(pl.lit(f"{c.unknown_action};")).otherwise(pl.lit(""))
                                  for s, c in zip(self.statuses, self.checks)]).alias("reason_actions"))
        decoded_lists = decoded.select(word_names + lists)
        result = result.join(decoded_lists, on=word_names, how="left", maintain_order="left")
        counts: dict[tuple[str, str, str, str], int] = {}
        groups = self.reason_groups()
        if groups:
            counted = keys.filter(~pl.col("$redo")) if exclude_redo else keys
            counted = counted.join(decoded, on=word_names, how="left")
            flags = []
            for i, members in enumerate(groups.values()):
                parts = [pl.col(m.split("=")[0]) == int(m.split("=")[1]) for m in members]
                flag = pl.any_horizontal(parts) if len(parts) > 1 else parts[0]
                flags.append((flag.cast(pl.Int64) * pl.col("len")).sum().alias(f"$g{i}"))
            summed = counted.group_by("decision").agg(flags)
            for row in summed.iter_rows(named=True):
                for i, (code, action, outcome) in enumerate(groups):
                    if row[f"$g{i}"]:
                        counts[(row["decision"], code, action, outcome)] = int(row[f"$g{i}"])
        return result.drop(word_names), counts

    def _words(self) -> list[pl.Expr]:
        words = []
        for w in range(0, len(self.statuses), CHECKS_PER_WORD):
            names = self.statuses[w:w + CHECKS_PER_WORD]
            words.append(pl.sum_horizontal([pl.col(s).cast(pl.UInt64) * pl.lit(4 ** j, dtype=pl.UInt64)
                                            for j, s in enumerate(names)]).alias(f"$key{w // CHECKS_PER_WORD}"))
        return words or [pl.lit(0, dtype=pl.UInt64).alias("$key0")]


def _joined(parts: list[pl.Expr]) -> pl.Expr:
    """'A;B;' pieces -> the list [A, B] (an empty list when there is none)."""
    if not parts:
        return pl.lit([], dtype=pl.List(pl.String))
    text = pl.concat_str(parts)
    return pl.when(text == "").then(pl.lit([], dtype=pl.List(pl.String))).otherwise(text.str.strip_chars_end(";").str.split(";"))


def _info(kind: str, scale: int = 0, bound: int = 0, is_wide: bool = False):
    from engine.batch.columnar import FieldInfo

    return FieldInfo(kind, scale, bound, is_wide)


def effective_action(check: Check, status: int) -> str:
    action = check.fail_action if status == 1 else check.unknown_action
    return action or "refer"


def scaled_to_decimal(value: int | None, scale: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).scaleb(-scale) if scale else Decimal(value)


__all__ = ["Check", "ColumnarPlan", "Unsupported", "columnar_support", "effective_action", "DECISIONS"]
