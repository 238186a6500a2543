"""A located problem inside an expression's text."""
from __future__ import annotations


class ExpressionProblem(Exception):
    """A problem at (line, col) inside the expression text: line 1-based, col 0-based characters."""

    def __init__(self, message: str, line: int = 1, col: int = 0, hint: str | None = None, code: str = "PF003"):
        super().__init__(message)
        self.message, self.line, self.col, self.hint, self.code = message, line, col, hint, code
