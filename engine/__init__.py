"""Product Factory: a YAML-declared rules engine for small-business loan products.

The public Python API (docs/api.md), imported on first use so that `import engine` stays cheap:

    import engine
    catalog = engine.catalog_from_folders()                      # or engine.catalog_from_memory({...})
    decision = engine.evaluate_applicant(catalog, "shuiqitong-xw", applicant_dict, "2026-11-25")
    print(engine.decision_json(decision))
    results = engine.evaluate_frame(catalog, "shuiqitong-xw", frame, "2026-11-25")
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "Catalog", "Decision", "DocumentError", "FolderLoader", "MemoryLoader", "ProductFactoryError", "applicant_from_data",
    "catalog_from_folders", "catalog_from_memory", "decision_json", "evaluate_applicant", "evaluate_frame", "evaluate_frame_result",
]

# name -> the module that defines it; nothing is imported until a name is used.
_LAZY = {
    "Catalog": "engine.catalog",
    "Decision": "engine.results.decision",
    "DocumentError": "engine.core.errors",
    "ProductFactoryError": "engine.core.errors",
    "FolderLoader": "engine.documents.loaders",
    "MemoryLoader": "engine.documents.loaders",
    **{name: "engine.api" for name in ("applicant_from_data", "catalog_from_folders", "catalog_from_memory", "decision_json",
                                       "evaluate_applicant", "evaluate_frame", "evaluate_frame_result")},
}

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ below imports on demand
    from engine.api import (
        applicant_from_data,
        catalog_from_folders,
        catalog_from_memory,
        decision_json,
        evaluate_applicant,
        evaluate_frame,
        evaluate_frame_result,
    )
    from engine.catalog import Catalog
    from engine.core.errors import DocumentError, ProductFactoryError
    from engine.documents.loaders import FolderLoader, MemoryLoader
    from engine.results.decision import Decision


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
