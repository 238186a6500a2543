"""Money in Chinese capitals (大写金额), in the form banks print on loan contracts.

Rules followed (the common bank and 《支付结算办法》 usage):
- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 inside a group of four, groups 万 and 亿;
- a run of zeros between non-zero digits is written as one 零 (壹仟零伍元), also across a group
  boundary (壹拾万零壹拾元 for 100,010.00, 壹佰万零伍佰元 for 1,000,500.00);
- trailing zeros are dropped (壹仟万元整); a group that is all zeros leaves no unit (壹亿零壹元);
- an amount that stops at 元 or 角 ends 整 (壹万元整, 壹元伍角整); one with 分 does not;
  with fen but no jiao a 零 stands for the missing jiao (壹万零伍佰元零伍分);
- amounts under one yuan have no 元 (伍角, 伍分).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")
MAX_AMOUNT = Decimal("999999999999.99")


def _group(value: int) -> str:
    """One group of four digits (1..9999) with zeros collapsed inside it, none leading or trailing."""
    out = ""
    zero_pending = False
    for position in range(3, -1, -1):
        digit = value // 10**position % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out += "零"
            zero_pending = False
        out += DIGITS[digit] + UNITS[position]
    return out


def _yuan(value: int) -> str:
    """The integer yuan part (>= 1): groups from the highest, a 零 where zeros separate two parts."""
    groups: list[int] = []
    while value:
        groups.append(value % 10000)
        value //= 10000
    out = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(out)
            continue
        # a group below 1000 that follows a higher part has a leading zero (壹万零伍佰)
        if out and (need_zero or group < 1000):
            out += "零"
        out += _group(group) + GROUPS[index]
        need_zero = False
    return out


def capitals(amount: object, prefix: str = "人民币") -> str:
    """An amount of money in capitals, e.g. Decimal('10500.05') -> 人民币壹万零伍佰元零伍分.

    The amount is rounded half-up to the cent; negative or over 999,999,999,999.99 is refused
    because a contract never prints it.
    """
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    if isinstance(amount, float):
        raise TypeError("amounts in capitals take a Decimal, int or str, not a float")
    if not value.is_finite():
        raise ValueError(f"not an amount of money: {amount!r}")
    cents = int(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    if cents < 0:
        raise ValueError(f"an amount in capitals cannot be negative: {amount}")
    if cents > int(MAX_AMOUNT * 100):
        raise ValueError(f"an amount in capitals is limited to {MAX_AMOUNT:,}: {amount}")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return prefix + "零元整"
    out = _yuan(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return prefix + out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        return prefix + out + DIGITS[fen] + "分"
    return prefix + out + "整"
