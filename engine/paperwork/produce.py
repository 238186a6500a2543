"""One applicant's document: evaluate, add the offers, build the context, render the template (HTML).

`Paperwork(catalog, day)` keeps the compiled templates and each product's advice texts, so a batch
renders thousands of documents without parsing anything twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.compile.ir import CompiledProduct
from engine.core.errors import UsageError
from engine.evaluate.interpreter import evaluate
from engine.paperwork.context import DocumentContext, advice_by_code, build_context, template_variables
from engine.paperwork.templates import ALIASES, BUILTIN, PackTemplates, TemplateSource, templates_of
from engine.results.build import to_decision
from engine.results.decision import Decision
from engine.results.offers import build_offers

# What a built-in document needs of the decision; a pack's own templates are rendered for any decision.
NEEDS = {"approval-notice": "offer", "offer-sheet": "offer", "loan-contract": "offer", "decline-notice": "decline"}
# The document a batch writes for each decision when no --template is given.
BY_DECISION = {"approve": "approval-notice", "refer": "approval-notice", "decline": "decline-notice"}


@dataclass(frozen=True)
class Rendered:
    template: TemplateSource
    context: DocumentContext
    html: str


class Paperwork:
    def __init__(self, catalog: Any, day: date):
        self.catalog = catalog
        self.day = day
        self.templates: PackTemplates = templates_of(catalog)
        self._advice: dict[str, dict[str, str]] = {}

    def decide(self, product: CompiledProduct, record: dict[str, Any], *, offers: bool = True) -> Decision:
        """The Decision, with offers (schedule, fees, APR) unless declined: the documents quote them."""
        decision = to_decision(evaluate(product, record, self.day))
        if offers and decision.decision != "decline":
            decision = decision.model_copy(update={"offers": build_offers(product, record, self.day)})
        return decision

    def check_fits(self, name: str, decision: Decision) -> str | None:
        """Why a built-in document does not fit this decision (None: it fits)."""
        need = NEEDS.get(ALIASES.get(name, name))
        if need == "decline" and decision.decision != "decline":
            return f"a {BUILTIN['decline-notice']} is for a declined applicant; this one is '{decision.decision}'"
        if need == "offer" and (decision.offers is None or not decision.offers.offers):
            why = "declined" if decision.decision == "decline" else "without an offer at the requested term and method"
            return f"a {BUILTIN[ALIASES.get(name, name)]} quotes an offer; this applicant is {why}"
        return None

    def render(self, product: CompiledProduct, record: dict[str, Any], name: str, decision: Decision | None = None) -> Rendered:
        source = self.templates.require(name)
        if decision is None:
            decision = self.decide(product, record, offers=NEEDS.get(source.name) != "decline")
        misfit = self.check_fits(source.name, decision)
        if misfit is not None:
            raise UsageError(f"{source.name}: {misfit} (pf evaluate shows the decision)")
        context = build_context(product, decision, record, template=source.name, title=BUILTIN.get(source.name, source.name),
                                advice=self.advice(product))
        return Rendered(source, context, self.templates.render(source.name, template_variables(context)))

    def advice(self, product: CompiledProduct) -> dict[str, str]:
        key = product.content_hash
        if key not in self._advice:
            self._advice[key] = advice_by_code(product, self.catalog.rulesets)
        return self._advice[key]
