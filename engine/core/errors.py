"""One error tree. Every error knows where it happened; only the CLI turns errors into exit codes."""
from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Iterable

DocPath = tuple[str | int, ...]


def format_doc_path(path: DocPath) -> str:
    """('rules', 2, 'rule') -> '$.rules[2].rule' (the JSON-path style of jsonschema errors)."""
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for an unknown name, or None when nothing is close."""
    matches = get_close_matches(word, list(candidates), n=3, cutoff=0.6)
    if not matches:
        return None
    return "did you mean " + " or ".join(repr(m) for m in matches) + "?"


@dataclass(frozen=True)
class Problem:
    """One located problem in one document."""

    file: str
    line: int | None
    column: int | None
    doc_path: DocPath
    message: str
    hint: str | None = None
    code: str | None = None  # a stable diagnostic code, e.g. PF201 (docs/diagnostics.md)
    severity: str = "error"  # error | warning

    def render(self, with_code: bool = False) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        label = f" {self.code} {self.severity}:" if with_code and self.code else ""
        # A problem with the file as a whole (not found, too large) has no place inside it to name.
        inside = "" if self.line is None and not self.doc_path else f" {format_doc_path(self.doc_path)}:"
        text = f"{where}:{label}{inside} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class ProductFactoryError(Exception):
    """Base of every error the engine reports to a user. exit_code is what the CLI exits with."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | str):
        self.problems: list[Problem] = [] if isinstance(problems, str) else list(problems)
        self.text = problems if isinstance(problems, str) else ""
        super().__init__(self.render())

    def render(self) -> str:
        if self.problems:
            return "\n".join(p.render() for p in self.problems)
        return self.text


class DocumentError(ProductFactoryError):
    """A product, ruleset, dictionary or applicant document is malformed or invalid."""


class ExpressionError(ProductFactoryError):
    """An expression is not in the language, or does not type-check."""


class UnknownProductError(ProductFactoryError):
    """No product has the requested code or name."""


class UsageError(ProductFactoryError):
    """A bad command-line value."""


@dataclass
class ProblemCollector:
    """Collects problems so that loading reports all of them, not only the first."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self, error_type: type[ProductFactoryError] = DocumentError) -> None:
        if self.problems:
            raise error_type(self.problems)
