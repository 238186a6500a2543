"""Pack manifests and the parameter centre (shared market and policy parameters)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from engine.models import NAME_PATTERN, Document, Effective, ParamValue

PACK_NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


class PackReplaces(Document):
    products: list[str] = Field(default_factory=list, description="product codes this pack deliberately replaces")
    rulesets: list[str] = Field(default_factory=list, description="ruleset codes this pack deliberately replaces")


class PackManifest(Document):
    """pack.yaml: what a pack is and what it builds on."""

    name: str = Field(pattern=PACK_NAME_PATTERN)
    version: str
    description: str = Field(min_length=1)
    depends_on: list[str] = Field(default_factory=list, description="packs that must be loaded before this one")
    replaces: PackReplaces = Field(default_factory=PackReplaces)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value


class DatedValue(Document):
    from_: date = Field(alias="from")
    value: ParamValue

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class SharedParam(Document):
    """A market or policy parameter: one value, or a history of values by effective date."""

    description: str = Field(min_length=1)
    unit: str | None = None
    value: ParamValue | None = None
    history: list[DatedValue] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "SharedParam":
        if (self.value is None) == (self.history is None):
            raise ValueError("give either 'value' or 'history' (a list of {from, value})")
        if self.history is not None:
            if not self.history:
                raise ValueError("history needs at least one {from, value}")
            dates = [h.from_ for h in self.history]
            if dates != sorted(set(dates)):
                raise ValueError("history dates must be strictly increasing")
        return self

    def value_on(self, day: date) -> Any:
        """The value in force on day, or None before the first entry."""
        if self.history is None:
            return self.value
        current = None
        for entry in self.history:
            if entry.from_ <= day:
                current = entry.value
        return current

    def any_value(self) -> Any:
        return self.value if self.history is None else self.history[-1].value


class ParamGroupDoc(Document):
    """params/<group>.yaml: read in expressions as <group>.<name>, e.g. market.lpr_1y_bp."""

    group: str = Field(pattern=NAME_PATTERN)
    description: str = Field(min_length=1)
    params: dict[Annotated[str, Field(pattern=NAME_PATTERN)], SharedParam]


class ProductHeader(Document):
    """The keys needed to place a product file before it is resolved (its variant keys included)."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True, defer_build=True)

    code: str
    name: str
    version: str
    effective: Effective
    extends: str | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value
