"""Reading YAML and JSON documents while keeping the line and column of every key and value.

Files are read and decoded within the declared limits (reading.py); the data is built from PyYAML's
parse events (building.py), so that (a) every value's position is kept in a map keyed by its path inside
the document, (b) duplicate keys are errors instead of silently winning, (c) numbers become exact ints and
Decimals, checked for magnitude, and YAML 1.1 surprises are refused (scalars.py), and (d) depth, sizes and
alias expansion stay within core.limits. JSON is YAML here too, after a strict JSON syntax check.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.core.errors import DocPath, DocumentError, Problem
from engine.core.limits import LIMITS, InputLimits
from engine.documents.building import Builder, Position
from engine.documents.reading import check_characters, decode, line_column, read_limited
from engine.documents.syntax import syntax_problem

try:  # libyaml is ~10x faster; the pure-Python loader behaves the same
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

__all__ = ["Position", "SourceDocument", "load_document", "parse_bytes", "parse_text"]


@dataclass
class SourceDocument:
    """A parsed document: its data and where each part of it came from."""

    file: str
    data: Any
    values: dict[DocPath, Position] = field(default_factory=dict)
    keys: dict[DocPath, Position] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def position(self, path: DocPath, *, key: bool = False) -> Position | None:
        """The position of path's value (or key), else of its nearest located ancestor."""
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while True:
            if path in self.values:
                return self.values[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, path: DocPath, message: str, hint: str | None = None, *, key: bool = False) -> Problem:
        pos = self.position(path, key=key)
        return Problem(self.file, pos.line if pos else None, pos.column if pos else None, tuple(path), message, hint)

    def expression_problem(
        self, path: DocPath, text: str, line_in_text: int, col_in_text: int, message: str, hint: str | None = None
    ) -> Problem:
        """A problem inside an expression string: map (line, col) within the text to the file."""
        line, column = self._locate_in_scalar(tuple(path), text, line_in_text, col_in_text)
        return Problem(self.file, line, column, tuple(path), message, hint)

    def _locate_in_scalar(self, path: DocPath, text: str, line_in_text: int, col_in_text: int) -> tuple[int | None, int | None]:
        pos = self.values.get(path)
        if pos is None:
            return None, None
        lines = text.split("\n")
        offset = sum(len(l) + 1 for l in lines[: line_in_text - 1]) + col_in_text
        if "\n" not in text and pos.style in (None, "'", '"'):
            return pos.line, pos.column + col_in_text + (0 if pos.style is None else 1)
        # Multi-line or block scalars: find each source line's text inside the value, in order.
        first = pos.line + (1 if pos.style in ("|", ">") else 0)
        cursor = 0
        for number in range(first, len(self.lines) + 1):
            source_line = self.lines[number - 1]
            stripped = source_line.strip()
            if not stripped:
                continue
            found = text.find(stripped, cursor)
            if found < 0:
                break
            if found <= offset < found + len(stripped):
                indent = len(source_line) - len(source_line.lstrip())
                return number, indent + 1 + (offset - found)
            cursor = found + len(stripped)
        return pos.line, pos.column


def load_document(path: Path, display_name: str | None = None, *, max_bytes: int | None = None) -> SourceDocument:
    """Read a YAML or JSON file (at most max_bytes, default the document limit). Raises DocumentError with
    file:line:col for a file that is missing, unreadable, too big, not UTF-8 text or malformed."""
    name = display_name or str(path)
    data = read_limited(path, name, LIMITS.document_bytes if max_bytes is None else max_bytes)
    return parse_text(decode(data, name), name, as_json=path.suffix.lower() == ".json", checked=True)


def parse_bytes(data: bytes, name: str, *, as_json: bool = False) -> SourceDocument:
    """A document from raw bytes (stdin, an upload), decoded and checked as a file is."""
    return parse_text(decode(data, name), name, as_json=as_json, checked=True)


def parse_text(text: str, name: str, *, as_json: bool = False, checked: bool = False,
               limits: InputLimits = LIMITS) -> SourceDocument:
    """Parse a document's text. Text that did not come through decode() (a pack held in memory) is checked
    for size and control characters here."""
    if not checked:
        if len(text) > limits.document_bytes or len(text.encode("utf-8", errors="surrogatepass")) > limits.document_bytes:
            raise DocumentError([Problem(name, None, None, (), f"the document is too large; the limit is "
                                         f"{limits.document_bytes:,} bytes", "see docs/limits.md", code="PF001")])
        check_characters(text.removeprefix("\ufeff"), name)
    text = text.removeprefix("\ufeff")
    if as_json:
        _check_json_syntax(text, name, limits)
    doc = SourceDocument(file=name, data=None, lines=text.splitlines())
    builder = Builder(yaml.parse(text, Loader=_Loader), name, doc.values, doc.keys, limits)
    try:
        doc.data = builder.document()
    except yaml.MarkedYAMLError as exc:
        raise DocumentError([syntax_problem(exc, text, name, "JSON" if as_json else "YAML")]) from None
    except yaml.YAMLError as exc:
        raise DocumentError([Problem(name, None, None, (), f"malformed YAML: {exc}", code="PF001")]) from None
    if builder.problems:
        raise DocumentError(builder.problems)
    if doc.data is None and not doc.values:
        raise DocumentError([Problem(name, 1, 1, (), "the document is empty")])
    return doc


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _check_json_syntax(text: str, name: str, limits: InputLimits) -> None:
    # json.loads recurses once per level of nesting: the depth is checked first, by a scan that skips strings.
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        character = token.group()
        if character in "[{":
            depth += 1
            if depth > limits.nesting_depth:
                line, column = line_column(text, token.start())
                raise DocumentError([Problem(name, line, column, (), f"lists and mappings nested more than "
                                             f"{limits.nesting_depth} deep", "see docs/limits.md", code="PF001")])
        elif character in "]}":
            depth -= 1
    try:
        # Numbers are kept as text: int() of more than 4,300 digits raises, and the builder checks every number.
        json.loads(text, parse_float=str, parse_int=str, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DocumentError([Problem(name, exc.lineno, exc.colno, (), f"malformed JSON: {exc.msg}", code="PF001")]) from None
    except ValueError as exc:
        raise DocumentError([Problem(name, None, None, (), f"malformed JSON: {exc}", code="PF001")]) from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")
