"""`pf diff`: what differs between two resolved products (a product and its variant, two versions)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from engine.compile.ir import CompiledProduct
from engine.documents.loaded import LoadedRuleset
from engine.expressions.parser import expression_text


class Change(BaseModel):
    part: str
    kind: Literal["added", "removed", "changed"]
    before: Any = None
    after: Any = None


class ProductDiff(BaseModel):
    left: str
    right: str
    left_hash: str
    right_hash: str
    changes: list[Change]


def _by_key(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(item[key]): item for item in items}


def _compare(part: str, before: Any, after: Any, changes: list[Change]) -> None:
    if before == after:
        return
    if before is None:
        changes.append(Change(part=part, kind="added", after=after))
    elif after is None:
        changes.append(Change(part=part, kind="removed", before=before))
    else:
        changes.append(Change(part=part, kind="changed", before=before, after=after))


def _compare_keyed(prefix: str, before: dict[str, Any], after: dict[str, Any], changes: list[Change]) -> None:
    for key in list(before) + [k for k in after if k not in before]:
        _compare(f"{prefix}.{key}", before.get(key), after.get(key), changes)


def _table_changes(prefix: str, before: dict[str, Any], after: dict[str, Any], changes: list[Change]) -> None:
    for key in ("hit_policy", "inputs", "outputs", "no_match", "description"):
        _compare(f"{prefix}.{key}", before.get(key), after.get(key), changes)
    rows_before, rows_after = before.get("rows", []), after.get("rows", [])
    for i in range(max(len(rows_before), len(rows_after))):
        _compare(f"{prefix}.rows[{i}]", rows_before[i] if i < len(rows_before) else None,
                 rows_after[i] if i < len(rows_after) else None, changes)


def diff_products(left: CompiledProduct, right: CompiledProduct, rulesets: dict[str, LoadedRuleset]) -> ProductDiff:
    a = left.doc.model_dump(mode="json", by_alias=True, exclude_none=True)
    b = right.doc.model_dump(mode="json", by_alias=True, exclude_none=True)
    changes: list[Change] = []
    for key in ("code", "name", "version", "effective", "description", "borrower", "customer_types", "data_sources"):
        _compare(key, a.get(key), b.get(key), changes)
    _compare_keyed("params", a.get("params", {}), b.get("params", {}), changes)
    _compare_keyed("eligibility", _by_key(a.get("eligibility", []), "id"), _by_key(b.get("eligibility", []), "id"), changes)
    _compare_keyed("risk_controls", _by_key(a.get("risk_controls", []), "id"), _by_key(b.get("risk_controls", []), "id"), changes)
    tables_a, tables_b = _by_key(a.get("tables", []), "id"), _by_key(b.get("tables", []), "id")
    for table_id in list(tables_a) + [t for t in tables_b if t not in tables_a]:
        if table_id in tables_a and table_id in tables_b:
            _table_changes(f"tables.{table_id}", tables_a[table_id], tables_b[table_id], changes)
        else:
            _compare(f"tables.{table_id}", tables_a.get(table_id), tables_b.get(table_id), changes)
    caps_a, caps_b = _by_key(a["limit"].get("caps", []), "id"), _by_key(b["limit"].get("caps", []), "id")
    _compare_keyed("limit.caps", caps_a, caps_b, changes)
    _compare_keyed("limit", {k: v for k, v in a["limit"].items() if k != "caps"}, {k: v for k, v in b["limit"].items() if k != "caps"}, changes)
    adjustments_a = _by_key(a["pricing"].get("adjustments", []), "id")
    adjustments_b = _by_key(b["pricing"].get("adjustments", []), "id")
    _compare_keyed("pricing", {k: v for k, v in a["pricing"].items() if k != "adjustments"},
                   {k: v for k, v in b["pricing"].items() if k != "adjustments"}, changes)
    _compare_keyed("pricing.adjustments", adjustments_a, adjustments_b, changes)
    _compare_keyed("terms", a["terms"], b["terms"], changes)
    _compare_keyed("repayment_methods", _by_key(a["repayment_methods"], "method"), _by_key(b["repayment_methods"], "method"), changes)
    return ProductDiff(left=f"{left.code}@{left.doc.version}", right=f"{right.code}@{right.doc.version}",
                       left_hash=left.content_hash, right_hash=right.content_hash, changes=changes)


def render_diff(diff: ProductDiff) -> str:
    lines = [f"--- {diff.left} ({diff.left_hash})", f"+++ {diff.right} ({diff.right_hash})"]
    if not diff.changes:
        lines.append("no differences")
    for change in diff.changes:
        if change.kind == "added":
            lines.append(f"+ {change.part}: {_short(change.after)}")
        elif change.kind == "removed":
            lines.append(f"- {change.part}: {_short(change.before)}")
        elif isinstance(change.before, dict) and isinstance(change.after, dict):
            keys = [k for k in dict.fromkeys([*change.before, *change.after]) if change.before.get(k) != change.after.get(k)]
            for key in keys:
                lines.append(f"~ {change.part}.{key}: {_short(change.before.get(key))}  ->  {_short(change.after.get(key))}")
        else:
            lines.append(f"~ {change.part}: {_short(change.before)}  ->  {_short(change.after)}")
    return "\n".join(lines) + "\n"


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        if "rule" in value:
            return f"{expression_text(value['rule'])} [{value.get('action')}]"
        if "value" in value and "id" in value:
            return str(value["value"])
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."
