"""YAML (and JSON) parse events to plain data with positions, within the declared limits.

The data is built from PyYAML's event stream (its parser is iterative), never from its composer and
constructor: every node is counted as it arrives, so nesting depth, list and mapping sizes, string length,
alias uses and the number of nodes after alias expansion are checked before the work they would cost. A
billion-laughs document stops at the node limit, `a: &a [*a]` is refused as recursive, and a sequence nested
100,000 deep stops at the depth limit; none recurses in Python past the limit. Only `!!str` may be written
as an explicit tag; any other tag (`!!python/object:...`, `!!binary`, a custom `!tag`) is refused.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterator

import yaml

from engine.core.errors import DocPath, DocumentError, Problem
from engine.core.limits import LIMITS, InputLimits
from engine.documents.scalars import ScalarProblem, plain_scalar

STR_TAG = "tag:yaml.org,2002:str"
LIMITS_HINT = "see docs/limits.md"


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based
    style: str | None = None  # YAML scalar style: None (plain), "'", '"', '|', '>'


@dataclass
class _Anchor:
    path: DocPath
    value: Any
    nodes: int
    trail: tuple[int, int]  # the anchored node's positions in Builder.trail


class LimitExceeded(DocumentError):
    """A declared input limit was exceeded (the document is not read further)."""


class Builder:
    """Builds one document's data, filling `values` and `keys` (doc path -> position of the value / key)."""

    def __init__(self, events: Iterator[yaml.Event], file: str, values: dict[DocPath, Position],
                 keys: dict[DocPath, Position], limits: InputLimits = LIMITS):
        self.events = events
        self.file = file
        self.values = values
        self.keys = keys
        self.limits = limits
        self.problems: list[Problem] = []
        self.nodes = 0
        self.aliases = 0
        self.anchors: dict[str, _Anchor] = {}
        self.open_anchors: set[str] = set()
        # While an anchor is open, every recorded position is also kept, in order, so an alias can copy its
        # anchor's positions to its own paths (a path below an alias is located where the anchor wrote it).
        self.trail: list[tuple[bool, DocPath, Position]] = []

    # ------------------------------------------------------------------ the document
    def document(self) -> Any:
        """The data of the stream's only document; None when the stream has none."""
        self._expect(yaml.StreamStartEvent)
        event = next(self.events)
        if isinstance(event, yaml.StreamEndEvent):
            return None
        if not isinstance(event, yaml.DocumentStartEvent):  # pragma: no cover - the parser guarantees it
            raise self._limit(event, "expected a document")
        data = self.node(next(self.events), (), 0)
        self._expect(yaml.DocumentEndEvent)
        event = next(self.events)
        if isinstance(event, yaml.DocumentStartEvent):
            self.problems.append(self._problem(event, (), "a second document begins here ('---'); a file holds one document",
                                               "split it into two files"))
        return data

    def _expect(self, kind: type) -> None:
        event = next(self.events)
        if not isinstance(event, kind):  # pragma: no cover - the parser guarantees the stream's shape
            raise self._limit(event, f"unexpected {type(event).__name__}")

    # ------------------------------------------------------------------ nodes
    def node(self, event: yaml.Event, path: DocPath, depth: int) -> Any:
        nodes_before = self.nodes
        self._count(event, 1)
        if isinstance(event, yaml.AliasEvent):
            self._record(False, path, _position(event))
            return self._alias(event, path)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.open_anchors.add(anchor)
        start = len(self.trail)
        self._record(False, path, _position(event))
        tag = getattr(event, "tag", None)
        if tag is not None and tag != STR_TAG and not (tag == "!" and isinstance(event, yaml.ScalarEvent)):
            self.problems.append(self._problem(event, path, f"the tag {_shown_tag(tag)} is not supported",
                                               "remove it; documents hold plain data, and a quoted value is text"))
        if isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event, path, tag)
        elif isinstance(event, yaml.SequenceStartEvent):
            value = self._sequence(event, path, depth + 1)
        elif isinstance(event, yaml.MappingStartEvent):
            value = self._mapping(event, path, depth + 1)
        else:  # pragma: no cover - the parser yields no other node event
            raise self._limit(event, f"unexpected {type(event).__name__}")
        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = _Anchor(path, value, self.nodes - nodes_before, (start, len(self.trail)))
        return value

    def _scalar(self, event: yaml.ScalarEvent, path: DocPath, tag: str | None) -> Any:
        text = event.value
        if len(text) > self.limits.string_chars:
            raise self._limit(event, f"a text value of {len(text):,} characters; the limit is {self.limits.string_chars:,}")
        if tag is not None or not event.implicit[0]:
            return text  # quoted, a block scalar, or !!str: text as written
        try:
            return plain_scalar(text, self.limits)
        except ScalarProblem as exc:
            self.problems.append(self._problem(event, path, exc.message, exc.hint))
            return None

    def _sequence(self, start: yaml.Event, path: DocPath, depth: int) -> list[Any]:
        self._check_depth(start, depth)
        items: list[Any] = []
        for event in self.events:
            if isinstance(event, yaml.SequenceEndEvent):
                return items
            if len(items) >= self.limits.list_items:
                raise self._limit(event, f"a list of more than {self.limits.list_items:,} items")
            items.append(self.node(event, path + (len(items),), depth))
        raise self._limit(start, "the list does not end")  # pragma: no cover - the parser raises first

    def _mapping(self, start: yaml.Event, path: DocPath, depth: int) -> dict[str, Any]:
        self._check_depth(start, depth)
        result: dict[str, Any] = {}
        entries = 0
        for event in self.events:
            if isinstance(event, yaml.MappingEndEvent):
                return result
            entries += 1
            if entries > self.limits.list_items:
                raise self._limit(event, f"a mapping of more than {self.limits.list_items:,} keys")
            key = self._key(event, path, depth)
            value_event = next(self.events)
            if key is None:
                self.node(value_event, path + ("?",), depth)  # read and counted, then dropped
                continue
            child = path + (key,)
            if key in result:
                self.problems.append(self._problem(event, child, f"duplicate key {key!r}", "each key may appear once"))
                self.node(value_event, path + ("?",), depth)
                continue
            self._record(True, child, _position(event))
            result[key] = self.node(value_event, child, depth)
        raise self._limit(start, "the mapping does not end")  # pragma: no cover - the parser raises first

    def _key(self, event: yaml.Event, path: DocPath, depth: int) -> str | None:
        """A key is a scalar, read as the text written (`yes:` is the key 'yes', `1:` the key '1')."""
        if not isinstance(event, yaml.ScalarEvent) or event.value == "<<" and event.implicit[0]:
            what = "a merge key (<<)" if isinstance(event, yaml.ScalarEvent) else "an alias" if isinstance(
                event, yaml.AliasEvent) else "a list or mapping"
            self.problems.append(self._problem(event, path, f"{what} cannot be a key", "keys must be plain names"))
            if not isinstance(event, yaml.ScalarEvent):
                self.node(event, path + ("?",), depth)
            return None
        self._count(event, 1)
        if len(event.value) > self.limits.string_chars:
            raise self._limit(event, f"a key of {len(event.value):,} characters; the limit is {self.limits.string_chars:,}")
        if event.tag is not None and event.tag != STR_TAG:
            self.problems.append(self._problem(event, path, f"the tag {_shown_tag(event.tag)} is not supported", "remove it"))
        return event.value

    def _alias(self, event: yaml.AliasEvent, path: DocPath) -> Any:
        name = event.anchor or ""
        self.aliases += 1
        if self.aliases > self.limits.yaml_aliases:
            raise self._limit(event, f"more than {self.limits.yaml_aliases:,} alias uses (*name) in one document")
        if name in self.open_anchors:
            raise self._limit(event, f"the alias *{name} is inside the node &{name} it names (a recursive structure)",
                              "write the data out; recursive documents are refused")
        anchor = self.anchors.get(name)
        if anchor is None:
            self.problems.append(self._problem(event, path, f"the alias *{name} names no anchor (&{name}) defined before it"))
            return None
        self._count(event, anchor.nodes - 1)
        first, last = anchor.trail
        cut = len(anchor.path)
        for is_key, sub, pos in self.trail[first + 1:last]:
            self._record(is_key, path + sub[cut:], pos)
        return copy.deepcopy(anchor.value)

    # ------------------------------------------------------------------ limits and problems
    def _record(self, is_key: bool, path: DocPath, pos: Position) -> None:
        (self.keys if is_key else self.values)[path] = pos
        if self.open_anchors:
            self.trail.append((is_key, path, pos))

    def _count(self, event: yaml.Event, nodes: int) -> None:
        self.nodes += nodes
        if self.nodes > self.limits.yaml_nodes:
            raise self._limit(event, f"more than {self.limits.yaml_nodes:,} values in one document (aliases expanded)",
                              "an alias bomb, or data too large for one document; " + LIMITS_HINT)

    def _check_depth(self, event: yaml.Event, depth: int) -> None:
        if depth > self.limits.nesting_depth:
            raise self._limit(event, f"lists and mappings nested more than {self.limits.nesting_depth} deep")

    def _problem(self, event: yaml.Event, path: DocPath, message: str, hint: str | None = None) -> Problem:
        position = _position(event)
        return Problem(self.file, position.line, position.column, path, message, hint)

    def _limit(self, event: yaml.Event, message: str, hint: str = LIMITS_HINT) -> LimitExceeded:
        return LimitExceeded([self._problem(event, (), message, hint)])


def _position(event: yaml.Event) -> Position:
    # The C parser reports plain scalars as style '' and the Python parser as None.
    mark = event.start_mark
    if mark is None:  # pragma: no cover - the parser marks every event
        return Position(1, 1)
    return Position(mark.line + 1, mark.column + 1, getattr(event, "style", None) or None)


def _shown_tag(tag: str) -> str:
    """'tag:yaml.org,2002:python/object:os.system' -> '!!python/object:os.system', as it was written."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag
