"""Static types of the expression language. Every node knows its type before any data exists."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

Kind = Literal["number", "string", "boolean", "date", "list", "map", "null", "record"]


@dataclass(frozen=True)
class Type:
    kind: Kind
    item: "Type | None" = None  # element type of a list, value type of a map
    values: frozenset[str] | None = None  # allowed values of an enum string
    keys: frozenset[str] | None = None  # keys of a constant map
    fields: tuple[tuple[str, "Type"], ...] | None = None  # the typed fields of a record (an item of a records field)

    def field(self, name: str) -> "Type | None":
        return dict(self.fields or ()).get(name)

    def __str__(self) -> str:
        if self.kind == "list" and self.item:
            return f"list of {self.item}"
        if self.kind == "record":
            return "record"
        if self.kind == "map" and self.item:
            return f"map of {self.item}"
        if self.values:
            return "one of " + ", ".join(sorted(self.values))
        return self.kind


NUMBER = Type("number")
STRING = Type("string")
BOOLEAN = Type("boolean")
DATE = Type("date")
NULL = Type("null")

FIELD_TYPES: dict[str, Type] = {
    "integer": NUMBER,
    "number": NUMBER,
    "money": NUMBER,
    "string": STRING,
    "boolean": BOOLEAN,
    "date": DATE,
    "string_list": Type("list", item=STRING),
}


def type_of_value(value: Any) -> Type:
    """The type of a constant: a literal or a param value."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, (int, Decimal)):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, date):
        return DATE
    if isinstance(value, (list, tuple, frozenset)):
        return Type("list", item=unify([type_of_value(v) for v in value]))
    if isinstance(value, dict):
        return Type("map", item=unify([type_of_value(v) for v in value.values()]), keys=frozenset(map(str, value)))
    raise TypeError(f"unsupported constant {value!r}")


def unify(types: list[Type]) -> Type | None:
    """The common type of several values (None when they disagree or there are none)."""
    kinds = {t.kind for t in types if t.kind != "null"}
    if len(kinds) != 1:
        return None
    first = next(t for t in types if t.kind != "null")
    return Type(first.kind, item=first.item)
