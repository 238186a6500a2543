"""What an unquoted YAML (or JSON) scalar means, decided once and strictly.

PyYAML follows YAML 1.1, where `070` is octal 56, `0x2A` is 42, `1:30` is the base-60 number 90 and `yes` /
`no` / `on` / `off` are booleans: a value a person typed changes without a word. Those forms are refused
here with a hint, never converted. Decimal numbers are read exactly, JSON exponents (`8.65e4`) included,
and every number is checked for magnitude and precision from its digits alone (core.limits.number_problem)
before anything computes with it, so `1e999999999` or a 5,000-digit integer is refused at once.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from engine.core.limits import LIMITS, InputLimits, number_problem

NULLS = frozenset({"", "~", "null", "Null", "NULL"})
TRUES = frozenset({"true", "True", "TRUE"})
FALSES = frozenset({"false", "False", "FALSE"})
YAML11_BOOLEANS = frozenset({"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"})

_INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9]*(?:_[0-9]+)*)\Z")
_DECIMAL = re.compile(r"[-+]?(?:[0-9][0-9]*(?:_[0-9]+)*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+\Z")
_BASED = re.compile(r"[-+]?0(?:x[0-9a-fA-F_]+|o[0-7_]+|b[01_]+)\Z")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)\Z")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?\Z")
_constructor = SafeConstructor()


class ScalarProblem(ValueError):
    """Why a plain scalar is refused, with a hint saying what to write instead."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def plain_scalar(text: str, limits: InputLimits = LIMITS) -> Any:
    """The value of an unquoted scalar: None, bool, int, Decimal, date/datetime or the text itself."""
    if text in NULLS:
        return None
    first = text[0]
    if first in "tTfF" and (text in TRUES or text in FALSES):
        return text in TRUES
    if text in YAML11_BOOLEANS:
        return _refuse_boolean(text)
    if not (first.isdigit() or first in "+-."):
        return text  # the common case: a name or a word
    if _INTEGER.match(text):
        return int(_checked(text.replace("_", ""), limits))  # at most number_digits digits by now
    if _LEADING_ZERO.match(text):
        plain = text.lstrip("+-").lstrip("0_").replace("_", "") or "0"
        raise ScalarProblem(f"{text} has a leading zero, which YAML 1.1 reads as an octal number",
                            f"write {plain}, or quote it ('{text}') if it is a code")
    if _DECIMAL.match(text):
        return _decimal(text.replace("_", ""), limits)
    if _BASED.match(text):
        raise ScalarProblem(f"{text} is a hexadecimal, octal or binary number", f"write it in decimal, or quote it ('{text}') if it is text")
    if _SEXAGESIMAL.match(text):
        raise ScalarProblem(f"{text} is read by YAML 1.1 as a base-60 number, not as a time or a ratio",
                            f"quote it ('{text}') if it is text")
    if _SPECIAL_FLOAT.match(text):
        raise ScalarProblem(f"{text} is not a finite number", "write a number, or null when the value is unknown")
    if _TIMESTAMP.match(text):
        return _timestamp(text)
    return text


def _refuse_boolean(text: str) -> Any:
    raise ScalarProblem(f"{text!r} is a boolean in YAML 1.1 and text in YAML 1.2 and JSON",
                        f"write true or false, or quote it ('{text}') if it is text")


def _checked(text: str, limits: InputLimits) -> Decimal:
    value = Decimal(text)  # linear in the length; no arithmetic yet
    problem = number_problem(value, limits)
    if problem is not None:
        raise ScalarProblem(f"number {_short(text)} {problem}", "see docs/limits.md")
    return value


def _decimal(text: str, limits: InputLimits) -> Decimal:
    value = _checked(text, limits)
    if value.as_tuple().exponent > 0:  # type: ignore[operator]
        # 8.65e4 is 86500, written as people write it (magnitude is bounded, so this is cheap and exact)
        value = value.quantize(Decimal(1))
    return value


def _timestamp(text: str) -> date | datetime:
    try:
        return _constructor.construct_yaml_timestamp(yaml.ScalarNode("tag:yaml.org,2002:timestamp", text))
    except ValueError as exc:
        raise ScalarProblem(f"{text} is not a valid date ({exc})", "write an ISO date YYYY-MM-DD") from None


def _short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}…{text[-10:]} ({len(text):,} characters)"
