"""Applicant files: validated against the data dictionary and flattened into a record.

Floats (as json.loads gives them) are accepted for numbers and converted exactly, Decimal(repr(x)).
A record maps dotted paths ('tax.paid_12m') to exact values; a missing or null field is simply
absent. Each present data source also appears under its own name (record['tax'] = True), which is
what has(tax) tests.
"""
from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Callable

from engine.core.errors import DocumentError, Problem, did_you_mean
from engine.core.limits import LIMITS, number_problem
from engine.documents.models import DataDictionary, FieldDef
from engine.documents.reading import read_stream
from engine.documents.source import SourceDocument, load_document, parse_bytes, parse_text

Record = dict[str, Any]
_CENT = Decimal("0.01")
_CENTS_EXACT = Decimal(10) ** 15  # quantize keeps every digit below this (28-digit context)
ID_KEY = "id"
STDIN = "<stdin>"


def load_applicant(path: Path | str, dictionary: DataDictionary, *, stdin_text: str | None = None,
                   stdin: BinaryIO | None = None) -> Record:
    """An applicant file (at most LIMITS.applicant_bytes), or the same read from stdin (text or a byte stream)."""
    if stdin is not None:
        data = read_stream(stdin, STDIN, LIMITS.applicant_bytes)
        source = parse_bytes(data, STDIN, as_json=_looks_json(data))
    elif stdin_text is not None:
        if len(stdin_text) > LIMITS.applicant_bytes:
            raise DocumentError([Problem(STDIN, None, None, (), f"the applicant is too large; the limit is "
                                         f"{LIMITS.applicant_bytes:,} bytes", "see docs/limits.md")])
        source = parse_text(stdin_text, STDIN, as_json=stdin_text.lstrip().startswith("{"))
    else:
        source = load_document(Path(path), max_bytes=LIMITS.applicant_bytes)
    return applicant_record(source, dictionary)


def _looks_json(data: bytes) -> bool:
    return data.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"{")


def applicant_record(source: SourceDocument, dictionary: DataDictionary) -> Record:
    problems: list[Problem] = []
    record = flatten(source.data, dictionary, lambda path, msg, hint=None, key=False: problems.append(
        source.problem(path, msg, hint, key=key)))
    if problems:
        raise DocumentError(problems)
    return record


def flatten(data: Any, dictionary: DataDictionary, report: Callable[..., None]) -> Record:
    """Check data against the dictionary, report each problem, and return the flat record."""
    record: Record = {}
    if not isinstance(data, dict):
        report((), "an applicant must be a mapping of data sources, e.g. {tax: {...}, credit_bureau: {...}}")
        return record
    for source_name, fields in data.items():
        if source_name == ID_KEY:
            if not isinstance(fields, (str, int)) or isinstance(fields, bool):
                report((ID_KEY,), "id must be a string or a whole number")
            else:
                record["$id"] = str(fields)
            continue
        source = dictionary.sources.get(source_name)
        if source is None:
            report((source_name,), f"unknown data source {source_name!r}",
                   did_you_mean(source_name, [*dictionary.sources, ID_KEY]), key=True)
            continue
        if fields is None:
            continue
        if not isinstance(fields, dict):
            report((source_name,), f"data source {source_name!r} must be a mapping of fields")
            continue
        present = False
        fast = _fast_checks(dictionary).get(source_name, {})
        for name, value in fields.items():
            if value is None:
                if name not in source.fields:
                    report((source_name, name), f"unknown field {source_name}.{name}", did_you_mean(name, source.fields), key=True)
                continue
            check = fast.get(name)
            if check is not None and check(value):  # the common case: a valid value already of its exact type
                record[f"{source_name}.{name}"] = value
                present = True
                continue
            path = (source_name, name)
            definition = source.fields.get(name)
            if definition is None:
                report(path, f"unknown field {source_name}.{name}", did_you_mean(name, source.fields), key=True)
                continue
            checked, error = check_value(definition, value)
            if error:
                report(path, error)
                continue
            record[f"{source_name}.{name}"] = checked
            present = True
        if present:
            record[source_name] = True
    return record


_FAST_CHECKS: dict[int, tuple[DataDictionary, dict[str, dict[str, Callable[[Any], bool]]]]] = {}


def _fast_checks(dictionary: DataDictionary) -> dict[str, dict[str, Callable[[Any], bool]]]:
    """Per field, a predicate that accepts a value needing no conversion; anything else takes check_value."""
    cached = _FAST_CHECKS.get(id(dictionary))
    if cached is not None and cached[0] is dictionary:
        return cached[1]
    checks = {name: {field: _fast_check(definition) for field, definition in source.fields.items()}
              for name, source in dictionary.sources.items()}
    _FAST_CHECKS[id(dictionary)] = (dictionary, checks)
    return checks


def _fast_check(definition: FieldDef) -> Callable[[Any], bool]:
    low, high = definition.min, definition.max

    def in_range(v: Any) -> bool:
        return (low is None or v >= low) and (high is None or v <= high)

    kind = definition.type
    if kind == "integer":
        return lambda v: type(v) is int and in_range(v)
    if kind == "number":
        return lambda v: (type(v) is int or type(v) is Decimal) and in_range(v)
    if kind == "money":
        return lambda v: (type(v) is int or (type(v) is Decimal and v.as_tuple().exponent >= -2)) and in_range(v)  # type: ignore[operator]
    if kind == "boolean":
        return lambda v: type(v) is bool
    if kind == "enum":
        allowed = frozenset(definition.values or ())
        return lambda v: type(v) is str and v in allowed
    if kind == "string":
        return lambda v: type(v) is str
    if kind == "date":
        return lambda v: type(v) is date
    return lambda v: False  # string_list and anything else: converted by check_value


def check_value(definition: FieldDef, value: Any) -> tuple[Any, str | None]:
    """The value converted to its exact type, or an error saying what was expected."""
    kind = definition.type
    if kind in ("integer", "number", "money"):
        shown = repr(value) if isinstance(value, float) else str(value)
        if isinstance(value, float) and math.isfinite(value):
            # A JSON float (json.loads output) stands for the decimal its shortest repr shows: 0.1 is 0.1,
            # and 0.1 + 0.2 is 0.30000000000000004 (too many decimals for money), never a binary fraction.
            # Money in whole cents is written with its two decimals, as money files spell it (3850000.00).
            value = Decimal(repr(value))
            if kind == "money" and -2 < value.as_tuple().exponent <= 0 and abs(value) < _CENTS_EXACT:
                value = value.quantize(_CENT)
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return None, f"expected a number{_unit(definition)}, got {_describe(value)}"
        # Magnitude from the digits alone, before int() or any arithmetic could hang on 1e999999999.
        problem = number_problem(value if isinstance(value, Decimal) else Decimal(value))
        if problem:
            return None, f"{shown} {problem}"
        if kind == "integer" and value != int(value):
            return None, f"expected a whole number, got {value}"
        if kind == "integer":
            value = int(value)
        if kind == "money" and isinstance(value, Decimal) and value.as_tuple().exponent < -2:  # type: ignore[operator]
            return None, f"money has at most 2 decimals (cents), got {value}"
        if definition.min is not None and value < definition.min:
            return None, f"must be at least {definition.min}{_unit(definition)}, got {value}"
        if definition.max is not None and value > definition.max:
            return None, f"must be at most {definition.max}{_unit(definition)}, got {value}"
        return value, None
    if kind == "boolean":
        if not isinstance(value, bool):
            return None, f"expected true or false, got {_describe(value)}"
        return value, None
    if kind in ("string", "enum"):
        if not isinstance(value, str):
            return None, f"expected text, got {_describe(value)}"
        if kind == "enum" and value not in (definition.values or ()):
            hint = did_you_mean(value, definition.values or [])
            return None, f"expected one of {', '.join(definition.values or [])}, got {value!r}" + (f" ({hint})" if hint else "")
        return value, None
    if kind == "date":
        if isinstance(value, date):
            return value, None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value), None
            except ValueError:
                pass
        return None, f"expected an ISO date (YYYY-MM-DD), got {_describe(value)}"
    if kind == "string_list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, f"expected a list of text values, got {_describe(value)}"
        return tuple(value), None
    if kind == "records":
        return _check_records(definition, value)
    return None, f"unsupported field type {kind}"  # pragma: no cover - the dictionary model forbids it


def _check_records(definition: FieldDef, value: Any) -> tuple[Any, str | None]:
    """A list of records, each a mapping of the field's own typed fields; a null field of a record is absent."""
    if not isinstance(value, list):
        return None, f"expected a list of records, got {_describe(value)}"
    if len(value) > LIMITS.list_items:
        return None, f"has {len(value):,} records; the limit is {LIMITS.list_items:,}"
    fields = definition.fields or {}
    records = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            return None, f"record {i + 1}: expected a mapping of fields, got {_describe(item)}"
        record: dict[str, Any] = {}
        for name, item_value in item.items():
            field = fields.get(str(name))
            if field is None:
                hint = did_you_mean(str(name), fields)
                return None, f"record {i + 1}: unknown field {name!r}" + (f" ({hint})" if hint else "")
            if item_value is None:
                continue
            checked, error = check_value(field, item_value)
            if error:
                return None, f"record {i + 1}, field {name}: {error}"
            record[str(name)] = checked
        records.append(record)
    return tuple(records), None


def _unit(definition: FieldDef) -> str:
    return f" ({definition.unit})" if definition.unit else ""


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a " + ("mapping" if isinstance(value, dict) else "list")
    return repr(value)
