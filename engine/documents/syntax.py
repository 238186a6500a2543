"""A YAML or JSON syntax error explained the way a person fixes it.

The parser reports where it gave up, which is often the line after the mistake and in its own terms
("mapping values are not allowed here", "found character that cannot start any token"). When the lines
around that point hold the usual cause, the error names it at its own position instead: a full-width `：`
or `，` typed by a Chinese input method, or a tab used for indentation.
"""
from __future__ import annotations

from collections.abc import Callable

import yaml

from engine.core.characters import FULLWIDTH, describe, fullwidth_hint
from engine.core.errors import Problem


def syntax_problem(exc: yaml.MarkedYAMLError, text: str, name: str, kind: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    detail = str(exc.problem or exc.context)
    lines = text.split("\n")
    if line is not None:
        first = max(1, min(line, (exc.context_mark.line + 1) if exc.context_mark else line) - 1)
        tab = _find(lines, first, line, _tab_in_indent)
        if tab is not None and ("tab" in detail or "cannot start any token" in detail or "\t" in detail):
            return Problem(name, tab[0], tab[1], (), f"malformed {kind}: a tab character at line {tab[0]} column {tab[1]}",
                           "YAML indents with spaces only; replace the tab with spaces", code="PF001")
        wide = _find(lines, first, line, _fullwidth_outside_quotes)
        if wide is not None:
            character = lines[wide[0] - 1][wide[1] - 1]
            return Problem(name, wide[0], wide[1], (), f"malformed {kind}: {describe(character)} at line {wide[0]} column {wide[1]}",
                           fullwidth_hint(character), code="PF001")
    if "\t" in detail:
        detail = detail.replace("'\\t'", "a tab").replace("\t", "a tab")
    return Problem(name, line, column, (), f"malformed {kind}: {detail}", code="PF001")


def _find(lines: list[str], first: int, last: int, probe: Callable[[str], int | None]) -> tuple[int, int] | None:
    for number in range(first, min(last, len(lines)) + 1):
        column = probe(lines[number - 1])
        if column is not None:
            return number, column
    return None


def _tab_in_indent(line: str) -> int | None:
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)]
    return indent.index("\t") + 1 if "\t" in indent else (line.index("\t") + 1 if "\t" in line and ":\t" not in line else None)


def _fullwidth_outside_quotes(line: str) -> int | None:
    """The 1-based column of a full-width character where YAML syntax belongs: a `：` in the key's place (no
    ASCII ': ' before it), `，` or a bracket inside a flow collection, or an ideographic space in the indentation.
    Full-width punctuation inside text (a description, a quoted value, a comment) is left alone."""
    indent = len(line) - len(line.lstrip(" \u3000"))
    if "\u3000" in line[:indent]:
        return line.index("\u3000") + 1
    quote: str | None = None
    flow = 0
    key_done = False
    for index, character in enumerate(line):
        if quote:
            if character == quote:
                quote = None
            continue
        if character in "'\"":
            quote = character
        elif character == "#" and (index == 0 or line[index - 1] in " \t"):
            return None
        elif character in "[{":
            flow += 1
        elif character in "]}":
            flow -= 1
        elif character == ":" and line[index + 1: index + 2] in ("", " "):
            key_done = True
        elif character == "\uff1a" and not key_done:
            return index + 1
        elif flow > 0 and character in FULLWIDTH:
            return index + 1
    return None
