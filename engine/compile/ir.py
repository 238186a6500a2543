"""Compiled products: frozen, ready-to-run structures. Evaluation never looks at YAML again."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from engine.documents.models import ProductDoc
from engine.expressions import CompiledExpression


@dataclass(frozen=True, slots=True)
class Message:
    """A reason message with {placeholders}, each a compiled expression, rendered only when shown."""

    template: str
    placeholders: tuple[tuple[str, CompiledExpression], ...]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    origin: str  # 'eligibility', 'ruleset:credit_bureau', or 'built-in'
    combination: str | None  # the risk-control combination that brought it in
    guard: CompiledExpression | None
    check: CompiledExpression
    action: str  # decline | refer
    on_missing: str  # decline | refer
    message: Message
    inputs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledCombination:
    id: str
    name: str
    condition: CompiledExpression | None
    rules: tuple[CompiledRule, ...]


@dataclass(frozen=True, slots=True)
class CompiledRow:
    index: int
    condition: CompiledExpression
    outputs: dict[str, Any]  # flat key ('tables.spread.spread_bp') -> constant


@dataclass(frozen=True, slots=True)
class CompiledTable:
    id: str
    hit_policy: str
    rows: tuple[CompiledRow, ...]
    output_keys: tuple[str, ...]
    default: dict[str, Any] | None  # no_match.output, flat keys
    no_match_action: str | None
    no_match_message: Message | None
    inputs: tuple[str, ...]
    input_nodes: tuple[Any, ...] = ()  # the typed input expressions, for static analysis

    @property
    def reason_code(self) -> str:
        return f"NO_MATCH_{self.id.upper()}"


@dataclass(frozen=True, slots=True)
class CompiledCap:
    id: str
    label: str
    value: CompiledExpression | None  # None: computed by its model (collateral, affordability, pre_approved)
    on_missing: str
    kind: str = "formula"
    model: Any = None  # engine.compile.limits: explains the cap (and computes it when value is None)

    @property
    def fields(self) -> tuple[str, ...]:
        return self.model.fields if self.model is not None else self.value.fields  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class CompiledLimit:
    caps: tuple[CompiledCap, ...]
    step: Decimal
    min_amount: CompiledExpression | None
    below_min_action: str
    cap_values: Callable[[dict[str, Any]], tuple[Any, ...]]  # every expression cap in one generated function
    computed: tuple[tuple[int, CompiledCap], ...] = ()  # (position, cap) of the caps computed by their model
    needs_rate: bool = False  # a cap reads the offered rate (affordability): price before the limit


@dataclass(frozen=True, slots=True)
class CompiledAdjustment:
    id: str
    label: str
    condition: CompiledExpression | None
    bp: CompiledExpression


@dataclass(frozen=True, slots=True)
class CompiledPricing:
    base_label: str
    base_bp: CompiledExpression
    spread_bp: CompiledExpression
    adjustments: tuple[CompiledAdjustment, ...]
    floor_bp: CompiledExpression | None
    cap_bp: CompiledExpression | None
    fees: tuple[Any, ...] = ()  # engine.fees.CompiledFee: charged on offers, disclosed in the APR


@dataclass(frozen=True, slots=True)
class CompiledTerms:
    months: tuple[int, ...]
    max_months: CompiledExpression | None
    revolving: bool
    line_validity_months: int | None


@dataclass(frozen=True, slots=True)
class CompiledMethod:
    method: str
    condition: CompiledExpression | None


@dataclass(frozen=True, slots=True)
class CompiledProduct:
    doc: ProductDoc
    file: str
    eligibility: tuple[CompiledRule, ...]
    combinations: tuple[CompiledCombination, ...]
    tables: tuple[CompiledTable, ...]  # all, in declaration order
    early_tables: tuple[CompiledTable, ...]  # read by rules: evaluated before them
    late_tables: tuple[CompiledTable, ...]  # read only by limit, pricing, terms: evaluated unless declined
    limit: CompiledLimit
    pricing: CompiledPricing
    terms: CompiledTerms
    methods: tuple[CompiledMethod, ...]
    table_inputs: dict[str, tuple[str, ...]]  # flat output key -> data fields the table reads
    check_rules: Callable[[dict[str, Any]], list[tuple[Any, Any]]]  # every rule fused: the fast path
    pack: str  # the pack that defines the product
    content_hash: str  # of the resolved product, its rulesets and the shared params in force
    scorecards: tuple[Any, ...] = ()  # engine.scorecards.CompiledScorecard: run first, read as scores.<id>.*

    @property
    def code(self) -> str:
        return self.doc.code

    @property
    def rule_count(self) -> int:
        return len(self.eligibility) + sum(len(c.rules) for c in self.combinations)
