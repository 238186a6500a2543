"""Risk compensation pools (风险补偿资金池): the pools/*.yaml document of a pack, and opening, losses, suspension.

A document error names file:line:column and the field, like every other document of a pack.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.core.errors import DocumentError
from engine.lines.models import Pool, to_cents
from engine.lines.store import LineError, Store
from engine.lines.views import pool_model


class PartyDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(description="e.g. 政府, 核心企业, 银行")
    share: Decimal = Field(gt=0, le=1, description="the party's share of each loss, 0 < share <= 1")


class SuspendDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    loss_ratio_above: Decimal | None = Field(None, gt=0, le=1, description="suspend when losses / initial fund exceed this")


class PoolDoc(BaseModel):
    """A risk compensation pool: fund x leverage bounds what may be outstanding under it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    fund: Decimal = Field(gt=0, description="the fund in yuan, whole cents")
    leverage: Decimal = Field(gt=0, le=100, description="放大倍数: capacity = fund x leverage")
    parties: list[PartyDoc] = Field(min_length=1)
    products: list[str] = Field(min_length=1, description="codes of the products the pool covers")
    suspend_when: SuspendDoc = SuspendDoc()

    @field_validator("fund")
    @classmethod
    def _cents(cls, value: Decimal) -> Decimal:
        if value != value.quantize(Decimal("0.01")):
            raise ValueError("the fund must be a whole number of cents")
        return value

    @field_validator("parties")
    @classmethod
    def _shares_sum_to_one(cls, parties: list[PartyDoc]) -> list[PartyDoc]:
        total = sum((p.share for p in parties), Decimal(0))
        if total != 1:
            raise ValueError(f"the parties' shares add up to {total}, not 1")
        return parties


def _position(node: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node:
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            found = node.value[part]
        else:
            found = None
        if found is None:
            break
        node = found
    return node


def load_pool(path: Path) -> PoolDoc:
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise DocumentError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        return PoolDoc.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            node = _position(root, error["loc"]) if root is not None else None
            where = f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}" if node is not None else str(path)
            field = ".".join(str(p) for p in error["loc"]) or "(document)"
            problems.append(f"{where}: {field}: {error['msg']}")
        raise DocumentError("\n".join(problems)) from None


def pack_pools(pack: Path) -> dict[str, PoolDoc]:
    """Every pools/*.yaml of a pack folder, by id."""
    found: dict[str, PoolDoc] = {}
    for file in sorted((pack / "pools").glob("*.yaml")):
        doc = load_pool(file)
        if doc.id in found:
            raise DocumentError(f"{file}:1:1: id: pool {doc.id!r} is declared twice")
        found[doc.id] = doc
    return found


def open_pool(store: Store, doc: PoolDoc, *, on: date, actor: str) -> Pool:
    """Record the pool in the store (once; opening it again returns it unchanged)."""
    with store.db.write() as conn:
        existing = store.pool_row(conn, doc.id, lock=True)
        if existing is not None:
            return pool_model(existing)
        shares = {p.name: str(p.share) for p in doc.parties}
        row = dict(pool_id=doc.id, initial_fund_cents=to_cents(doc.fund), fund_cents=to_cents(doc.fund),
                   leverage=str(doc.leverage), shares=shares)
        evidence = {"loss_ratio_above": str(doc.suspend_when.loss_ratio_above) if doc.suspend_when.loss_ratio_above else None,
                    "products": list(doc.products)}
        _, _, new = store.record(conn, "pool_opened", on=on, actor=actor, data={"pool": row}, pool_id=doc.id,
                                 evidence=evidence)
        assert new is not None
        return pool_model(new)


def suspend_pool(store: Store, pool_id: str, *, reason: str, on: date, actor: str) -> Pool:
    with store.db.write() as conn:
        pool = store.pool_row(conn, pool_id, lock=True)
        if pool is None:
            raise LineError(f"pool {pool_id!r}: no such pool")
        if pool["suspended"]:
            return pool_model(pool)
        _, _, new = store.record(conn, "pool_suspended", on=on, actor=actor, data={"reason": reason}, pool=pool,
                                 rule="suspended", evidence={"reason": reason})
        assert new is not None
        return pool_model(new)


def show_pool(store: Store, pool_id: str) -> Pool:
    with store.db.read() as conn:
        pool = store.pool_row(conn, pool_id)
    if pool is None:
        raise LineError(f"pool {pool_id!r}: no such pool in {store.db!r}")
    return pool_model(pool)
