"""The content hash of a compiled product: what decides, and nothing else."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from engine.documents.loaded import LoadedProduct, LoadedRuleset


def content_hash(product: LoadedProduct, rulesets: dict[str, LoadedRuleset], shared: dict[str, dict[str, Any]]) -> str:
    """A hash of everything that decides: the resolved product, the rulesets it uses, the shared params in force."""
    used = sorted({use.ruleset for combo in product.doc.risk_controls for use in combo.uses()})
    definition = {
        "product": product.doc.model_dump(mode="json", by_alias=True, exclude={"tests"}),  # tests decide nothing
        "rulesets": {code: rulesets[code].doc.model_dump(mode="json") for code in used if code in rulesets},
    }
    text = json.dumps(definition, ensure_ascii=False, default=str)
    # Only the shared params the definition reads: loading an unrelated pack must not change the hash.
    read = {group: {name: value for name, value in params.items() if re.search(rf"\b{group}\.{name}\b", text)}
            for group, params in shared.items()}
    payload = {**definition, "shared": {group: params for group, params in read.items() if params}}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
