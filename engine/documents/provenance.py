"""Documents assembled from several files (variants over parents, packs over packs).

A ResolvedDocument answers the same questions as a SourceDocument (where is this value? make a
located problem) by asking the file each part came from, so an error in an inherited rule points at
the parent's file and an error in an override at the variant's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.core.errors import DocPath, Problem
from engine.documents.source import Position, SourceDocument


@dataclass(frozen=True)
class Origin:
    doc: SourceDocument
    path: DocPath  # where the part sits in doc


class ResolvedDocument:
    def __init__(self, file: str, data: Any, origins: dict[DocPath, Origin]):
        self.file = file  # the file that defines the product (the variant's, for a variant)
        self.data = data
        self.origins = origins

    def origin(self, path: DocPath) -> tuple[SourceDocument, DocPath]:
        path = tuple(path)
        for length in range(len(path), -1, -1):
            origin = self.origins.get(path[:length])
            if origin is not None:
                return origin.doc, origin.path + path[length:]
        raise KeyError(path)  # pragma: no cover - the root always has an origin

    def position(self, path: DocPath, *, key: bool = False) -> Position | None:
        doc, where = self.origin(path)
        return doc.position(where, key=key)

    def where(self, path: DocPath) -> str:
        """'file:line' of a part, for provenance listings."""
        doc, where = self.origin(path)
        pos = doc.position(where)
        return f"{doc.file}:{pos.line}" if pos else doc.file

    def problem(self, path: DocPath, message: str, hint: str | None = None, *, key: bool = False) -> Problem:
        doc, where = self.origin(path)
        return doc.problem(where, message, hint, key=key)

    def expression_problem(self, path: DocPath, text: str, line: int, col: int, message: str, hint: str | None = None) -> Problem:
        doc, where = self.origin(path)
        return doc.expression_problem(where, text, line, col, message, hint)


def plain(doc: SourceDocument) -> ResolvedDocument:
    """A document that is its own single origin."""
    return ResolvedDocument(doc.file, doc.data, {(): Origin(doc, ())})
