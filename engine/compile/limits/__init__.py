"""Limit models: each kind of cap compiled to a candidate cap plus the story of how it was computed.

One module per kind (formula, tax_based, scorecard, collateral, affordability, pre_approved), each
registered in engine.compile.limits.registry with its compile function, its model and its detail.
Kinds that are one formula join the product's fused cap function (the hot path never calls
per-cap Python); the others are small procedures: they need three-valued decisions an expression
cannot express (a consent refused vs. not yet given; an uplift whose condition is unknown) or the
offered rate. Every model explains itself from the same work record it computes from, but only
when a Decision is built.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.compile.ir import CompiledCap

# Imported for their registration, in the order of the Decision's detail union.
from engine.compile.limits import affordability, collateral, formula, pre_approved, scorecard, tax_based  # noqa: F401
from engine.compile.limits.common import CapOutcome, Check
from engine.compile.limits.registry import KINDS, CapKind, cap_kind

__all__ = ["CapKind", "CapOutcome", "KINDS", "Check", "cap_kind", "compile_cap"]


def compile_cap(c: Any, index: int, doc: Any, step: Decimal) -> CompiledCap | None:
    """Compile limit.caps[index] with the product compiler `c`; None (problems recorded) when broken."""
    before = len(c.problems.problems)
    cap = KINDS[doc.kind].compile(c, ("limit", "caps", index), doc, step)
    return cap if len(c.problems.problems) == before else None
