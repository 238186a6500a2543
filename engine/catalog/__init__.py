"""The catalog stage: packs layered in order (layering), product versions by date (versions), content
hashes (hashing) and the Catalog that resolves and compiles products on demand (catalog)."""
from engine.catalog.catalog import (
           PACKS_ENV,
           Catalog,
           default_root,
           is_root_pack,
           packs_from_environment,
)
from engine.catalog.hashing import content_hash
from engine.catalog.layering import (
           DICTIONARY_FILE,
           LoadedPacks,
           Pack,
           ProductEntry,
           SharedParamEntry,
)
from engine.documents.loaders import display_path as _display

__all__ = ["Catalog", "DICTIONARY_FILE", "LoadedPacks", "PACKS_ENV", "Pack", "ProductEntry", "SharedParamEntry",
           "content_hash", "default_root", "is_root_pack", "packs_from_environment", "_display"]
