"""The product IR: what a compiled product is, for every backend.

A compiled product is a sequence of steps (`CompiledProduct.steps`) and one list of checks
(`CompiledProduct.checks`). A check is every finding the product can report -- an eligibility or
ruleset rule, a table's no-match or ambiguity, a scorecard that cannot score, an unknown cap, limit,
rate or term, a cap model's own reason -- with its code, actions, message, inputs and where it was
written. The semantic rules are decided here, once:

- a rule "when G, R" is the Kleene implication `not G or R` (`Check.condition`): false G passes,
  unknown G passes only when R holds;
- a risk-control combination applies unless its condition is decidedly false (`RuleGroup.applies`,
  a boolean that is never unknown);
- a table's hit policy is an expression giving the matched row, NO_MATCH, AMBIGUOUS or unknown
  (`TableStep.state`, built in engine.compile.table_state);
- stage order is the order of `steps`, and `Checkpoint` steps stop the stages after them for a
  declined applicant;
- the decision follows from the effective actions of the findings (`decide`, `DECISION_PRECEDENCE`).

Backends (engine.evaluate.interpreter, engine.evaluate.fused, engine.batch.plan) walk the steps with
a handler per step kind and never re-encode any of the above.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Callable, Literal

from engine.core.values import fill_placeholder
from engine.documents.models import ProductDoc
from engine.expressions import CompiledExpression

Record = dict[str, Any]
Outcome = bool | None  # a check's value: True passed, False failed, None unknown

CheckKind = Literal[
    "rule",  # eligibility, ruleset and built-in rules (CUSTOMER_TYPE)
    "table_ambiguous", "table_no_match",
    "scorecard_unknown",
    "cap_unknown", "cap_reason",  # a cap without data; a cap model's own reason (consent, expiry ...)
    "limit_unknown", "limit_below_minimum",
    "rate_adjustment_unknown", "rate_unknown",
    "term_unknown", "no_eligible_term",
]
CHECK_KINDS: tuple[str, ...] = CheckKind.__args__  # type: ignore[attr-defined]

# Earlier wins: a finding whose effective action is 'decline' declines, else any finding refers.
DECISION_PRECEDENCE: tuple[str, ...] = ("decline", "refer")
DEFAULT_DECISION = "approve"


@dataclass(frozen=True, slots=True)
class Message:
    """A reason message with {placeholders}, each a compiled expression, rendered only when shown.
    `slots` are named values a backend binds when it records the finding (e.g. the computed amount)."""

    template: str
    placeholders: tuple[tuple[str, CompiledExpression], ...] = ()
    slots: tuple[str, ...] = ()

    def bind(self, values: dict[str, Any]) -> "Message":
        text = self.template
        for name in self.slots:
            text = fill_placeholder(text, "{" + name + "}", values[name])
        return Message(text, self.placeholders)

    def render(self, v: Record) -> str:
        text = self.template
        for placeholder, expression in self.placeholders:
            text = fill_placeholder(text, placeholder, expression.function(v))
        return text


MISSING_PREFIX = "缺少数据: "


@dataclass(frozen=True, slots=True)
class MissingMessage:
    """What a rule says when it cannot be decided and declares no `message_missing`: the inputs that are
    missing, by label. The fail message would be untrue then (it would be rendered with the missing value)."""

    fields: tuple[tuple[str, str], ...]  # (path, label) of every input the rule reads

    def render(self, v: Record) -> str:
        missing = [label for path, label in self.fields if v.get(path) is None]
        return MISSING_PREFIX + ("、".join(missing or [label for _, label in self.fields]) or "规则的输入")


@dataclass(frozen=True, slots=True)
class Check:
    """One IR entry: something a product can report as a finding."""

    id: str  # the reason code
    kind: str  # one of CHECK_KINDS
    origin: str  # 'eligibility', 'ruleset:credit_bureau', 'built-in', 'table', 'scorecard', 'limit', 'pricing', 'terms'
    action: str  # effective action when it fails: decline | refer
    on_missing: str  # effective action when it is unknown
    message: Message
    inputs: tuple[str, ...] = ()  # data fields shown with the finding
    combination: str | None = None  # the risk-control combination that brought it in
    guard: CompiledExpression | None = None  # rules: "when" (explanations only; `condition` decides)
    check: CompiledExpression | None = None  # rules: the rule itself
    condition: CompiledExpression | None = None  # rules: the effective condition (guard implies check)
    path: tuple[str | int, ...] = ()  # where it is written, inside `file`
    file: str = ""
    line: int | None = None
    column: int | None = None
    message_missing: Message | MissingMessage | None = None  # rules: the reason when the outcome is unknown

    def message_for(self, outcome: Outcome) -> "Message | MissingMessage":
        """The message of a finding: a failed check's message; an unknown rule's own message for missing data."""
        if outcome is None and self.message_missing is not None:
            return self.message_missing
        return self.message

    @property
    def rule_check(self) -> CompiledExpression:
        """A rule's own expression (rules always have one; built-in reasons do not)."""
        if self.check is None:
            raise TypeError(f"{self.id} is a {self.kind} check, not a rule")
        return self.check

    @property
    def decides(self) -> CompiledExpression:
        """The effective condition of a rule or state check: True passes, False fails, None is unknown."""
        if self.condition is None:
            raise TypeError(f"{self.id} is decided by its step, not by a condition")
        return self.condition

    def bound(self, inputs: tuple[str, ...] | None = None, **values: Any) -> "Check":
        """This check with its message slots filled (and, for some reasons, the inputs that mattered)."""
        return replace(self, message=self.message.bind(values), inputs=self.inputs if inputs is None else inputs)

    def effective_action(self, outcome: Outcome) -> str:
        return self.action if outcome is False else self.on_missing


# A finding is (check, outcome) with outcome False (failed) or None (unknown).
FindingTuple = tuple[Check, Outcome]


def decide(findings: list[FindingTuple]) -> str:
    decision = DEFAULT_DECISION
    for check, outcome in findings:
        action = check.action if outcome is False else check.on_missing
        if action == DECISION_PRECEDENCE[0]:
            return action
        decision = DECISION_PRECEDENCE[1]
    return decision


# ---------------------------------------------------------------- parts of a product


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """Rules checked together: the eligibility rules (applies is None) or one risk-control combination."""

    id: str | None
    name: str
    applies: CompiledExpression | None  # never unknown: "unless decidedly false" is built in
    condition: CompiledExpression | None  # the condition as written (for explanations and analysis)
    rules: tuple[Check, ...]


@dataclass(frozen=True, slots=True)
class CompiledRow:
    index: int
    condition: CompiledExpression
    outputs: dict[str, Any]  # flat key ('tables.spread.spread_bp') -> constant


# Table states besides a matched row's index (None: unknown).
NO_MATCH = -2
AMBIGUOUS = -3


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
    state: CompiledExpression | None = None  # row index, NO_MATCH, AMBIGUOUS or None (unknown)
    ambiguous: Check | None = None  # 'unique' tables: two rows matched
    no_match: Check | None = None  # no row matched and there is no default
    writes: dict[int | None, dict[str, Any]] = field(default_factory=dict)  # state -> the values it writes

    def __post_init__(self) -> None:
        writes: dict[int | None, dict[str, Any]] = {row.index: row.outputs for row in self.rows}
        if self.default is not None:
            writes[NO_MATCH] = writes[AMBIGUOUS] = self.default
        object.__setattr__(self, "writes", writes)

    @property
    def reason_code(self) -> str:
        return f"NO_MATCH_{self.id.upper()}"

    def outputs_for(self, state: int | None) -> dict[str, Any] | None:
        """The values a state writes: the matched row's, the default's (no match, ambiguity), or none."""
        return self.writes.get(state)

    def examined(self, v: Record) -> list[tuple[CompiledRow, Outcome]]:
        """The rows the hit policy looks at, in order, with their outcome: for explanations (trace) only."""
        out = []
        found = 0
        for row in self.rows:
            hit = row.condition.function(v)
            out.append((row, hit))
            if self.hit_policy == "first" and hit is not False:
                break  # the first match decides; an undecidable row hides every row after it
            if hit is True:
                found += 1
                if found == 2:
                    break
        return out

    def ambiguous_rows(self, v: Record) -> tuple[int, int]:
        matched = [row.index for row, hit in self.examined(v) if hit is True]
        return matched[0], matched[1]


@dataclass(frozen=True, slots=True)
class CompiledCap:
    id: str
    label: str
    value: CompiledExpression | None  # None: computed by its model (collateral, affordability, pre_approved)
    on_missing: str
    kind: str = "formula"
    model: Any = None  # engine.compile.limits: explains the cap (and computes it when value is None)
    unknown: Check | None = None  # LIMIT_CAP_UNKNOWN_<ID>, when on_missing is refer

    @property
    def fields(self) -> tuple[str, ...]:
        return self.model.fields if self.model is not None else self.value.fields  # type: ignore[union-attr]


@dataclass(frozen=True, slots=True)
class LimitChecks:
    unknown: Check  # LIMIT_UNKNOWN
    below_minimum: Check  # LIMIT_BELOW_MINIMUM (slots: amount, minimum)


@dataclass(frozen=True, slots=True)
class CompiledLimit:
    caps: tuple[CompiledCap, ...]
    step: Decimal
    min_amount: CompiledExpression | None
    below_min_action: str
    cap_values: Callable[[Record], tuple[Any, ...]]  # every expression cap in one generated function
    computed: tuple[tuple[int, CompiledCap], ...] = ()  # (position, cap) of the caps computed by their model
    needs_rate: bool = False  # a cap reads the offered rate (affordability): price before the limit
    checks: LimitChecks | None = None


@dataclass(frozen=True, slots=True)
class CompiledAdjustment:
    id: str
    label: str
    condition: CompiledExpression | None
    bp: CompiledExpression
    unknown: Check | None = None  # RATE_ADJUSTMENT_UNKNOWN


@dataclass(frozen=True, slots=True)
class CompiledPricing:
    base_label: str
    base_bp: CompiledExpression
    spread_bp: CompiledExpression
    adjustments: tuple[CompiledAdjustment, ...]
    floor_bp: CompiledExpression | None
    cap_bp: CompiledExpression | None
    fees: tuple[Any, ...] = ()  # engine.compile.fees.CompiledFee: charged on offers, disclosed in the APR
    unknown: Check | None = None  # RATE_UNKNOWN


@dataclass(frozen=True, slots=True)
class CompiledTerms:
    months: tuple[int, ...]
    max_months: CompiledExpression | None
    revolving: bool
    line_validity_months: int | None
    unknown: Check | None = None  # TERM_UNKNOWN
    none_eligible: Check | None = None  # NO_ELIGIBLE_TERM (slots: max_months)


@dataclass(frozen=True, slots=True)
class CompiledMethod:
    method: str
    condition: CompiledExpression | None


# ---------------------------------------------------------------- steps, in evaluation order


@dataclass(frozen=True, slots=True)
class ScorecardStep:
    card: Any  # engine.compile.scorecards.CompiledScorecard
    unknown: Check  # SCORE_UNKNOWN_<ID> (slots: labels; inputs bound to the unscored variables)


@dataclass(frozen=True, slots=True)
class TableStep:
    table: CompiledTable


@dataclass(frozen=True, slots=True)
class RulesStep:
    groups: tuple[RuleGroup, ...]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The steps after a checkpoint run only while the applicant is not declined."""


@dataclass(frozen=True, slots=True)
class OfferStep:
    """Limit, pricing and terms: priced first when a cap reads the rate, reported limit-first always.
    After it, a declined applicant gets no limit, rate or terms."""

    limit: CompiledLimit
    pricing: CompiledPricing
    terms: CompiledTerms
    methods: tuple[CompiledMethod, ...]


Step = ScorecardStep | TableStep | RulesStep | Checkpoint | OfferStep
STEP_KINDS: tuple[type, ...] = (ScorecardStep, TableStep, RulesStep, Checkpoint, OfferStep)


@dataclass(frozen=True, slots=True)
class CompiledProduct:
    doc: ProductDoc
    file: str
    steps: tuple[Step, ...]
    checks: tuple[Check, ...]  # every IR entry, in the order findings are reported
    table_inputs: dict[str, tuple[str, ...]]  # flat output key -> data fields the table reads
    pack: str  # the pack that defines the product
    content_hash: str  # of the resolved product, its rulesets and the shared params in force
    backends: dict[Any, Any] = field(default_factory=dict, compare=False)  # per-backend build cache

    @property
    def code(self) -> str:
        return self.doc.code

    def _of(self, kind: type) -> list[Any]:
        return [s for s in self.steps if isinstance(s, kind)]

    # Views of the steps, for authoring tools (analysis, coverage, near misses) and explanations.
    @property
    def rule_groups(self) -> tuple[RuleGroup, ...]:
        return tuple(g for s in self._of(RulesStep) for g in s.groups)

    @property
    def eligibility(self) -> tuple[Check, ...]:
        return tuple(r for g in self.rule_groups if g.id is None for r in g.rules)

    @property
    def combinations(self) -> tuple[RuleGroup, ...]:
        return tuple(g for g in self.rule_groups if g.id is not None)

    @property
    def tables(self) -> tuple[CompiledTable, ...]:
        return tuple(sorted((s.table for s in self._of(TableStep)), key=lambda t: self._table_order[t.id]))

    @property
    def _table_order(self) -> dict[str, int]:
        return {t.id: i for i, t in enumerate(self.doc.tables)}

    @property
    def early_tables(self) -> tuple[CompiledTable, ...]:
        first_checkpoint = next(i for i, s in enumerate(self.steps) if isinstance(s, Checkpoint))
        return tuple(s.table for s in self.steps[:first_checkpoint] if isinstance(s, TableStep))

    @property
    def late_tables(self) -> tuple[CompiledTable, ...]:
        first_checkpoint = next(i for i, s in enumerate(self.steps) if isinstance(s, Checkpoint))
        return tuple(s.table for s in self.steps[first_checkpoint:] if isinstance(s, TableStep))

    @property
    def scorecards(self) -> tuple[Any, ...]:
        return tuple(s.card for s in self._of(ScorecardStep))

    @property
    def offer(self) -> OfferStep:
        return self._of(OfferStep)[0]

    @property
    def limit(self) -> CompiledLimit:
        return self.offer.limit

    @property
    def pricing(self) -> CompiledPricing:
        return self.offer.pricing

    @property
    def terms(self) -> CompiledTerms:
        return self.offer.terms

    @property
    def methods(self) -> tuple[CompiledMethod, ...]:
        return self.offer.methods

    @property
    def rule_count(self) -> int:
        return sum(len(g.rules) for g in self.rule_groups)
