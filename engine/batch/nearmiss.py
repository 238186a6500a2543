"""Near misses, for second marketing (二次营销): declined applicants whom a single rule alone declined,
and by how much they missed it.

An applicant is a near miss when exactly one of their findings declines them (any other findings only
refer). When that rule is a threshold -- a comparison such as `tax.paid_12m >= params.min_paid_12m`,
or one part of a chained range `18 <= applicant.age <= 65` -- the gap is the distance to the
threshold in the rule's own unit (yuan, months, times): "tax paid 2,300 yuan under the threshold".
Rules without a threshold (a blacklist, a status) are listed with the values that decided them.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from engine.batch.frame import ID, ROW, Batch, records
from engine.batch.run import BatchResult
from engine.compile.ir import Check, CompiledProduct
from engine.core.values import format_value
from engine.expressions import compile_expression, nodes as n


@dataclass
class NearMiss:
    row: int
    id: str | None
    rule: str
    subject: str  # what was measured, e.g. 'tax.paid_12m'
    value: Any
    op: str | None
    threshold: Any
    gap: Decimal | None  # how far from passing, in the subject's unit (None: not a threshold rule)
    inputs: dict[str, Any]

    def describe(self) -> str:
        if self.gap is None:
            shown = ", ".join(f"{k}={format_value(v)}" for k, v in self.inputs.items())
            return shown or "—"
        direction = "short by" if self.op in (">=", ">") else "over by" if self.op in ("<=", "<") else "off by"
        return f"{self.subject} = {format_value(self.value)}, needs {self.op} {format_value(self.threshold)}: {direction} {format_value(self.gap)}"


def rules_by_id(product: CompiledProduct) -> dict[str, Check]:
    rules = {r.id: r for r in product.eligibility}
    for combination in product.combinations:
        for rule in combination.rules:
            rules.setdefault(rule.id, rule)
    return rules


def near_misses(result: BatchResult, batch: Batch) -> list[NearMiss]:
    frame = result.frame
    if "reason_actions" not in frame.columns:
        raise ValueError("near-miss analysis needs the per-reason actions: evaluate with detail=True")
    declined = frame.filter(pl.col("decision") == "decline").with_columns(
        pl.col("reason_actions").list.eval(pl.element() == "decline").alias("$is_decline"))
    single = declined.filter(pl.col("$is_decline").list.sum() == 1).with_columns(
        pl.col("reasons").list.get(pl.col("$is_decline").list.arg_max()).alias("$rule"))
    if not single.height:
        return []
    rows = dict(zip(single.get_column("row").to_list(), single.get_column("$rule").to_list()))
    subset = batch.filter(pl.col(ROW).is_in(pl.Series(list(rows), dtype=pl.Int64).implode()))
    rules = rules_by_id(result.product)
    measures: dict[str, _Measure | None] = {}
    out: list[NearMiss] = []
    row_numbers = subset.frame.get_column(ROW).to_list()
    ids = subset.frame.get_column(ID).to_list()
    for row, doc_id, record in zip(row_numbers, ids, records(subset)):
        record["$date"] = result.on
        code = rows[row]
        rule = rules.get(code)
        if code not in measures:
            measures[code] = _Measure.of(rule) if rule is not None else None
        measure = measures[code]
        inputs = {p: record.get(p) for p in (rule.inputs if rule else ())}
        if measure is None:
            out.append(NearMiss(row, doc_id, code, "", None, None, None, None, inputs))
            continue
        out.append(measure.apply(row, doc_id, code, record, inputs))
    out.sort(key=lambda m: (m.rule, m.gap is None, m.gap if m.gap is not None else 0, m.row))
    return out


class _Measure:
    """The comparisons of a threshold rule, compiled once; the failing one gives the gap."""

    def __init__(self, parts: list[tuple[str, Any, Any, n.Node, n.Node]]):
        self.parts = parts  # (op, left function, right function, left node, right node)

    @classmethod
    def of(cls, rule: Check) -> "_Measure | None":
        node = rule.rule_check.node
        comparisons = node.operands if isinstance(node, n.Logic) and node.op == "and" else (node,)
        parts = []
        for c in comparisons:
            if not (isinstance(c, n.Compare) and c.left.type.kind == "number" and c.right.type.kind == "number"):
                return None
            parts.append((c.op, compile_expression("left", c.left), compile_expression("right", c.right), c.left, c.right))
        return cls(parts) if parts else None

    def apply(self, row: int, doc_id: str | None, code: str, record: dict[str, Any], inputs: dict[str, Any]) -> NearMiss:
        for op, left_fn, right_fn, left_node, right_node in self.parts:
            left, right = left_fn(record), right_fn(record)
            if left is None or right is None:
                continue
            holds = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
                     "==": left == right, "!=": left != right}[op]
            if holds:
                continue
            # Report from the data's side: `18 <= age` reads as age >= 18.
            if isinstance(left_node, n.Const) and not isinstance(right_node, n.Const):
                left, right, left_node = right, left, right_node
                op = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[op]
            gap = abs(Decimal(right) - Decimal(left))
            subject = _describe_node(left_node)
            return NearMiss(row, doc_id, code, subject, left, op, right, gap, inputs)
        return NearMiss(row, doc_id, code, "", None, None, None, None, inputs)


def _describe_node(node: n.Node) -> str:
    fields = list(dict.fromkeys(node.fields()))
    if isinstance(node, n.FieldRef):
        return node.path
    if isinstance(node, n.Call) and fields:
        return f"{node.function}({', '.join(fields)})"
    return ", ".join(fields) or "value"


@dataclass
class RuleGroup:
    rule: str
    count: int
    with_gap: int
    median_gap: Decimal | None
    closest: list[NearMiss]


def group_near_misses(misses: list[NearMiss], top: int = 10) -> list[RuleGroup]:
    groups: dict[str, list[NearMiss]] = {}
    for miss in misses:
        groups.setdefault(miss.rule, []).append(miss)
    result = []
    for rule, items in groups.items():
        gaps = sorted(m.gap for m in items if m.gap is not None)
        median = gaps[(len(gaps) - 1) // 2] if gaps else None
        result.append(RuleGroup(rule, len(items), len(gaps), median, items[:top]))
    result.sort(key=lambda g: (-g.count, g.rule))
    return result


def render_near_misses(groups: list[RuleGroup], declined: int) -> str:
    lines = [f"near misses: declined by a single rule alone ({sum(g.count for g in groups):,} of {declined:,} declined)"]
    if not groups:
        lines.append("  none")
    for g in groups:
        median = f", median gap {format_value(g.median_gap)}" if g.median_gap is not None else ""
        lines.append(f"\n{g.rule}: {g.count:,} applicant(s){median}")
        for m in g.closest:
            lines.append(f"  row {m.row:<8} {m.id or '':<18} {m.describe()}")
        if g.count > len(g.closest):
            lines.append(f"  ... {g.count - len(g.closest):,} more (closest first; --near-miss-output FILE writes them all)")
    return "\n".join(lines) + "\n"


def near_miss_frame(misses: list[NearMiss]) -> pl.DataFrame:
    return pl.DataFrame({
        "row": pl.Series([m.row for m in misses], dtype=pl.Int64),
        "id": pl.Series([m.id for m in misses], dtype=pl.String),
        "rule": pl.Series([m.rule for m in misses], dtype=pl.String),
        "subject": pl.Series([m.subject for m in misses], dtype=pl.String),
        "value": pl.Series([None if m.value is None else str(m.value) for m in misses], dtype=pl.String),
        "op": pl.Series([m.op for m in misses], dtype=pl.String),
        "threshold": pl.Series([None if m.threshold is None else str(m.threshold) for m in misses], dtype=pl.String),
        "gap": pl.Series([None if m.gap is None else str(m.gap) for m in misses], dtype=pl.String),
        "detail": pl.Series([m.describe() for m in misses], dtype=pl.String),
    })


def miss_order(m: NearMiss) -> tuple:
    """The order near misses are listed in: by rule, threshold rules first, closest first, then by row."""
    return (m.rule, m.gap is None, m.gap if m.gap is not None else 0, m.row)


class NearMissTally:
    """group_near_misses over a stream: per rule the count, the gaps as counts per value (for the exact
    median) and the `top` closest so far. The groups equal those of the whole list."""

    def __init__(self, top: int = 10):
        self.top = top
        self.counts: dict[str, int] = {}
        self.gaps: dict[str, dict[Decimal, int]] = {}
        self.closest: dict[str, list[NearMiss]] = {}

    def add(self, misses: list[NearMiss]) -> None:
        for miss in misses:
            self.counts[miss.rule] = self.counts.get(miss.rule, 0) + 1
            if miss.gap is not None:
                gaps = self.gaps.setdefault(miss.rule, {})
                gaps[miss.gap] = gaps.get(miss.gap, 0) + 1
            self.closest.setdefault(miss.rule, []).append(miss)
        for rule, items in self.closest.items():
            if len(items) > self.top:
                self.closest[rule] = sorted(items, key=miss_order)[:self.top]

    def groups(self) -> list[RuleGroup]:
        result = []
        for rule, count in self.counts.items():
            gaps = sorted(self.gaps.get(rule, {}).items())
            with_gap = sum(n for _, n in gaps)
            median = None
            if with_gap:
                rank, seen = (with_gap - 1) // 2, 0
                for value, n in gaps:
                    seen += n
                    if rank < seen:
                        median = value
                        break
            result.append(RuleGroup(rule, count, with_gap, median, sorted(self.closest[rule], key=miss_order)[:self.top]))
        result.sort(key=lambda g: (-g.count, g.rule))
        return result


ORDER_COLUMNS = ["rule", "$no_gap", "$gap", "row"]


def near_miss_spool(misses: list[NearMiss]) -> pl.DataFrame:
    """near_miss_frame with the columns that put a stream of them in miss_order (the gap, which is never
    negative, as fixed-width text, so the order is exact)."""
    return near_miss_frame(misses).with_columns(
        pl.Series("$no_gap", [m.gap is None for m in misses], dtype=pl.Boolean),
        pl.Series("$gap", [_gap_key(m.gap) for m in misses], dtype=pl.String))


def _gap_key(gap: Decimal | None) -> str:
    if gap is None:
        return ""
    whole, _, fraction = f"{gap:f}".partition(".")
    return whole.rjust(40, "0") + "." + fraction.ljust(40, "0")
