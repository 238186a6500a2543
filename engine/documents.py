"""Loading each kind of document from a file: parse with positions, then validate with its model."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.models import DataDictionary, ProductDoc, RulesetDoc
from engine.source import SourceDocument, load_document
from engine.validation import validate_document


@dataclass(frozen=True)
class LoadedProduct:
    doc: ProductDoc
    source: SourceDocument


@dataclass(frozen=True)
class LoadedRuleset:
    doc: RulesetDoc
    source: SourceDocument


@dataclass(frozen=True)
class LoadedDictionary:
    doc: DataDictionary
    source: SourceDocument


def load_product(path: Path, display: str | None = None) -> LoadedProduct:
    source = load_document(path, display)
    return LoadedProduct(validate_document(source, ProductDoc), source)


def load_ruleset(path: Path, display: str | None = None) -> LoadedRuleset:
    source = load_document(path, display)
    return LoadedRuleset(validate_document(source, RulesetDoc), source)


def load_dictionary(path: Path, display: str | None = None) -> LoadedDictionary:
    source = load_document(path, display)
    return LoadedDictionary(validate_document(source, DataDictionary), source)
