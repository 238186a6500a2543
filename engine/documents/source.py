"""Reading YAML and JSON documents while keeping the line and column of every key and value.

PyYAML's composer gives nodes with marks; we build plain Python data from the nodes ourselves so
that (a) every value's position is kept in a map keyed by its path inside the document, (b)
duplicate keys are errors instead of silently winning, and (c) YAML floats become exact Decimals.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.constructor import SafeConstructor

from engine.core.errors import DocPath, DocumentError, Problem

try:  # libyaml is ~10x faster; the pure-Python loader behaves the same
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_scalar_constructor = SafeConstructor()
_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based
    style: str | None = None  # YAML scalar style: None (plain), "'", '"', '|', '>'


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


def load_document(path: Path, display_name: str | None = None) -> SourceDocument:
    """Read a YAML or JSON file. Raises DocumentError with file:line:col for malformed input."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocumentError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise DocumentError(f"{name}: is a directory, expected a file") from None
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise DocumentError(f"{name}: cannot read ({exc.strerror})") from None
    return parse_text(text, name, as_json=path.suffix.lower() == ".json")


def parse_text(text: str, name: str, *, as_json: bool = False) -> SourceDocument:
    if as_json:
        _check_json_syntax(text, name)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = Problem(
            name,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            (),
            f"malformed {'JSON' if as_json else 'YAML'}: {exc.problem or exc.context}",
            code="PF001",
        )
        raise DocumentError([problem]) from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{name}: malformed YAML: {exc}") from None
    doc = SourceDocument(file=name, data=None, lines=text.splitlines())
    if node is None:
        raise DocumentError([Problem(name, 1, 1, (), "the document is empty")])
    problems: list[Problem] = []
    doc.data = _build(node, (), doc, problems)
    if problems:
        raise DocumentError(problems)
    return doc


def _check_json_syntax(text: str, name: str) -> None:
    try:
        json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise DocumentError([Problem(name, exc.lineno, exc.colno, (), f"malformed JSON: {exc.msg}", code="PF001")]) from None


def _position(node: yaml.Node) -> Position:
    style = getattr(node, "style", None)
    # The C loader reports plain scalars as style '' and the Python loader as None.
    return Position(node.start_mark.line + 1, node.start_mark.column + 1, style or None)


def _build(node: yaml.Node, path: DocPath, doc: SourceDocument, problems: list[Problem]) -> Any:
    doc.values[path] = _position(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _TAG + "merge":
                problems.append(_node_problem(doc, key_node, path, "keys must be plain names (no merge keys or complex keys)"))
                continue
            key = _scalar(key_node, path, doc, problems)
            key = str(key) if not isinstance(key, str) else key
            child = path + (key,)
            if key in result:
                problems.append(_node_problem(doc, key_node, child, f"duplicate key {key!r}", "each key may appear once"))
                continue
            doc.keys[child] = _position(key_node)
            result[key] = _build(value_node, child, doc, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), doc, problems) for i, item in enumerate(node.value)]
    return _scalar(cast(yaml.ScalarNode, node), path, doc, problems)  # compose yields no other node kind


def _node_problem(doc: SourceDocument, node: yaml.Node, path: DocPath, message: str, hint: str | None = None) -> Problem:
    return Problem(doc.file, node.start_mark.line + 1, node.start_mark.column + 1, path, message, hint)


def _scalar(node: yaml.ScalarNode, path: DocPath, doc: SourceDocument, problems: list[Problem]) -> Any:
    tag = node.tag
    if tag == _TAG + "str":
        return node.value
    if tag == _TAG + "float":
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            problems.append(_node_problem(doc, node, path, f"number {node.value!r} is not a finite decimal"))
            return None
    try:
        if tag == _TAG + "int":
            return _scalar_constructor.construct_yaml_int(node)
        if tag == _TAG + "bool":
            return _scalar_constructor.construct_yaml_bool(node)
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "timestamp":
            return _scalar_constructor.construct_yaml_timestamp(node)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        problems.append(_node_problem(doc, node, path, f"cannot read {node.value!r}: {exc}"))
        return None
    if isinstance(node, yaml.ScalarNode) and not tag.startswith(_TAG):
        problems.append(_node_problem(doc, node, path, f"unsupported tag {tag!r}"))
        return None
    return node.value
