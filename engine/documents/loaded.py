"""Loaded documents: a validated model together with the document that knows where each part came from."""
from __future__ import annotations

from dataclasses import dataclass

from engine.documents.models import ProductDoc, RulesetDoc
from engine.documents.provenance import ResolvedDocument
from engine.documents.source import SourceDocument


@dataclass(frozen=True)
class LoadedProduct:
    doc: ProductDoc
    source: ResolvedDocument


@dataclass(frozen=True)
class LoadedRuleset:
    doc: RulesetDoc
    source: SourceDocument
