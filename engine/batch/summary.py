"""The summary of a batch run: counts and shares by decision, decline and refer reasons ranked, limit and
rate distributions; as a terminal table, a JSON-ready dict, and a self-contained HTML page (jinja2,
inline SVG charts, no external files) a product manager can open and send on.

Shares are exact ratios shown to one decimal; quantiles are actual values (nearest rank, no
interpolation), so every money figure is a real limit to the cent and every rate a real rate.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from engine.batch.run import BatchResult
from engine.compile.ir import CompiledProduct
from engine.core.money import bp_to_percent, format_money_grouped, round_half_up

QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
DECISION_LABELS = {"approve": "通过 approve", "refer": "转人工 refer", "decline": "拒绝 decline"}


def share(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{round_half_up(Decimal(part) * 100 / whole, 1)}%"


@dataclass
class ReasonRow:
    code: str
    outcome: str  # fail | unknown (missing data)
    applicants: int
    share_of_decision: str
    share_of_all: str


@dataclass
class Summary:
    product: str
    product_name: str
    version: str
    evaluated_on: str
    rows_read: int
    rows_written: int
    rows_rejected: int
    decisions: list[tuple[str, int, str]]  # decision, count, share
    decline_reasons: list[ReasonRow]
    refer_reasons: list[ReasonRow]
    limit_quantiles: list[tuple[str, str]]
    limit_total: str
    limit_mean: str
    limit_count: int
    limit_histogram: list[tuple[str, int]]
    rate_quantiles: list[tuple[str, str]]
    rate_mean: str
    binding_caps: list[tuple[str, int, str]]
    columnar_rows: int
    row_path_rows: int
    notes: list[str] = field(default_factory=list)

    def count(self, decision: str) -> int:
        """How many rows got this decision (0 when none did)."""
        return next((n for d, n, _ in self.decisions if d == decision), 0)

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


class Tally:
    """Running, mergeable aggregates of result chunks, from which the summary is computed exactly: counts
    by decision, reason key and binding cap, and the limits and rates as counts per distinct value (limits
    are multiples of the product's step and rates whole basis points, so the distinct values are few),
    which give the same nearest-rank quantiles, exact total, mean and histogram as the full columns.
    Memory grows with the distinct values, never with the rows."""

    def __init__(self) -> None:
        self.rows_read = self.rows_written = self.rows_rejected = 0
        self.columnar_rows = self.row_path_rows = self.wide_rows = 0
        self.decisions: Counter = Counter()
        self.reasons: Counter = Counter()
        self.limits: Counter = Counter()  # Decimal -> applicants
        self.rates: Counter = Counter()  # bp -> applicants
        self.binding: Counter = Counter()  # cap -> applicants
        self.fallback_reasons: list[str] = []
        self.notes: list[str] = []

    @classmethod
    def of(cls, result: BatchResult) -> "Tally":
        tally = cls()
        tally.add(result)
        return tally

    def add(self, result: BatchResult) -> None:
        """One chunk's results (a BatchResult from any engine: its frame, reason counts and rejects)."""
        frame = result.frame
        self.rows_read += result.rows_read
        self.rows_written += frame.height
        self.rows_rejected += result.rows_rejected
        self.columnar_rows += result.columnar_rows
        self.row_path_rows += result.row_path_rows
        self.wide_rows += result.wide_rows
        self.reasons.update(result.reason_counts)
        if frame.height:
            self.decisions.update(dict(frame.group_by("decision").len().iter_rows()))
            for column, counter in (("limit", self.limits), ("rate_bp", self.rates), ("binding_cap", self.binding)):
                counts = frame.filter(pl.col(column).is_not_null()).group_by(column).len()
                counter.update(dict(counts.iter_rows()))
        if result.fallback_reason and result.fallback_reason not in self.fallback_reasons:
            self.fallback_reasons.append(result.fallback_reason)
        self.notes.extend(note for note in result.notes if note not in self.notes)

    def merge(self, other: "Tally") -> None:
        for name in ("rows_read", "rows_written", "rows_rejected", "columnar_rows", "row_path_rows", "wide_rows"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("decisions", "reasons", "limits", "rates", "binding"):
            getattr(self, name).update(getattr(other, name))
        self.fallback_reasons.extend(r for r in other.fallback_reasons if r not in self.fallback_reasons)
        self.notes.extend(n for n in other.notes if n not in self.notes)

    def summary(self, product: CompiledProduct, on: date) -> Summary:
        total = self.rows_written
        counts = self.decisions
        decisions = [(d, counts.get(d, 0), share(counts.get(d, 0), total)) for d in ("approve", "refer", "decline")]

        def ranked(decision: str, action: str) -> list[ReasonRow]:
            base = counts.get(decision, 0)
            rows = [(code, outcome, n) for (d, code, act, outcome), n in self.reasons.items() if d == decision and act == action]
            rows.sort(key=lambda r: (-r[2], r[0], r[1]))
            return [ReasonRow(code, outcome, n, share(n, base), share(n, total)) for code, outcome, n in rows]

        limits = sorted(self.limits.items())
        limit_count = sum(n for _, n in limits)
        limit_quantiles = []
        limit_total = limit_mean = "—"
        histogram: list[tuple[str, int]] = []
        if limit_count:
            limit_quantiles = [(_q(q), format_money_grouped(_at_rank(limits, _rank(q, limit_count)))) for q in QUANTILES]
            exact_total = sum((value * n for value, n in limits), Decimal(0))
            limit_total = format_money_grouped(exact_total)
            limit_mean = format_money_grouped(exact_total / limit_count)
            histogram = _histogram(limits)
        rates = sorted(self.rates.items())
        rate_count = sum(n for _, n in rates)
        rate_quantiles = [(_q(q), bp_to_percent(_at_rank(rates, _rank(q, rate_count)))) for q in QUANTILES] if rate_count else []
        rate_sum = sum(value * n for value, n in rates)
        rate_mean = f"{round_half_up(Decimal(rate_sum) / rate_count / 100, 2)}%" if rate_count else "—"
        caps = [(cap, n, share(n, limit_count)) for cap, n in sorted(self.binding.items(), key=lambda item: (-item[1], item[0]))]
        notes = list(self.fallback_reasons)
        if self.wide_rows:
            notes.append(f"{self.wide_rows:,} row(s) with a number above the columnar range were evaluated on the row path")
        notes += self.notes
        doc = product.doc
        return Summary(doc.code, doc.name, doc.version, on.isoformat(), self.rows_read, self.rows_written, self.rows_rejected,
                       decisions, ranked("decline", "decline"), ranked("refer", "refer"), limit_quantiles, limit_total,
                       limit_mean, limit_count, histogram, rate_quantiles, rate_mean, caps, self.columnar_rows,
                       self.row_path_rows, notes)


def summarize(result: BatchResult) -> Summary:
    return Tally.of(result).summary(result.product, result.on)


def _at_rank(items: list[tuple[Any, int]], rank: int) -> Any:
    """The value at a 0-based rank of the sorted data given as (value, count) pairs."""
    seen = 0
    for value, n in items:
        seen += n
        if rank < seen:
            return value
    return items[-1][0]  # pragma: no cover - rank < total


def _q(q: float) -> str:
    return {0.0: "min", 1.0: "max", 0.5: "median"}.get(q, f"p{int(q * 100)}")


def _rank(q: float, n: int) -> int:
    """Nearest-rank quantile index: an actual value of the data."""
    if n == 0:
        return 0
    return min(n - 1, max(0, int((Decimal(str(q)) * n).to_integral_value(rounding="ROUND_CEILING")) - 1))


def _nice_step(span: Decimal, bins: int = 10) -> Decimal:
    raw = span / bins if span > 0 else Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal(1)
    for factor in (1, 2, 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


def _histogram(values: list[tuple[Decimal, int]]) -> list[tuple[str, int]]:
    """Counts per bucket of a nice width, from the sorted (limit, applicants) pairs."""
    low, high = values[0][0], values[-1][0]
    step = _nice_step(high - low)
    start = (low // step) * step
    buckets: dict[Decimal, int] = {}
    for value, n in values:
        bucket = start + ((value - start) // step) * step
        buckets[bucket] = buckets.get(bucket, 0) + n
    edges = sorted(buckets)
    first, last = edges[0], edges[-1]
    rows = []
    edge = first
    while edge <= last:
        rows.append((f"{_short(edge)}–{_short(edge + step)}", buckets.get(edge, 0)))
        edge += step
    return rows


def _short(amount: Decimal) -> str:
    if amount >= 10000:
        return f"{(amount / 10000).normalize():f}万"
    return f"{amount.normalize():f}"


# ---------------------------------------------------------------- rendering


def render_text(summary: Summary, top: int = 10) -> str:
    from engine.results.render import table

    s = summary
    lines = [f"{s.product_name} ({s.product} {s.version}), evaluated on {s.evaluated_on}",
             f"rows read {s.rows_read:,} = written {s.rows_written:,} + rejected {s.rows_rejected:,}"
             + ("" if s.rows_read == s.rows_written + s.rows_rejected else "  (MISMATCH)"),
             f"evaluated columnar {s.columnar_rows:,}, on the row path {s.row_path_rows:,}"]
    lines += [f"note: {note}" for note in s.notes]
    lines.append("")
    lines += table([["decision", "applicants", "share"]] + [[DECISION_LABELS[d], f"{n:,}", p] for d, n, p in s.decisions],
                   indent="")
    for title, rows in (("decline reasons (declined applicants; one applicant may have several)", s.decline_reasons),
                        ("refer reasons (referred applicants)", s.refer_reasons)):
        lines += ["", title]
        if not rows:
            lines.append("  none")
            continue
        body = [[r.code, "missing data" if r.outcome == "unknown" else "failed", f"{r.applicants:,}", r.share_of_decision,
                 r.share_of_all] for r in rows[:top]]
        lines += table([["reason", "outcome", "applicants", "of decision", "of all"]] + body, indent="  ")
        if len(rows) > top:
            lines.append(f"  ... {len(rows) - top} more")
    lines += ["", f"limits offered: {s.limit_count:,}, total {s.limit_total} 元, mean {s.limit_mean} 元"]
    if s.limit_quantiles:
        lines += table([[q for q, _ in s.limit_quantiles], [v for _, v in s.limit_quantiles]], indent="  ")
    if s.binding_caps:
        lines.append("  binding caps: " + ", ".join(f"{cap} {n:,} ({p})" for cap, n, p in s.binding_caps))
    lines += ["", f"rates offered: mean {s.rate_mean}"]
    if s.rate_quantiles:
        lines += table([[q for q, _ in s.rate_quantiles], [v for _, v in s.rate_quantiles]], indent="  ")
    return "\n".join(lines) + "\n"


def render_html(summary: Summary, title: str | None = None) -> str:
    import jinja2

    from engine.core.paths import templates_dir

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                                     autoescape=jinja2.select_autoescape(["html", "j2"]))
    template = environment.get_template("batch_report.html.j2")
    s = summary
    colors = {"approve": "#2e7d32", "refer": "#f9a825", "decline": "#c62828"}
    return template.render(s=s, title=title or f"{s.product_name} 批量评估报告", colors=colors, labels=DECISION_LABELS,
                           mix=_bars([(DECISION_LABELS[d], n, colors[d]) for d, n, _ in s.decisions]),
                           declines=_bars([(r.code, r.applicants, "#c62828") for r in s.decline_reasons[:15]]),
                           refers=_bars([(r.code, r.applicants, "#f9a825") for r in s.refer_reasons[:15]]),
                           histogram=_columns(s.limit_histogram))


def _bars(items: list[tuple[str, int, str]]) -> dict[str, Any]:
    """Horizontal bar chart geometry for the template's inline SVG."""
    top = max((n for _, n, _ in items), default=0) or 1
    rows = [{"label": label, "value": n, "color": color, "width": round(420 * n / top, 1), "y": 8 + i * 26}
            for i, (label, n, color) in enumerate(items)]
    return {"rows": rows, "height": 16 + 26 * len(rows)}


def _columns(items: list[tuple[str, int]]) -> dict[str, Any]:
    top = max((n for _, n in items), default=0) or 1
    width = 36
    cols = [{"label": label, "value": n, "x": 40 + i * (width + 6), "height": round(180 * n / top, 1),
             "y": 200 - round(180 * n / top, 1)} for i, (label, n) in enumerate(items)]
    return {"cols": cols, "width": width, "total_width": 60 + len(cols) * (width + 6)}


def write_report(summary: Summary, path: Path) -> None:
    from engine.batch.writing import write_text

    write_text(render_html(summary), path)
