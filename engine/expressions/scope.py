"""What names an expression may use where it is written: data fields, params and table outputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.documents.models import DataDictionary, FieldDef
from engine.expressions.types import FIELD_TYPES, Type


@dataclass
class Scope:
    dictionary: DataDictionary
    params: dict[str, Any] = field(default_factory=dict)
    sources: frozenset[str] | None = None  # declared data sources; None allows every source
    tables: dict[str, dict[str, Type]] = field(default_factory=dict)  # table id -> output -> type
    shared: dict[str, dict[str, Any]] = field(default_factory=dict)  # parameter centre: group -> name -> value
    scores: dict[str, dict[str, Type]] = field(default_factory=dict)  # scorecard id -> 'score'/'grade' -> type
    extra: dict[str, Type] = field(default_factory=dict)  # names outside the dictionary (drawdown: line.*, draw.*)

    def extra_root(self, name: str) -> bool:
        return any(path.split(".", 1)[0] == name for path in self.extra)

    def field_type(self, path: str) -> Type | None:
        if path in self.extra:
            return self.extra[path]
        definition = self.dictionary.field(path)
        if definition is None:
            return None
        return definition_type(definition)


    def source_declared(self, source: str) -> bool:
        return self.sources is None or source in self.sources


def definition_type(definition: FieldDef) -> Type:
    """The expression type of a dictionary field; a records field is a list of records with typed fields."""
    if definition.type == "enum":
        return Type("string", values=frozenset(definition.values or ()))
    if definition.type == "records":
        fields = tuple((name, definition_type(f)) for name, f in (definition.fields or {}).items())
        return Type("list", item=Type("record", fields=fields))
    return FIELD_TYPES[definition.type]
