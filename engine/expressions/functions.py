"""The fixed function library. Extend it deliberately: each entry documents itself for the guide."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engine.expressions.nodes import Const, Node
from engine.expressions.types import BOOLEAN, NUMBER, Type


class ArgumentProblem(Exception):
    def __init__(self, message: str, arg_index: int | None = None):
        super().__init__(message)
        self.message = message
        self.arg_index = arg_index


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    signature: str
    doc: str
    min_args: int
    max_args: int | None
    result: Callable[[list[Node]], Type]  # checks argument types, returns the result type
    runtime: str | None  # helper in RUNTIME_NAMESPACE; None for functions compiled specially


def _expect(args: list[Node], kinds: tuple[str, ...], what: str) -> None:
    for i, arg in enumerate(args):
        if arg.type.kind not in kinds and arg.type.kind != "null":
            raise ArgumentProblem(f"argument {i + 1} must be {what}, got {arg.type}", i)


def _numbers(args: list[Node]) -> Type:
    _expect(args, ("number",), "a number")
    return NUMBER


def _numbers_or_dates(args: list[Node]) -> Type:
    kinds = {a.type.kind for a in args}
    if kinds == {"date"}:
        return args[0].type
    _expect(args, ("number",), "a number (or all arguments dates)")
    return NUMBER


def _round_args(args: list[Node]) -> Type:
    _expect(args[:1], ("number",), "a number")
    if len(args) == 2 and not (isinstance(args[1], Const) and isinstance(args[1].value, int) and 0 <= args[1].value <= 6):
        raise ArgumentProblem("the number of digits must be a whole constant from 0 to 6", 1)
    return NUMBER


def _date_arg(args: list[Node]) -> Type:
    _expect(args, ("date",), "a date")
    return NUMBER


def _list_arg(args: list[Node]) -> Type:
    _expect(args, ("list",), "a list")
    return NUMBER


def _two_lists(args: list[Node]) -> Type:
    _expect(args, ("list",), "a list")
    return BOOLEAN


def _has_arg(args: list[Node]) -> Type:
    return BOOLEAN  # the parser checks that the argument is a field path or a data source


def _coalesce_args(args: list[Node]) -> Type:
    kinds = {a.type.kind for a in args if a.type.kind != "null"}
    if len(kinds) > 1:
        raise ArgumentProblem("all arguments of coalesce must have the same type, got " + ", ".join(sorted(kinds)))
    return next((a.type for a in args if a.type.kind != "null"), args[0].type)


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in [
        FunctionSpec("min", "min(a, b, ...)", "The smallest of its arguments (numbers or dates), at least two.", 2, None, _numbers_or_dates, "_min"),
        FunctionSpec("max", "max(a, b, ...)", "The largest of its arguments (numbers or dates), at least two.", 2, None, _numbers_or_dates, "_max"),
        FunctionSpec("abs", "abs(x)", "The absolute value.", 1, 1, _numbers, "_abs"),
        FunctionSpec("round", "round(x, digits=0)", "Rounds half up (四舍五入) to `digits` decimals.", 1, 2, _round_args, "_round"),
        FunctionSpec("floor", "floor(x)", "The largest whole number not above x.", 1, 1, _numbers, "_floor"),
        FunctionSpec("ceil", "ceil(x)", "The smallest whole number not below x.", 1, 1, _numbers, "_ceil"),
        FunctionSpec("round_down", "round_down(x, step)", "x rounded down to a multiple of step, e.g. round_down(x, 10000); unknown when step <= 0.", 2, 2, _numbers, "_round_down"),
        FunctionSpec("clamp", "clamp(x, lo, hi)", "x limited to the range lo..hi.", 3, 3, _numbers, "_clamp"),
        FunctionSpec("has", "has(path)", "True when the field (or any field of the data source) is present; never unknown.", 1, 1, _has_arg, None),
        FunctionSpec("coalesce", "coalesce(a, b, ...)", "The first argument that is not missing: an explicit default for missing data.", 2, None, _coalesce_args, None),
        FunctionSpec("years_since", "years_since(date)", "Whole years from the date to the evaluation date (age, years in business).", 1, 1, _date_arg, "_years_since"),
        FunctionSpec("months_since", "months_since(date)", "Whole months from the date to the evaluation date.", 1, 1, _date_arg, "_months_since"),
        FunctionSpec("contains_any", "contains_any(list, values)", "True when any item of the list is one of the values, e.g. contains_any(credit_bureau.special_status, ['bad_debt', 'write_off']).", 2, 2, _two_lists, "_contains_any"),
        FunctionSpec("len", "len(list)", "The number of items in a list field.", 1, 1, _list_arg, "_len"),
    ]
}

# Functions whose result depends on the evaluation date, passed in the record as '$date'.
DATE_RELATIVE = frozenset({"years_since", "months_since"})
