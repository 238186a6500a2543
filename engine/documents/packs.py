"""Pack manifests and the parameter centre (shared market and policy parameters)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from engine.documents.models import NAME_PATTERN, Document, Effective, ParamValue

PACK_NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


class PackReplaces(Document):
    products: list[str] = Field(default_factory=list, description="product codes this pack deliberately replaces", title='替换的产品 Products')
    rulesets: list[str] = Field(default_factory=list, description="ruleset codes this pack deliberately replaces", title='替换的规则集 Rulesets')


class PackManifest(Document):
    """pack.yaml: what a pack is and what it builds on."""

    name: str = Field(pattern=PACK_NAME_PATTERN, description='产品包名称 / pack name')
    version: str = Field(description='版本 / version')
    description: str = Field(min_length=1, description='说明 / what the pack holds')
    depends_on: list[str] = Field(default_factory=list, description="packs that must be loaded before this one", title='依赖的产品包 Depends on')
    replaces: PackReplaces = Field(default_factory=PackReplaces, description='有意替换的前序包代码 / codes of earlier packs this pack replaces on purpose')

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value


class DatedValue(Document):
    from_: date = Field(alias="from", description='生效日 / first day in force')
    value: ParamValue = Field(description='取值 / the value')

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class SharedParam(Document):
    """A market or policy parameter: one value, or a history of values by effective date."""

    description: str = Field(min_length=1, description='说明 / what the param is')
    unit: str | None = Field(None, description='单位 / unit')
    value: ParamValue | None = Field(None, description='取值(不随日期变化) / the value, when it does not change by date')
    history: list[DatedValue] | None = Field(None, description='按生效日的取值 / values by effective date')

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


class ParamGroupDoc(Document):
    """params/<group>.yaml: read in expressions as <group>.<name>, e.g. market.lpr_1y_bp."""

    group: str = Field(pattern=NAME_PATTERN, description='参数组名,读作 <group>.<name> / group name, read as <group>.<name>')
    description: str = Field(min_length=1, description='说明 / what the group holds')
    params: dict[Annotated[str, Field(pattern=NAME_PATTERN)], SharedParam] = Field(description='参数名 → 定义 / param name → definition')


class ProductHeader(Document):
    """The keys needed to place a product file before it is resolved (its variant keys included)."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True, defer_build=True)

    code: str = Field(description='产品代码 / product code')
    name: str = Field(description='产品名称 / product name')
    version: str = Field(description='版本 / version')
    effective: Effective = Field(description='生效期 / effective dates')
    extends: str | None = Field(None, description='继承的产品(CODE 或 CODE@VERSION) / the parent product (CODE or CODE@VERSION)')

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value
