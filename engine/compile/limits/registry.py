"""The cap kinds, keyed by the `kind:` a cap declares in the product YAML.

Each kind registers, in one place, how it is compiled (document -> CompiledCap), the model that
computes and explains it (`compute` and `explain` both read one `work` record, so the story told is
the computation done), and the detail it adds to the Decision. Flags say what an evaluator needs to
know about the kind without looking at its classes:

  fused         the value is one typed expression: it joins the product's fused cap function and is
                compiled like any expression by the columnar backend
  own_findings  the model may report its own reason (a refused consent, an expired line, a grade
                without a multiplier) instead of "this cap is missing data"
  needs_rate    the cap reads the offered rate: pricing runs before the limit

The columnar builders live with the columnar backend (engine.batch.caps), keyed by the same names;
tests/test_limits_registry.py fails when a kind lacks one.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from engine.compile.ir import CompiledCap

Compile = Callable[[Any, tuple, Any, Decimal], "CompiledCap | None"]


@dataclass(frozen=True)
class CapKind:
    name: str
    compile: Compile  # (product compiler, document path, cap document, the limit's step) -> CompiledCap | None
    model: type  # compute(v, rate_bp) -> CapOutcome, explain(v, value, rate_bp) -> detail, diagnose(v), fields
    detail: type  # the pydantic model of CapResult.detail for this kind
    fused: bool
    own_findings: bool = False
    needs_rate: bool = False


KINDS: dict[str, CapKind] = {}


def register(kind: CapKind) -> CapKind:
    if kind.name in KINDS:
        raise ValueError(f"cap kind {kind.name!r} is registered twice")
    KINDS[kind.name] = kind
    return kind


def cap_kind(name: str) -> CapKind:
    return KINDS[name]
