"""Repayment methods (还款方式): the names products, applicants and the CLI use, and their labels."""
from __future__ import annotations

from enum import Enum
from typing import Literal, get_args

RepaymentMethodName = Literal["equal_installment", "equal_principal", "interest_only", "on_demand"]
"""The method names as a type for document models (a Literal keeps the JSON schema a plain enum)."""


class RepaymentMethod(str, Enum):
    equal_installment = "equal_installment"  # 等额本息
    equal_principal = "equal_principal"  # 等额本金
    interest_only = "interest_only"  # 按月付息到期还本 (先息后本)
    on_demand = "on_demand"  # 随借随还

    @property
    def label_zh(self) -> str:
        """Chinese name, e.g. '等额本息'."""
        return METHOD_LABELS[self.value]

    @property
    def label_en(self) -> str:
        """English name, e.g. 'equal installment'."""
        return self.value.replace("_", " ")


METHOD_NAMES: frozenset[str] = frozenset(m.value for m in RepaymentMethod)

METHOD_LABELS: dict[str, str] = {
    "equal_installment": "等额本息",
    "equal_principal": "等额本金",
    "interest_only": "按月付息到期还本",
    "on_demand": "随借随还",
}
"""Chinese label by method name."""

# The Literal must list the enum's names; checked at import so the two can never drift apart.
assert get_args(RepaymentMethodName) == tuple(m.value for m in RepaymentMethod) == tuple(METHOD_LABELS)

_CHINESE_ALIASES: dict[str, RepaymentMethod] = {
    **{label: RepaymentMethod(name) for name, label in METHOD_LABELS.items()},
    "先息后本": RepaymentMethod.interest_only,
}


def _accepted_spellings() -> list[str]:
    spellings: list[str] = []
    for method in RepaymentMethod:
        spellings += [method.value.replace("_", "-"), method.value]
    return spellings + list(_CHINESE_ALIASES)


def parse_method(text: str) -> RepaymentMethod:
    """'equal-installment', 'equal_installment', '等额本息', '先息后本', ... -> RepaymentMethod.

    English names are case-insensitive; hyphens, underscores and spaces are interchangeable.
    """
    if isinstance(text, RepaymentMethod):
        return text
    if not isinstance(text, str):
        raise TypeError(f"repayment method must be a string, got {type(text).__name__}")
    cleaned = text.strip()
    if cleaned in _CHINESE_ALIASES:
        return _CHINESE_ALIASES[cleaned]
    key = cleaned.lower().replace("-", "_").replace(" ", "_")
    try:
        return RepaymentMethod(key)
    except ValueError:
        pass
    raise ValueError(
        f"unknown repayment method {text!r}; accepted: {', '.join(_accepted_spellings())}"
    )
