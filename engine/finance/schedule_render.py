"""Repayment schedules for people (an aligned text table), spreadsheets (CSV) and machines (JSON)."""
from __future__ import annotations

import unicodedata
from decimal import Decimal

from engine.finance.schedules import Schedule

_ZERO = Decimal("0.00")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _display_width(text))
    return fill + text if right else text + fill


def _percent(rate: Decimal) -> str:
    text = f"{(rate * 100).normalize():f}"
    return f"{text}%"


def render_table(schedule: Schedule) -> str:
    """Plain-text table with aligned columns, thousands separators and a 中文/English header.

    Columns: 期数 Period, 还款日 Due date (only when the schedule has due dates),
    月供 Payment, 本金 Principal, 利息 Interest, 剩余本金 Balance, then a 合计 Total row.
    Chinese characters count as two columns wide.
    """
    periods = schedule.periods
    has_dates = any(row.due_date is not None for row in periods)
    zh = ["期数", "还款日", "月供", "本金", "利息", "剩余本金"]
    en = ["Period", "Due date", "Payment", "Principal", "Interest", "Balance"]
    right = [True, False, True, True, True, True]
    if has_dates:
        rows = [
            [
                str(r.period),
                r.due_date.isoformat() if r.due_date is not None else "-",
                f"{r.payment:,.2f}",
                f"{r.principal:,.2f}",
                f"{r.interest:,.2f}",
                f"{r.balance:,.2f}",
            ]
            for r in periods
        ]
    else:
        del zh[1], en[1], right[1]
        rows = [
            [
                str(r.period),
                f"{r.payment:,.2f}",
                f"{r.principal:,.2f}",
                f"{r.interest:,.2f}",
                f"{r.balance:,.2f}",
            ]
            for r in periods
        ]
    principal_total = sum((r.principal for r in periods), _ZERO)
    total = ["合计 Total"] + ([""] if has_dates else []) + [
        f"{schedule.total_payment:,.2f}",
        f"{principal_total:,.2f}",
        f"{schedule.total_interest:,.2f}",
        "",
    ]

    widths = [max(_display_width(zh[i]), _display_width(en[i])) for i in range(len(zh))]
    for row in rows:  # data cells are ASCII: len == display width
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    for i, cell in enumerate(total):
        widths[i] = max(widths[i], _display_width(cell))

    gap = "  "
    rule = "-" * (sum(widths) + len(gap) * (len(widths) - 1))
    title = (
        f"{schedule.method.label_zh} {schedule.method.label_en} | "
        f"本金 Principal {schedule.principal:,.2f} | "
        f"年利率 Annual rate {_percent(schedule.annual_rate)} | "
        f"期限 Term {schedule.term_months} 个月 months"
    )
    lines = [
        title,
        gap.join(_pad(h, w, r) for h, w, r in zip(zh, widths, right)).rstrip(),
        gap.join(_pad(h, w, r) for h, w, r in zip(en, widths, right)).rstrip(),
        rule,
    ]
    ascii_specs = [(w, r) for w, r in zip(widths, right)]
    for row in rows:
        lines.append(
            gap.join(
                cell.rjust(w) if r else cell.ljust(w) for cell, (w, r) in zip(row, ascii_specs)
            ).rstrip()
        )
    lines.append(rule)
    lines.append(gap.join(_pad(c, w, r) for c, w, r in zip(total, widths, right)).rstrip())
    return "\n".join(lines) + "\n"


def render_csv(schedule: Schedule) -> str:
    """CSV with header ``period,due_date,payment,principal,interest,balance``.

    Amounts are plain two-decimal numbers (no separators); due_date is ISO or empty.
    """
    lines = ["period,due_date,payment,principal,interest,balance"]
    for r in schedule.periods:
        due = r.due_date.isoformat() if r.due_date is not None else ""
        lines.append(
            f"{r.period},{due},{r.payment:.2f},{r.principal:.2f},{r.interest:.2f},{r.balance:.2f}"
        )
    return "\n".join(lines) + "\n"


def schedule_to_json(schedule: Schedule) -> str:
    """The schedule as JSON (indent 2); money fields are two-decimal strings."""
    return schedule.model_dump_json(indent=2)
