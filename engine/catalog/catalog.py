"""The catalog: the packs layered in order, products resolved and compiled when used.

The repository root is the built-in pack. Further packs (`--pack`, or PF_PACKS) add products,
variants, rulesets, data-dictionary fields and shared params (layering.py). Several versions of one
product may coexist with disjoint effective ranges; evaluation at a date picks the version in force
(versions.py). Files are read once, through each pack's loader (a folder, or files in memory);
products are resolved (variants applied) and compiled only when used, once per content hash.
"""
from __future__ import annotations

import os
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from engine.catalog.hashing import content_hash
from engine.catalog.layering import (
    DICTIONARY_FILE,
    MANIFEST_FILE,
    LoadedPacks,
    Pack,
    ProductEntry,
    SharedParamEntry,
    load_packs,
)
from engine.catalog.versions import check_versions, select
from engine.compile.ir import CompiledProduct
from engine.compile.product import compile_product
from engine.core.errors import DocumentError, Problem, ProductFactoryError
from engine.core.paths import builtin_root
from engine.documents import cache as pack_cache
from engine.documents.loaded import LoadedProduct, LoadedRuleset
from engine.documents.loaders import FolderLoader, PackLoader, document_files, load_source, loader_for
from engine.documents.models import DataDictionary, ProductDoc
from engine.documents.provenance import ResolvedDocument, plain
from engine.documents.validation import validate_document
from engine.resolve.variants import apply_variant

PACKS_ENV = "PF_PACKS"


def default_root() -> Path:
    return builtin_root()


def packs_from_environment() -> list[Path]:
    value = os.environ.get(PACKS_ENV, "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


def is_root_pack(path: Path | PackLoader) -> bool:
    """A pack that stands alone (it brings the base data dictionary and depends on nothing)."""
    loader = loader_for(path)
    if not loader.exists(MANIFEST_FILE):
        return True
    try:
        data = load_source(loader, MANIFEST_FILE).data
    except ProductFactoryError:
        return False
    return isinstance(data, dict) and not data.get("depends_on")


class Catalog:
    """Catalog(root, packs) reads folders; Catalog.from_loaders([...]) reads any loaders, in layering order."""

    def __init__(self, root: Path | None = None, packs: list[Path] | None = None):
        first: PackLoader = FolderLoader(root or default_root())
        self._init([first] + [FolderLoader(p) for p in (packs or [])])

    @classmethod
    def from_loaders(cls, loaders: Iterable[PackLoader | Path | str]) -> "Catalog":
        """A catalog of the given packs, the first being the root pack (it brings the data dictionary)."""
        catalog = cls.__new__(cls)
        catalog._init([loader_for(p) for p in loaders])
        return catalog

    def _init(self, loaders: list[PackLoader]) -> None:
        if not loaders:
            raise ValueError("a catalog needs at least one pack")
        # A folder named twice (by --pack and PF_PACKS, or by two spellings of one path) is one pack, loaded
        # where it is first named: the same in every command, whichever way the packs were given.
        seen: set[Path] = set()
        unique: list[PackLoader] = []
        for loader in loaders:
            if loader.root is not None:
                if loader.root in seen:
                    continue
                seen.add(loader.root)
            unique.append(loader)
        self.loaders = unique
        self._compiled: dict[str, CompiledProduct] = {}
        self._resolved: dict[tuple[str, str, date], LoadedProduct] = {}
        self._hashes: dict[tuple[str, str, date], str] = {}  # content_hash of each resolved product

    @property
    def root(self) -> Path | None:
        """The folder of the first pack (None when it is not on disk)."""
        return self.loaders[0].root

    @property
    def pack_paths(self) -> list[Path]:
        """The folders of the packs that are on disk, in layering order."""
        return [loader.root for loader in self.loaders if loader.root is not None]

    def with_packs(self, packs: Iterable[PackLoader | Path | str]) -> "Catalog":
        """This catalog's packs followed by more (the root pack's folder is not loaded twice)."""
        return Catalog.from_loaders(self.loaders + [loader_for(p) for p in packs])

    # ------------------------------------------------------------ loading every pack, once

    @cached_property
    def _cache_key(self) -> str | None:
        """The disk-cache key of these packs (see engine.documents.cache); None when the cache is off or a
        pack is not a folder (packs in memory are read each time: there is nothing to invalidate on)."""
        roots = self.pack_paths
        if pack_cache.cache_dir() is None or len(roots) != len(self.loaders) or not all(r.is_dir() for r in roots):
            return None
        files = [f for root in roots for f in [root / MANIFEST_FILE, root / DICTIONARY_FILE] if f.is_file()]
        files += [f for root in roots for folder in ("params", "rulesets", "products") for f in document_files(root / folder)]
        return pack_cache.key(files, *map(str, roots))

    @cached_property
    def _loaded(self) -> LoadedPacks:
        cached = pack_cache.load(self._cache_key) if self._cache_key else None
        if cached is not None:
            return cached
        state = load_packs(self.loaders)
        check_versions(state)
        if self._cache_key:
            pack_cache.store(self._cache_key, state)
        return state

    def load(self) -> LoadedPacks:
        """Everything the packs declare (read once); UsageError when a folder is not a pack."""
        return self._loaded

    # ------------------------------------------------------------ public surface

    @property
    def packs(self) -> list[Pack]:
        """The packs in layering order (loading them if needed)."""
        return self._loaded.packs

    @property
    def dictionary(self) -> DataDictionary:
        loaded = self._loaded
        if loaded.dictionary is None:
            raise DocumentError(loaded.problems)
        return loaded.dictionary

    @property
    def rulesets(self) -> dict[str, LoadedRuleset]:
        return self._loaded.rulesets

    @property
    def load_problems(self) -> list[Problem]:
        return self._loaded.problems

    def entries(self) -> list[ProductEntry]:
        """Every product version, by code then effective date."""
        return [e for code in sorted(self._loaded.entries) for e in self._loaded.entries[code]]

    @property
    def products(self) -> dict[str, ProductEntry]:
        """The latest version of each product code."""
        if self._loaded.problems:
            raise DocumentError(self._loaded.problems)
        return {code: versions[-1] for code, versions in self._loaded.entries.items()}

    def shared_on(self, day: date, pack: str | None = None) -> dict[str, dict[str, Any]]:
        """The parameter centre's values in force on day, by group, as pack's products see them (None: every pack's)."""
        # None marks a param not yet in force: the compiler reports it instead of calling it unknown.
        return {group: {name: entry.param.value_on(day) for name, entry in params.items()}
                for group, params in self.shared_entries(pack).items()}

    def shared_entries(self, pack: str | None = None) -> dict[str, dict[str, SharedParamEntry]]:
        """Each pack's params are its own namespace: another pack sees them only through depends_on."""
        if pack is None:
            return self._loaded.shared
        return self._loaded.scoped.get(pack, self._loaded.shared)

    def select(self, reference: str, on: date) -> ProductEntry:
        """The product version a reference means on a date: 'code', 'code@version' or the Chinese name."""
        return select(self._loaded, reference, on)

    def resolve(self, entry: ProductEntry, on: date) -> LoadedProduct:
        """The effective product after inheritance, every part knowing the file it came from."""
        key = (entry.code, entry.version, on)
        if key not in self._resolved:
            cache_key = self._cache_key and f"{self._cache_key}-{entry.code}-{entry.version}-{on.isoformat()}"
            cached = pack_cache.load(cache_key) if cache_key else None
            if cached is None:
                document = self._resolve_document(entry, on, ())
                product = LoadedProduct(validate_document(document, ProductDoc), document)  # type: ignore[arg-type]
                cached = (product, content_hash(product, self.rulesets, self.shared_on(on, entry.pack.name)))
                if cache_key:
                    pack_cache.store(cache_key, cached)
            self._resolved[key], self._hashes[key] = cached
        return self._resolved[key]

    def resolve_document(self, entry: ProductEntry, on: date) -> ResolvedDocument:
        """The effective document after inheritance, not yet validated against the product model."""
        return self._resolve_document(entry, on, ())

    def _resolve_document(self, entry: ProductEntry, on: date, chain: tuple[str, ...]) -> ResolvedDocument:
        parent_reference = entry.header.extends
        if parent_reference is None:
            return plain(entry.source)
        if entry.code in chain or parent_reference.partition("@")[0] in chain + (entry.code,):
            cycle = " -> ".join(chain + (entry.code, parent_reference.partition("@")[0]))
            raise DocumentError([entry.source.problem(("extends",), f"variants form a cycle: {cycle}")])
        try:
            parent = self.select(parent_reference, on)
        except ProductFactoryError as exc:
            raise DocumentError([entry.source.problem(("extends",), f"cannot extend {parent_reference!r}: {exc.render()}")]) from None
        document, problems = apply_variant(self._resolve_document(parent, on, chain + (entry.code,)), entry.source)
        if problems:
            raise DocumentError(problems)
        return document

    def compile_entry(self, entry: ProductEntry, day: date) -> CompiledProduct:
        """One product version compiled at day (cached by content hash)."""
        product = self.resolve(entry, day)
        shared = self.shared_on(day, entry.pack.name)
        digest = self._hashes[(entry.code, entry.version, day)]
        if digest not in self._compiled:
            self._compiled[digest] = compile_product(product, self.rulesets, self.dictionary, shared,
                                                     pack=entry.pack.name, content_hash=digest)
        return self._compiled[digest]

    def compiled(self, reference: str, on: date | None = None) -> CompiledProduct:
        day = on or date.today()
        return self.compile_entry(self.select(reference, day), day)
