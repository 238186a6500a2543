"""Filters for Chinese loan documents: amounts in capitals read back to the same number, 零 placement, figures."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from engine.paperwork.capitals import capitals
from engine.paperwork.filters import cn_date, lpr_rate, money, months, percent, spread

DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def read_back(text: str) -> Decimal:
    """An independent reader of capitals: sums digit x unit within 万/亿 sections."""
    assert text.startswith("人民币")
    body = text[3:]
    yuan_part, _, small = body.partition("元") if "元" in body else ("", "", body)
    total, section, digit = 0, 0, 0
    for char in yuan_part:
        if char in DIGIT:
            digit = DIGIT[char]
        elif char in UNIT:
            section += digit * UNIT[char]
            digit = 0
        elif char == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif char == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {char!r} in {text}")
    total += section + digit
    cents = 0
    if "角" in small:
        cents += DIGIT[small[small.index("角") - 1]] * 10
    if "分" in small:
        cents += DIGIT[small[small.index("分") - 1]]
    return Decimal(total) + Decimal(cents) / 100


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1000000", "人民币壹佰万元整"),
        ("10500.05", "人民币壹万零伍佰元零伍分"),
        ("1000500.05", "人民币壹佰万零伍佰元零伍分"),
        ("10000000.00", "人民币壹仟万元整"),
        ("100010.00", "人民币壹拾万零壹拾元整"),
        ("100000001", "人民币壹亿零壹元整"),
        ("100100000", "人民币壹亿零壹拾万元整"),
        ("1010", "人民币壹仟零壹拾元整"),
        ("1001", "人民币壹仟零壹元整"),
        ("10", "人民币壹拾元整"),
        ("0.05", "人民币伍分"),
        ("0.50", "人民币伍角整"),
        ("1.50", "人民币壹元伍角整"),
        ("0.01", "人民币壹分"),
        ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_capitals_examples(amount: str, expected: str) -> None:
    assert capitals(Decimal(amount)) == expected


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999_999_999))
def test_capitals_read_back_to_the_same_amount(cents: int) -> None:
    amount = Decimal(cents) / 100
    text = capitals(amount)
    assert read_back(text) == amount
    body = text[3:]
    # 零 never doubles, never starts the amount, never stands before a unit or at the end
    assert "零零" not in body
    assert not body.startswith("零")
    assert not body.endswith("零")
    for unit in "拾佰仟万亿元角":
        assert "零" + unit not in body
    assert body.endswith("整") == (cents % 10 == 0)


@given(st.integers(min_value=0, max_value=99_999_999).map(lambda n: n * 10_000))
def test_whole_groups_of_zeros_leave_no_zero_at_the_end(cents: int) -> None:
    amount = Decimal(cents) / 100 + 1
    assert read_back(capitals(amount)) == amount


def test_capitals_refuses_what_a_contract_never_prints() -> None:
    with pytest.raises(ValueError, match="negative"):
        capitals(Decimal("-1"))
    with pytest.raises(ValueError, match="limited"):
        capitals(Decimal("1000000000000"))
    with pytest.raises(TypeError, match="float"):
        capitals(1.5)


def test_figures_rates_dates_terms() -> None:
    assert money(Decimal("1000000")) == "1,000,000.00"
    assert money("10500.055") == "10,500.06"
    assert percent(385) == "3.85%"
    assert spread(50) == "加50个基点" and spread(-20) == "减20个基点" and spread(0) == "持平"
    assert lpr_rate(345, 50) == "1年期LPR(3.45%)加50个基点,即3.95%"
    assert cn_date("2026-12-01") == "2026年12月1日" == cn_date(date(2026, 12, 1))
    assert months(36) == "36个月(3年)" and months(18) == "18个月"
    with pytest.raises(TypeError):
        money(1.1)
