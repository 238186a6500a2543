"""What a product's offer could do that no bank means: approve at a negative rate, approve a zero limit, or
disclose fees in an APR that has no schedule behind it. `pf validate` reports these for every product version
(docs/diagnostics.md: PF601, PF602 errors; PF603 a warning)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.authoring.conditions import warning
from engine.compile.ir import CompiledProduct
from engine.core.errors import Problem


def offer_problems(product: CompiledProduct, loaded: Any) -> list[Problem]:
    source = loaded.source
    problems: list[Problem] = []
    if product.pricing.floor_bp is None:
        problems.append(_coded(source.problem(("pricing",), "pricing has no floor_bp: adjustments or a low base can take the "
                                              "rate to zero or below, and such an applicant would be approved at it",
                                              "declare the lowest rate the product lends at, e.g. floor_bp: 300"), "PF601"))
    if product.limit.min_amount is None:
        problems.append(_coded(source.problem(("limit",), "limit has no min_amount: a limit that rounds down to 0.00 "
                                              "would be approved with nothing to lend",
                                              "declare the smallest loan worth making, e.g. min_amount: 10000"), "PF602"))
    methods = {m.method for m in product.methods}
    if product.pricing.fees and methods and methods <= {"on_demand"}:
        fees = ", ".join(f.id for f in product.pricing.fees)
        problems.append(warning(source.problem(("pricing", "fees"), f"fees {fees} enter the APR, but the only repayment "
                                               "method is on_demand (随借随还), which has no repayment schedule: the APR "
                                               "disclosed assumes interest every month to maturity",
                                               "add a scheduled method (interest_only, equal_installment, equal_principal)"), "PF603"))
    return problems


def _coded(problem: Problem, code: str) -> Problem:
    return replace(problem, code=code)
