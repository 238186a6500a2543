"""Random well-typed expressions of the expression language and random applicant records, for fuzzing.

One grammar serves both the hypothesis strategies of the suite (tests/test_fuzz_expressions.py, through
`HypothesisChooser`) and the long run of benchmarks/fuzz.py (through `random.Random`): a generator only asks
its chooser for choices, so the same shapes are explored either way.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol, Sequence


class Chooser(Protocol):
    def choice(self, options: Sequence[Any]) -> Any: ...

    def randint(self, low: int, high: int) -> int: ...


# fields the grammar reads, by kind, and how their values are drawn
NUMBER_FIELDS = {  # path -> decimals (0 integer, 2 money)
    "applicant.age": 0,
    "credit_bureau.loan_inquiries_3m": 0,
    "tax.paid_12m": 2,
    "tax.taxable_sales_12m": 2,
    "applicant.monthly_income": 2,
}
BOOLEAN_FIELDS = ("applicant.spouse_consent", "judicial.dishonest_debtor", "applicant.same_product_other_enterprise")
GRADE_FIELD = "tax.grade"
GRADES = ("A", "B", "M", "C", "D")
DATE_FIELD = "enterprise.registered_on"
FIELDS = (*NUMBER_FIELDS, *BOOLEAN_FIELDS, GRADE_FIELD, DATE_FIELD)
PARAMS: dict[str, Any] = {"k": 3, "share": Decimal("0.2"), "mult": {"A": 10, "B": Decimal("5.5"), "M": 2},
                          "grades": ["A", "B"]}
ON = date(2026, 11, 25)

_NUMBER_LITERALS = ("0", "1", "-1", "2", "3", "10", "0.5", "0.05", "12.5", "100", "1000", "-250.75", "10000",
                    "99999.99", "1000000", "123456789012345", "0.001", "7", "1e3", "2.5e2")
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


@dataclass
class Grammar:
    chooser: Chooser
    max_depth: int = 5

    def pick(self, options: Sequence[Any]) -> Any:
        return self.chooser.choice(options)

    # ------------------------------------------------------------ booleans

    def boolean(self, depth: int = 0) -> str:
        if depth >= self.max_depth:
            return self.pick(["true", "false", "null", *BOOLEAN_FIELDS, f"has({GRADE_FIELD})"])
        d = depth + 1
        kind = self.pick(["compare", "compare", "compare", "logic", "logic", "not", "leaf", "grade", "member",
                          "if", "coalesce", "chain", "fraction", "has"])
        if kind == "compare":
            return f"{self.number(d)} {self.pick(_COMPARE)} {self.number(d)}"
        if kind == "chain":
            return f"{self.number(d)} {self.pick(('<', '<='))} {self.number(d)} {self.pick(('<', '<='))} {self.number(d)}"
        if kind == "fraction":
            return f"{self.number(d)} / {self.number(d)} {self.pick(_COMPARE)} {self.number(d)}"
        if kind == "logic":
            op = self.pick(["and", "or"])
            parts = [self.boolean(d) for _ in range(self.chooser.randint(2, 4))]
            return "(" + f" {op} ".join(f"({p})" for p in parts) + ")"
        if kind == "not":
            return f"not ({self.boolean(d)})"
        if kind == "grade":
            return f"{GRADE_FIELD} {self.pick(['==', '!='])} '{self.pick(GRADES)}'"
        if kind == "member":
            if self.pick([True, False]):
                return f"{GRADE_FIELD} {self.pick(['in', 'not in'])} params.grades"
            return f"{self.number(d)} {self.pick(['in', 'not in'])} [1, 2.5, 10, 100]"
        if kind == "if":
            return f"({self.boolean(d)}) if ({self.boolean(d)}) else ({self.boolean(d)})"
        if kind == "coalesce":
            return f"coalesce({self.boolean(d)}, {self.pick(['true', 'false', 'null'])})"
        if kind == "has":
            return f"has({self.pick(list(NUMBER_FIELDS))})"
        return self.pick(["true", "false", "null", *BOOLEAN_FIELDS])

    # ------------------------------------------------------------ numbers

    def number(self, depth: int = 0) -> str:
        if depth >= self.max_depth:
            return self.number_leaf()
        d = depth + 1
        kind = self.pick(["leaf", "leaf", "leaf", "arith", "arith", "arith", "negate", "minmax", "abs", "round",
                          "floor", "ceil", "round_down", "clamp", "if", "coalesce", "lookup", "years"])
        if kind == "arith":
            return f"({self.number(d)} {self.pick(['+', '-', '*'])} {self.number(d)})"
        if kind == "negate":
            return f"-({self.number(d)})"
        if kind == "minmax":
            args = ", ".join(self.number(d) for _ in range(self.chooser.randint(2, 3)))
            return f"{self.pick(['min', 'max'])}({args})"
        if kind == "abs":
            return f"abs({self.number(d)})"
        if kind == "round":
            return f"round({self.number(d)}, {self.chooser.randint(0, 6)})" if self.pick([True, False]) else f"round({self.number(d)})"
        if kind in ("floor", "ceil"):
            return f"{kind}({self.number(d)})"
        if kind == "round_down":
            return f"round_down({self.number(d)}, {self.pick(['1000', '0.5', '3', self.number(d)])})"
        if kind == "clamp":
            return f"clamp({self.number(d)}, {self.number(d)}, {self.number(d)})"
        if kind == "if":
            then = self.pick(["null", self.number(d)])
            return f"(({then}) if ({self.boolean(d)}) else ({self.number(d)}))"
        if kind == "coalesce":
            return f"coalesce({self.number(d)}, {self.number(d)})"
        if kind == "lookup":
            return f"params.mult[{GRADE_FIELD}]"
        if kind == "years":
            return f"years_since({DATE_FIELD})"
        return self.number_leaf()

    def number_leaf(self) -> str:
        return self.pick([*NUMBER_FIELDS, *NUMBER_FIELDS, *_NUMBER_LITERALS, "params.k", "params.share"])

    # ------------------------------------------------------------ records

    def record(self) -> dict[str, Any]:
        """A flat applicant record: every field present or missing, numbers from small to 10^15."""
        record: dict[str, Any] = {"$date": ON}
        for path, decimals in NUMBER_FIELDS.items():
            record[path] = self.number_value(decimals)
        for path in BOOLEAN_FIELDS:
            record[path] = self.pick([True, False, None])
        record[GRADE_FIELD] = self.pick([*GRADES, None])
        record[DATE_FIELD] = self.pick([None, ON - timedelta(days=self.chooser.randint(0, 20000))])
        return record

    def number_value(self, decimals: int) -> int | Decimal | None:
        size = self.pick([None, 0, 1, 2, 3, 5, 9, 15])
        if size is None:
            return None
        whole = self.chooser.randint(-(10**size), 10**size) if size else self.pick([0, 1, -1])
        if decimals == 0:
            return whole
        cents = self.chooser.randint(0, 99)
        return Decimal(whole) + Decimal(cents).scaleb(-2) * (1 if whole >= 0 else -1)


def random_grammar(seed: int, max_depth: int = 5) -> Grammar:
    return Grammar(random.Random(seed), max_depth)


class HypothesisChooser:
    """A chooser drawing from hypothesis' `data` strategy, so failures shrink."""

    def __init__(self, data: Any):
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def choice(self, options: Sequence[Any]) -> Any:
        return self.data.draw(self.st.sampled_from(list(options)))

    def randint(self, low: int, high: int) -> int:
        return int(self.data.draw(self.st.integers(low, high)))
