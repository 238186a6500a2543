"""A compiled product evaluated over a whole batch: the columnar backend of the product IR.

It walks `CompiledProduct.steps` with one handler per step kind (`HANDLERS`), as the interpreter
does, and computes for every IR check (engine.compile.ir.Check) a status column -- 0 passed or not
reached, 1 failed, 2 unknown -- in the IR's report order. A checkpoint step gates every later
status on the applicant not being declined. The decision follows from the statuses and the IR's
decision precedence; the reason codes are the checks with a non-zero status, in order. Statuses
are packed two bits per check into 64-bit words, so each distinct combination of findings is
decoded once, in Python, however many rows share it.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable

import polars as pl

from engine.batch.caps import BUILDERS as CAP_BUILDERS, build_cap
from engine.batch.columnar import Col, ColumnarCompiler, ColumnContext, FieldInfo, Unsupported, align, number_const, to_scaled, wide
from engine.batch.frame import ROW, Batch
from engine.batch.scorecards import scorecard_stages
from engine.compile.ir import (
    AMBIGUOUS,
    DECISION_PRECEDENCE,
    DEFAULT_DECISION,
    Check,
    Checkpoint,
    CompiledProduct,
    OfferStep,
    RulesStep,
    ScorecardStep,
    TableStep,
)
from engine.core.decimals import DECIMAL_CONTEXT

CHECKS_PER_WORD = 32
DECISIONS = (DEFAULT_DECISION,) + tuple(reversed(DECISION_PRECEDENCE))
DECLINE = DECISION_PRECEDENCE[0]


def columnar_support(product: CompiledProduct) -> str | None:
    """None when the columnar plan covers every part of the product, else why it does not."""
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
        self.compiler = ColumnarCompiler(self.context, self._temporary)
        self.checks: list[Check] = []
        self.stages: list[list[pl.Expr]] = []  # with_columns, in order
        self.statuses: list[str] = []
        self.declined: str | None = None  # the column saying a checkpoint found the applicant declined
        self._since_checkpoint = 0
        self._build()

    # ------------------------------------------------------------ building

    def _temporary(self, expr: pl.Expr) -> pl.Expr:
        """A shared operand computed once, in its own stage before the stage that reads it."""
        name = f"$tmp{len(self.stages)}"
        self.stages.append([expr.alias(name)])
        return pl.col(name)

    def _status_name(self) -> str:
        return f"$s{len(self.statuses)}"

    def _add_check(self, check: Check, status: pl.Expr, stage: list[pl.Expr]) -> None:
        name = self._status_name()
        self.statuses.append(name)
        self.checks.append(check)
        stage.append(self._gate(status).cast(pl.UInt8).alias(name))

    def _gate(self, status: pl.Expr) -> pl.Expr:
        if self.declined is None:
            return status
        return pl.when(pl.col(self.declined)).then(pl.lit(0, dtype=pl.UInt8)).otherwise(status)

    def _declines(self, first: int, last: int) -> pl.Expr:
        parts = []
        for name, check in zip(self.statuses[first:last], self.checks[first:last]):
            if check.action == DECLINE:
                parts.append(pl.col(name) == 1)
            if check.on_missing == DECLINE:
                parts.append(pl.col(name) == 2)
        if not parts:
            return pl.lit(False)
        return pl.any_horizontal(parts)

    def _build(self) -> None:
        for step in self.product.steps:
            HANDLERS[type(step)](self, step)
        self._checkpoint(Checkpoint(), final=True)

    def _checkpoint(self, step: Checkpoint, final: bool = False) -> None:
        name = "$declined" if final else f"$declined{len(self.stages)}"
        declines = self._declines(self._since_checkpoint, len(self.checks))
        expr = declines if self.declined is None else pl.col(self.declined) | declines
        self.stages.append([expr.alias(name)])
        self.declined = name
        self._since_checkpoint = len(self.checks)

    def _status(self, condition: pl.Expr) -> pl.Expr:
        """A check's status from its condition: passed 0, failed 1, unknown 2."""
        return pl.when(condition).then(0).when(condition.not_()).then(1).otherwise(2)

    def _scorecard(self, step: ScorecardStep) -> None:
        card = step.card  # first, as in the row path: tables, rules and caps may read scores.<id>.*
        self.stages.extend(scorecard_stages(self.compiler, card))
        stage: list[pl.Expr] = []
        self._add_check(step.unknown, pl.when(pl.col(card.score_key).is_null()).then(2).otherwise(0), stage)
        self.stages.append(stage)

    def _rules(self, step: RulesStep) -> None:
        stage: list[pl.Expr] = []
        for i, group in enumerate(step.groups):
            applies = None
            if group.applies is not None:
                applies = f"$group{len(self.stages)}.{i}"
                self.stages.append([self.compiler.boolean(group.applies.node).alias(applies)])
            for rule in group.rules:
                status = self._status(self.compiler.boolean(rule.decides.node))
                if applies is not None:
                    status = pl.when(pl.col(applies)).then(status).otherwise(0)
                self._add_check(rule, status, stage)
        self.stages.append(stage)

    def _table(self, step: TableStep) -> None:
        table = step.table
        assert table.state is not None
        state_name = f"$table.{table.id}"
        state = self.compiler.number(table.state.node)
        self.stages.append([wide(state).cast(pl.Int32).alias(state_name)])
        self.context.fields[state_name] = FieldInfo("number", 0, max(len(table.rows), -AMBIGUOUS), False)
        # Outputs: the constants each state writes (the matched row's, the default's).
        outputs = []
        states = [row.index for row in table.rows] + ([-2, AMBIGUOUS] if table.default is not None else [])
        for key in table.output_keys:
            values: dict[int, Any] = {s: table.outputs_for(s)[key] for s in states}  # type: ignore[index]
            outputs.append(self._constant_column(state_name, key, values))
        if outputs:
            self.stages.append(outputs)
        stage: list[pl.Expr] = []
        for check in (table.ambiguous, table.no_match):
            if check is not None:
                self._add_check(check, self._status(self.compiler.boolean(check.decides.node)), stage)
        if stage:
            self.stages.append(stage)

    def _offer(self, step: OfferStep) -> None:
        start = len(self.checks)
        if step.limit.needs_rate:  # a cap reads the offered rate: price first, report limit findings first
            self._rate()
            middle = len(self.checks)
            self._limit(pricing=(start, middle))
            self.checks[start:] = self.checks[middle:] + self.checks[start:middle]
            self.statuses[start:] = self.statuses[middle:] + self.statuses[start:middle]
        else:
            self._limit()
            self._rate()
        self._terms()

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

    def _limit(self, pricing: tuple[int, int] = (0, 0)) -> None:
        """The limit over columns; each cap kind is built by engine.batch.caps."""
        limit = self.product.limit
        checks = limit.checks
        assert checks is not None
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
                           if check.id == f.code and not pricing[0] <= i < pricing[1]]
                status = pl.when(pl.any_horizontal(earlier)).then(0).otherwise(f.status) if earlier else f.status
                found: list[pl.Expr] = []
                self._add_check(f.check, status, found)
                self.stages.append(found)
        blocks = []
        for cap, b, c in zip(limit.caps, built, cap_cols):
            missing = c.is_null()
            if b.explained is not None:  # the model's own finding stands for the missing value
                missing = missing & ~b.explained
                blocks.append(c.is_null() & b.explained)
            if b.diagnosis is not None:
                finding, own = b.diagnosis
                self._add_check(finding.check, pl.when(missing & own).then(1).otherwise(0), stage)
                blocks.append(missing & own)
                missing = missing & ~own
            if cap.on_missing == "refer":
                self._add_check(cap.unknown, pl.when(missing).then(2).otherwise(0), stage)  # type: ignore[arg-type]
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
        self._add_check(checks.unknown, pl.when(pl.col("$complete") & pl.col("$best").is_null()).then(2).otherwise(0),
                        stage)
        computed = pl.col("$complete") & pl.col("$best").is_not_null()
        if limit.min_amount is not None:
            minimum = self._number(limit.min_amount)
            amount_col = Col("number", pl.col("$amount"), scale, 0, wide=True)
            left, right = align(amount_col, minimum)
            below = computed & right.expr.is_not_null() & (wide(left) < wide(right))
            self._add_check(checks.below_minimum, pl.when(below).then(1).otherwise(0), stage)
        self.stages.append(stage)
        self.stages.append([computed.alias("$limit_ok")])

    def _bp(self, col: Col) -> pl.Expr:
        """Whole basis points: a fraction is rounded half up, as the row path's _bp does."""
        if col.scale == 0:
            return wide(col)
        return self.compiler.f_round([col]).expr

    def _rate(self) -> None:
        pricing = self.product.pricing
        base, spread = self._number(pricing.base_bp), self._number(pricing.spread_bp)
        stage: list[pl.Expr] = []
        # The components are added exactly and the sum rounded once (half up), as on the row path.
        adjustments = [(adj, self._number(adj.bp)) for adj in pricing.adjustments]
        aligned = align(base, spread, *(bp for _, bp in adjustments))
        scale = aligned[0].scale
        total = wide(aligned[0]) + wide(aligned[1])
        unknowns = []
        for (adj, bp), bp_aligned in zip(adjustments, aligned[2:]):
            applies = self.compiler.boolean(adj.condition.node) if adj.condition is not None else pl.lit(True)
            ok = applies.fill_null(False) & bp.expr.is_not_null()
            unknown = applies.is_null() | (applies.fill_null(False) & bp.expr.is_null())
            total = total + pl.when(ok).then(wide(bp_aligned)).otherwise(pl.lit(0, dtype=pl.Int128))
            unknowns.append(unknown)
            self._add_check(adj.unknown, pl.when(unknown).then(2).otherwise(0), stage)  # type: ignore[arg-type]
        complete = base.expr.is_not_null() & spread.expr.is_not_null()
        if unknowns:
            complete = complete & ~pl.any_horizontal(unknowns)
        self._add_check(pricing.unknown, pl.when(complete).then(0).otherwise(2), stage)  # type: ignore[arg-type]
        final = self._bp(Col("number", total, scale, sum(c.bound for c in aligned) + 1, wide=True))
        if pricing.floor_bp is not None:
            floor = self._bp(self._number(pricing.floor_bp))
            final = pl.when(floor.is_not_null() & (final < floor)).then(floor).otherwise(final)
        if pricing.cap_bp is not None:
            cap = self._bp(self._number(pricing.cap_bp))
            final = pl.when(cap.is_not_null() & (final > cap)).then(cap).otherwise(final)
        self.stages.append(stage + [pl.when(complete).then(final).alias("$rate")])

    def _terms(self) -> None:
        terms = self.product.terms
        if terms.max_months is None:
            return
        stage: list[pl.Expr] = []
        maximum = self._number(terms.max_months)
        self._add_check(terms.unknown, pl.when(maximum.expr.is_null()).then(2).otherwise(0), stage)  # type: ignore[arg-type]
        shortest, value = align(number_const(min(terms.months)), maximum)
        none_left = value.expr.is_not_null() & (wide(value) < shortest.const)
        self._add_check(terms.none_eligible, pl.when(none_left).then(1).otherwise(0), stage)  # type: ignore[arg-type]
        self.stages.append(stage)

    # ------------------------------------------------------------ running

    def reason_groups(self) -> dict[tuple[str, str, str], list[str]]:
        """(code, effective action, outcome) -> the status columns (and status value) that report it."""
        groups: dict[tuple[str, str, str], list[str]] = {}
        for name, check in zip(self.statuses, self.checks):
            groups.setdefault((check.id, check.action, "fail"), []).append(f"{name}=1")
            groups.setdefault((check.id, check.on_missing, "unknown"), []).append(f"{name}=2")
        return groups

    def run(self, frame: pl.DataFrame, detail: bool = False) -> tuple[pl.DataFrame, dict[tuple[str, str, str, str], int]]:
        """Per-row results ('$row', decision, reasons [, reason_actions], '$amount' (the limit as a scaled
        int at limit_scale), binding_cap, rate_bp) and the number of applicants per (decision, reason code,
        effective action, outcome)."""
        lazy = frame.lazy()
        for stage in self.stages:
            lazy = lazy.with_columns(stage)
        any_finding = pl.any_horizontal([pl.col(s) != 0 for s in self.statuses]) if self.statuses else pl.lit(False)
        declined = pl.col("$declined")
        words = self._words()
        word_names = [f"$key{i}" for i in range(len(words))]
        result = lazy.select(
            pl.col(ROW),
            pl.when(declined).then(pl.lit(DECLINE)).when(any_finding).then(pl.lit(DECISION_PRECEDENCE[1]))
            .otherwise(pl.lit(DEFAULT_DECISION))
            .alias("decision"),
            *words,
            pl.when(~declined & pl.col("$limit_ok")).then(pl.col("$amount")).alias("$amount"),
            pl.when(~declined & pl.col("$limit_ok")).then(pl.col("$binding")).alias("binding_cap"),
            pl.when(~declined).then(pl.col("$rate")).cast(pl.Int64).alias("rate_bp"),
        ).collect()
        # Each distinct combination of findings is decoded once, then joined back to its rows.
        keys = result.group_by(word_names + ["decision"]).len()
        statuses = [((pl.col(f"$key{i // CHECKS_PER_WORD}") // (4 ** (i % CHECKS_PER_WORD))) % 4).cast(pl.UInt8).alias(s)
                    for i, s in enumerate(self.statuses)]
        decoded = keys.select(word_names).unique().with_columns(statuses)
        lists = [_joined([pl.when(pl.col(s) != 0).then(pl.lit(c.id + ";")).otherwise(pl.lit(""))
                          for s, c in zip(self.statuses, self.checks)]).alias("reasons")]
        if detail:
            lists.append(_joined([pl.when(pl.col(s) == 1).then(pl.lit(f"{c.action};")).when(pl.col(s) == 2)
                                  .then(pl.lit(f"{c.on_missing};")).otherwise(pl.lit(""))
                                  for s, c in zip(self.statuses, self.checks)]).alias("reason_actions"))
        decoded_lists = decoded.select([*word_names, *lists])
        result = result.join(decoded_lists, on=word_names, how="left", maintain_order="left")
        counts: dict[tuple[str, str, str, str], int] = {}
        groups = self.reason_groups()
        if groups:
            counted = keys.join(decoded, on=word_names, how="left")
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


def _info(kind: str, scale: int = 0, bound: int = 0, is_wide: bool = False) -> FieldInfo:
    return FieldInfo(kind, scale, bound, is_wide)


def effective_action(check: Check, status: int) -> str:
    action = check.action if status == 1 else check.on_missing
    return action or "refer"


def scaled_to_decimal(value: int | None, scale: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).scaleb(-scale, DECIMAL_CONTEXT) if scale else Decimal(value)


__all__ = ["ColumnarPlan", "Unsupported", "columnar_support", "effective_action", "DECISIONS"]


HANDLERS: dict[type, Callable[[ColumnarPlan, Any], None]] = {
    ScorecardStep: ColumnarPlan._scorecard, TableStep: ColumnarPlan._table, RulesStep: ColumnarPlan._rules,
    Checkpoint: ColumnarPlan._checkpoint, OfferStep: ColumnarPlan._offer,
}
