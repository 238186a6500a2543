"""The built-in reason codes: every finding the engine itself reports, defined once.

Each factory returns the IR entry (engine.compile.ir.Check) for one product part; backends only
record them. Message slots ({amount}, {labels} ...) are bound when the finding is recorded.
"""
from __future__ import annotations

from engine.compile.ir import Check, Message
from engine.core.errors import DocPath


def _check(code: str, kind: str, origin: str, action: str, template: str, inputs: tuple[str, ...] = (),
           slots: tuple[str, ...] = (), path: DocPath = (), file: str = "") -> Check:
    # A reason reported as unknown (missing data) has the same action either way.
    return Check(code, kind, origin, action, action, Message(template, (), slots), inputs, path=tuple(path), file=file)


def table_ambiguous(table_id: str, inputs: tuple[str, ...], path: DocPath = (), file: str = "") -> Check:
    return _check(f"AMBIGUOUS_{table_id.upper()}", "table_ambiguous", "table", "refer",
                  f"决策表{table_id}有多行同时命中(第{{first}}行与第{{second}}行)", inputs, ("first", "second"), path, file)


def table_no_match(table_id: str, action: str, message: Message, inputs: tuple[str, ...], path: DocPath = (),
                   file: str = "") -> Check:
    return Check(f"NO_MATCH_{table_id.upper()}", "table_no_match", "table", action, action, message, inputs,
                 path=tuple(path), file=file)


def scorecard_unknown(card_id: str, name: str, path: DocPath = (), file: str = "") -> Check:
    return _check(f"SCORE_UNKNOWN_{card_id.upper()}", "scorecard_unknown", "scorecard", "refer",
                  f"评分卡“{name}”无法评分:{{labels}}缺少数据或取值不在任何分箱", (), ("labels",), path, file)


def cap_unknown(cap_id: str, label: str, inputs: tuple[str, ...], path: DocPath = (), file: str = "") -> Check:
    return _check(f"LIMIT_CAP_UNKNOWN_{cap_id.upper()}", "cap_unknown", "limit", "refer",
                  f"额度上限“{label}”缺少数据,无法计算", inputs, (), path, file)


def cap_reason(code: str, action: str, message: Message, inputs: tuple[str, ...], path: DocPath = (), file: str = "") -> Check:
    """A cap model's own reason (a refused consent, an expired pre-approval, a grade without a multiple)."""
    return Check(code, "cap_reason", "limit", action, action, message, inputs, path=tuple(path), file=file)


def limit_unknown(path: DocPath = ("limit",), file: str = "") -> Check:
    return _check("LIMIT_UNKNOWN", "limit_unknown", "limit", "refer", "没有可计算的额度上限", (), (), path, file)


def limit_below_minimum(action: str, path: DocPath = ("limit", "min_amount"), file: str = "") -> Check:
    return _check("LIMIT_BELOW_MINIMUM", "limit_below_minimum", "limit", action,
                  "测算额度{amount}元低于产品最低额度{minimum}元", (), ("amount", "minimum"), path, file)


def rate_adjustment_unknown(label: str, path: DocPath = (), file: str = "") -> Check:
    return _check("RATE_ADJUSTMENT_UNKNOWN", "rate_adjustment_unknown", "pricing", "refer",
                  f"利率调整项“{label}”缺少数据,无法确定", (), (), path, file)


def rate_unknown(inputs: tuple[str, ...], path: DocPath = ("pricing",), file: str = "") -> Check:
    return _check("RATE_UNKNOWN", "rate_unknown", "pricing", "refer", "利率缺少数据,无法定价", inputs, (), path, file)


def term_unknown(inputs: tuple[str, ...], path: DocPath = ("terms", "max_months"), file: str = "") -> Check:
    return _check("TERM_UNKNOWN", "term_unknown", "terms", "refer", "缺少数据,无法确定最长期限", inputs, (), path, file)


def no_eligible_term(shortest: int, inputs: tuple[str, ...], path: DocPath = ("terms", "max_months"), file: str = "") -> Check:
    return _check("NO_ELIGIBLE_TERM", "no_eligible_term", "terms", "decline",
                  f"可贷期限上限{{max_months}}个月,短于产品最短期限{shortest}个月", inputs, ("max_months",), path, file)


BUILT_IN_KINDS = ("table_ambiguous", "table_no_match", "scorecard_unknown", "cap_unknown", "cap_reason", "limit_unknown",
                  "limit_below_minimum", "rate_adjustment_unknown", "rate_unknown", "term_unknown", "no_eligible_term")
