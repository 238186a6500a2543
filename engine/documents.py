"""Loaded documents: a validated model together with the document that knows where each part came from."""
from __future__ import annotations

from dataclasses import dataclass

from engine.models import ProductDoc, RulesetDoc
from engine.provenance import ResolvedDocument
from engine.source import SourceDocument


@dataclass(frozen=True)
class LoadedProduct:
    doc: ProductDoc
    source: ResolvedDocument


@dataclass(frozen=True)
class LoadedRuleset:
    doc: RulesetDoc
    source: SourceDocument
