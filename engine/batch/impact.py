"""The impact of a change: two products (two versions of one, or a product and its variant) evaluated
on the same rows. Reports approval rates, the flow matrix of decisions (A against B), the rules behind
each flip, and the change in limits and rates -- exact money, exact basis points.

A flip's responsible rules are the findings that moved the decision: for a stricter B, the findings of
B at B's deciding action that A did not have; for a looser B, A's deciding findings that B no longer has.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from engine.batch.run import BatchResult
from engine.batch.summary import share
from engine.core.money import format_money_grouped, round_half_up

ORDER = ("approve", "refer", "decline")
SEVERITY = {"approve": 0, "refer": 1, "decline": 2}


@dataclass
class Impact:
    a: str
    b: str
    rows: int
    approval_a: str
    approval_b: str
    counts_a: dict[str, int]
    counts_b: dict[str, int]
    matrix: dict[tuple[str, str], int]
    flips: int
    responsible: dict[tuple[str, str], list[tuple[str, int]]]  # (from, to) -> [(rule, rows)]
    limit_rows: int
    limit_total_change: Decimal
    limit_mean_change: Decimal | None
    limit_total_a: Decimal
    limit_total_b: Decimal
    rate_rows: int
    rate_mean_change_bp: Decimal | None
    flipped: pl.DataFrame


def _responsible(frm: str, to: str, reasons_a: list[str], actions_a: list[str], reasons_b: list[str],
                 actions_b: list[str]) -> list[str]:
    worse = SEVERITY[to] > SEVERITY[frm]
    if worse:  # B's findings at B's deciding action that A did not have
        have = set(reasons_a)
        return list(dict.fromkeys(c for c, act in zip(reasons_b, actions_b) if act == to and c not in have) or
                    dict.fromkeys(c for c, act in zip(reasons_b, actions_b) if act == to))
    lost = set(reasons_b)
    return list(dict.fromkeys(c for c, act in zip(reasons_a, actions_a) if act == frm and c not in lost) or
                dict.fromkeys(c for c, act in zip(reasons_a, actions_a) if act == frm))


def compare(a: BatchResult, b: BatchResult) -> Impact:
    left = a.frame.select("row", "id", "decision", "reasons", "reason_actions", "limit", "rate_bp")
    right = b.frame.select("row", "decision", "reasons", "reason_actions", "limit", "rate_bp")
    joined = left.join(right, on="row", how="inner", suffix="_b").sort("row")
    counts_a = dict(joined.group_by("decision").len().iter_rows())
    counts_b = dict(joined.group_by("decision_b").len().iter_rows())
    matrix = {(r[0], r[1]): r[2] for r in joined.group_by("decision", "decision_b").len().iter_rows()}
    flipped = joined.filter(pl.col("decision") != pl.col("decision_b"))
    responsible: dict[tuple[str, str], Counter] = {}
    blamed = []
    for row in flipped.iter_rows(named=True):
        rules = _responsible(row["decision"], row["decision_b"], row["reasons"], row["reason_actions"], row["reasons_b"],
                             row["reason_actions_b"])
        blamed.append(rules)
        counter = responsible.setdefault((row["decision"], row["decision_b"]), Counter())
        counter.update(rules)
    both_limits = joined.filter(pl.col("limit").is_not_null() & pl.col("limit_b").is_not_null())
    la = sum(both_limits.get_column("limit").to_list(), Decimal(0))
    lb = sum(both_limits.get_column("limit_b").to_list(), Decimal(0))
    all_a = sum(joined.get_column("limit").drop_nulls().to_list(), Decimal(0))
    all_b = sum(joined.get_column("limit_b").drop_nulls().to_list(), Decimal(0))
    both_rates = joined.filter(pl.col("rate_bp").is_not_null() & pl.col("rate_bp_b").is_not_null())
    rate_delta = sum(r_b - r_a for r_a, r_b in both_rates.select("rate_bp", "rate_bp_b").iter_rows())
    total = joined.height
    out = flipped.with_columns(pl.Series("responsible", blamed, dtype=pl.List(pl.String))).rename({
        "decision": "decision_a", "reasons": "reasons_a", "limit": "limit_a", "rate_bp": "rate_bp_a"}).drop(
        "reason_actions", "reason_actions_b")
    return Impact(
        a.product.code + "@" + a.product.doc.version, b.product.code + "@" + b.product.doc.version, total,
        share(counts_a.get("approve", 0), total), share(counts_b.get("approve", 0), total), counts_a, counts_b, matrix,
        flipped.height, {k: v.most_common() for k, v in responsible.items()},
        both_limits.height, lb - la, round_half_up((lb - la) / both_limits.height, 2)
        if both_limits.height else None, all_a, all_b,
        both_rates.height, round_half_up(Decimal(rate_delta) / both_rates.height, 2)
        if both_rates.height else None, out)


def render_impact(impact: Impact, top: int = 8) -> str:
    from engine.results.render import table

    i = impact
    lines = [f"impact of {i.b} against {i.a} on {i.rows:,} applicants",
             f"approval rate: A {i.approval_a} -> B {i.approval_b}; decisions changed for {i.flips:,} "
             f"({share(i.flips, i.rows)})", "", "flow matrix (rows: A, columns: B)"]
    header = ["A \\ B", *ORDER, "total A"]
    body = [[d, *[f"{i.matrix.get((d, e), 0):,}" for e in ORDER], f"{i.counts_a.get(d, 0):,}"] for d in ORDER]
    body.append(["total B", *[f"{i.counts_b.get(e, 0):,}" for e in ORDER], f"{i.rows:,}"])
    lines += table([header] + body, indent="  ")
    if i.responsible:
        lines += ["", "rules responsible for each flip"]
        for (frm, to), rules in sorted(i.responsible.items(), key=lambda kv: -i.matrix.get(kv[0], 0)):
            lines.append(f"  {frm} -> {to} ({i.matrix.get((frm, to), 0):,}): "
                         + ", ".join(f"{rule} {n:,}" for rule, n in rules[:top]))
    lines += ["", f"limits (applicants with a limit under both, {i.limit_rows:,}): total change "
              f"{format_money_grouped(i.limit_total_change)} 元, mean "
              f"{format_money_grouped(i.limit_mean_change) if i.limit_mean_change is not None else '—'} 元",
              f"limits offered in total: A {format_money_grouped(i.limit_total_a)} 元 -> B {format_money_grouped(i.limit_total_b)} 元",
              f"rates (applicants priced under both, {i.rate_rows:,}): mean change "
              f"{i.rate_mean_change_bp if i.rate_mean_change_bp is not None else '—'} bp"]
    return "\n".join(lines) + "\n"
