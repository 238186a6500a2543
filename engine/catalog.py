"""Packs layered in order: the data dictionary, the parameter centre, rulesets and products.

The repository root is the built-in pack. Further packs (`--pack`, or PF_PACKS) add products,
variants, rulesets, data-dictionary fields and shared params; a later pack never silently shadows a
product or ruleset code (its pack.yaml must say it replaces it). Several versions of one product may
coexist with disjoint effective ranges; evaluation at a date picks the version in force.
Files are read once, products are resolved (variants applied) and compiled only when used.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from engine.compile.ir import CompiledProduct
from engine.compile.partial import problems_behind_schema_errors
from engine.compile.product import compile_product, compile_ruleset
from engine.core.errors import DocumentError, Problem, ProblemCollector, ProductFactoryError, UnknownProductError, UsageError, did_you_mean
from engine.core.paths import builtin_root
from engine.documents import cache as pack_cache
from engine.documents.loaded import LoadedProduct, LoadedRuleset
from engine.documents.models import DataDictionary, ProductDoc, RulesetDoc
from engine.documents.packs import PackManifest, ParamGroupDoc, ProductHeader, SharedParam
from engine.documents.provenance import ResolvedDocument, plain
from engine.documents.source import SourceDocument, load_document
from engine.documents.validation import validate_document
from engine.resolve.variants import apply_variant

DICTIONARY_FILE = Path("schemas") / "dictionary.yaml"
PACKS_ENV = "PF_PACKS"


def default_root() -> Path:
    return builtin_root()


def packs_from_environment() -> list[Path]:
    value = os.environ.get(PACKS_ENV, "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass
class Pack:
    root: Path
    manifest: PackManifest | None
    source: SourceDocument | None

    @property
    def name(self) -> str:
        return self.manifest.name if self.manifest else self.root.name

    @property
    def version(self) -> str:
        return self.manifest.version if self.manifest else "-"

    def files(self, folder: str) -> list[Path]:
        directory = self.root / folder
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.glob("*.yaml") if not p.name.endswith(".tests.yaml"))


@dataclass
class ProductEntry:
    """One product file: a base product or a variant, one version of one code."""

    pack: Pack
    source: SourceDocument
    header: ProductHeader

    @property
    def code(self) -> str:
        return self.header.code

    @property
    def version(self) -> str:
        return self.header.version

    @property
    def label(self) -> str:
        return f"{self.code}@{self.version}"


@dataclass
class SharedParamEntry:
    group: str
    name: str
    param: SharedParam
    source: SourceDocument
    pack: Pack


@dataclass
class _Loaded:
    dictionary: DataDictionary | None = None
    dictionary_sources: dict[str, str] = field(default_factory=dict)  # 'source.field' -> file
    rulesets: dict[str, LoadedRuleset] = field(default_factory=dict)
    ruleset_packs: dict[str, Pack] = field(default_factory=dict)
    shared: dict[str, dict[str, SharedParamEntry]] = field(default_factory=dict)
    entries: dict[str, list[ProductEntry]] = field(default_factory=dict)  # code -> versions
    problems: list[Problem] = field(default_factory=list)


def _load(path: Path, model: Any, state: _Loaded) -> tuple[SourceDocument, Any] | None:
    """A document validated by its model, or None with its problems recorded (loading goes on)."""
    try:
        source = load_document(path, _display(path))
        return source, validate_document(source, model)
    except ProductFactoryError as exc:
        state.problems.extend(exc.problems)
        return None


def is_root_pack(path: Path) -> bool:
    """A pack that stands alone (it brings the base data dictionary and depends on nothing)."""
    manifest = path / "pack.yaml"
    if not manifest.exists():
        return True
    try:
        data = load_document(manifest).data
    except ProductFactoryError:
        return False
    return isinstance(data, dict) and not data.get("depends_on")


class Catalog:
    def __init__(self, root: Path | None = None, packs: list[Path] | None = None):
        self.root = (root or default_root()).resolve()
        self.pack_paths = [self.root] + [p.resolve() for p in (packs or []) if p.resolve() != self.root]
        self._compiled: dict[str, CompiledProduct] = {}
        self._resolved: dict[tuple[str, str, date], LoadedProduct] = {}
        self._hashes: dict[tuple[str, str, date], str] = {}  # content_hash of each resolved product

    # ------------------------------------------------------------ loading every pack, once

    @cached_property
    def _cache_key(self) -> str | None:
        """The disk-cache key of these packs (see engine.documents.cache), or None when the cache is off."""
        if pack_cache.cache_dir() is None or not all(path.is_dir() for path in self.pack_paths):
            return None
        files = [f for root in self.pack_paths for f in [root / "pack.yaml", root / DICTIONARY_FILE] if f.is_file()]
        files += [f for root in self.pack_paths for folder in ("params", "rulesets", "products")
                  for f in sorted((root / folder).glob("*.yaml"))]
        return pack_cache.key(files, *map(str, self.pack_paths))

    @cached_property
    def _loaded(self) -> _Loaded:
        cached = pack_cache.load(self._cache_key) if self._cache_key else None
        if cached is not None:
            state, self._packs = cached
            return state
        state = self._load_packs()
        if self._cache_key:
            pack_cache.store(self._cache_key, (state, self._packs))
        return state

    def _load_packs(self) -> _Loaded:
        state = _Loaded()
        packs = [self._pack(path, state) for path in self.pack_paths]
        names: list[str] = []
        for pack in packs:
            if pack.manifest:
                for dependency in pack.manifest.depends_on:
                    if dependency not in names:
                        state.problems.append(pack.source.problem(("depends_on",), f"pack {pack.name!r} depends on "  # type: ignore[union-attr]
                                              f"{dependency!r}, which is not loaded before it", f"loaded: {', '.join(names) or 'none'}"))
            names.append(pack.name)
            self._load_dictionary(pack, state)
            self._load_shared(pack, state)
            self._load_rulesets(pack, state)
            self._load_products(pack, state)
        self._packs = packs
        self._check_versions(state)
        return state

    def _pack(self, path: Path, state: _Loaded) -> Pack:
        if not path.is_dir():
            raise UsageError(f"{_display(path)}: not a pack folder")
        manifest_file = path / "pack.yaml"
        if not manifest_file.exists():
            return Pack(path, None, None)
        try:
            source = load_document(manifest_file, _display(manifest_file))
            return Pack(path, validate_document(source, PackManifest), source)
        except ProductFactoryError as exc:
            state.problems.extend(exc.problems or [Problem(_display(manifest_file), None, None, (), exc.render())])
            return Pack(path, None, None)

    def _load_dictionary(self, pack: Pack, state: _Loaded) -> None:
        path = pack.root / DICTIONARY_FILE
        if not path.exists():
            if state.dictionary is None:
                state.problems.append(Problem(_display(path), None, None, (), "the first pack must have schemas/dictionary.yaml"))
            return
        loaded = _load(path, DataDictionary, state)
        if loaded is None:
            return
        source, extension = loaded
        if state.dictionary is None:
            state.dictionary = extension
            state.dictionary_sources = {p: source.file for p in extension.paths()}
            return
        # A later pack may add data sources and fields, never redefine one.
        sources = {name: dict(src.fields) for name, src in state.dictionary.sources.items()}
        descriptions = {name: src.description for name, src in state.dictionary.sources.items()}
        for name, src in extension.sources.items():
            descriptions.setdefault(name, src.description)
            for field_name, definition in src.fields.items():
                key = f"{name}.{field_name}"
                if key in state.dictionary_sources:
                    state.problems.append(source.problem(("sources", name, "fields", field_name),
                                                         f"field {key} is already defined in {state.dictionary_sources[key]}", key=True))
                    continue
                sources.setdefault(name, {})[field_name] = definition
                state.dictionary_sources[key] = source.file
        state.dictionary = DataDictionary.model_validate(
            {"sources": {n: {"description": descriptions[n], "fields": f} for n, f in sources.items()}})

    def _load_shared(self, pack: Pack, state: _Loaded) -> None:
        for path in pack.files("params"):
            loaded = _load(path, ParamGroupDoc, state)
            if loaded is None:
                continue
            source, group = loaded
            for name, param in group.params.items():
                # A later pack overrides a shared param on purpose: that is what the parameter centre is for.
                state.shared.setdefault(group.group, {})[name] = SharedParamEntry(group.group, name, param, source, pack)

    def _load_rulesets(self, pack: Pack, state: _Loaded) -> None:
        replaces = set(pack.manifest.replaces.rulesets) if pack.manifest else set()
        for path in pack.files("rulesets"):
            loaded = _load(path, RulesetDoc, state)
            if loaded is None:
                continue
            source, doc = loaded
            ruleset = LoadedRuleset(doc, source)
            code = ruleset.doc.code
            previous = state.ruleset_packs.get(code)
            if previous is not None and (previous is pack or code not in replaces):
                state.problems.append(source.problem(("code",), f"ruleset code {code!r} is already defined in {state.rulesets[code].source.file}",
                                                     None if previous is pack else "a later pack must list it under replaces.rulesets in pack.yaml"))
                continue
            state.ruleset_packs[code] = pack
            state.rulesets[code] = ruleset

    def _load_products(self, pack: Pack, state: _Loaded) -> None:
        replaces = set(pack.manifest.replaces.products) if pack.manifest else set()
        replaced: set[str] = set()
        for path in pack.files("products"):
            loaded = _load(path, ProductHeader, state)
            if loaded is None:
                continue
            source, header = loaded
            entry = ProductEntry(pack, source, header)
            versions = state.entries.get(header.code, [])
            earlier = [e for e in versions if e.pack is not pack]
            if earlier:
                if header.code not in replaces:
                    state.problems.append(source.problem(("code",), f"product code {header.code!r} is already defined in "
                                                         f"{earlier[0].source.file} (pack {earlier[0].pack.name!r})",
                                                         "to replace it, list it under replaces.products in pack.yaml; "
                                                         "to adapt it, give the variant its own code and extends: it"))
                    continue
                if header.code not in replaced:
                    versions = [e for e in versions if e.pack is pack]
                    replaced.add(header.code)
            duplicate = next((e for e in versions if e.version == header.version), None)
            if duplicate is not None:
                state.problems.append(source.problem(("version",), f"{header.code} version {header.version} is also defined in {duplicate.source.file}"))
                continue
            state.entries[header.code] = versions + [entry]

    def _check_versions(self, state: _Loaded) -> None:
        names: dict[str, str] = {}
        for code, versions in state.entries.items():
            versions.sort(key=lambda e: e.header.effective.from_)
            for before, after in zip(versions, versions[1:]):
                end = before.header.effective.to
                if end is None or end >= after.header.effective.from_:
                    state.problems.append(after.source.problem(("effective",), f"{after.label} is in force from "
                                          f"{after.header.effective.from_}, which overlaps {before.label} "
                                          f"({before.header.effective.from_} to {end or 'open-ended'}) in {before.source.file}"))
            for entry in versions:
                other = names.get(entry.header.name)
                if other is not None and other != code:
                    state.problems.append(entry.source.problem(("name",), f"product name {entry.header.name!r} is also used by {other}"))
                names[entry.header.name] = code

    # ------------------------------------------------------------ public surface

    @property
    def packs(self) -> list[Pack]:
        """The packs in layering order (loading them if needed)."""
        self._loaded
        return self._packs

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

    def shared_on(self, day: date) -> dict[str, dict[str, Any]]:
        """The parameter centre's values in force on day, by group."""
        # None marks a param not yet in force: the compiler reports it instead of calling it unknown.
        return {group: {name: entry.param.value_on(day) for name, entry in params.items()}
                for group, params in self._loaded.shared.items()}

    def shared_entries(self) -> dict[str, dict[str, SharedParamEntry]]:
        return self._loaded.shared

    def select(self, reference: str, on: date) -> ProductEntry:
        """The product version a reference means on a date: 'code', 'code@version' or the Chinese name."""
        loaded = self._loaded
        code, _, version = reference.partition("@")
        versions = loaded.entries.get(code)
        if versions is None:
            versions = next((v for v in loaded.entries.values() if any(e.header.name == code for e in v)), None)
        if versions is None:
            if loaded.problems:
                raise DocumentError(loaded.problems)
            known = [*loaded.entries, *{e.header.name for v in loaded.entries.values() for e in v}]
            hint = did_you_mean(code, known) or "run `pf list` to see the products"
            raise UnknownProductError(f"unknown product {code!r} ({hint})")
        if version:
            chosen = next((e for e in versions if e.version == version), None)
            if chosen is None:
                raise UnknownProductError(f"{versions[0].code} has no version {version!r} "
                                          f"(versions: {', '.join(e.version for e in versions)})")
            return chosen
        in_force = [e for e in versions if e.header.effective.covers(on)]
        if not in_force:
            ranges = "; ".join(f"{e.version}: {e.header.effective.from_} to {e.header.effective.to or 'open-ended'}" for e in versions)
            raise UsageError(f"{versions[0].code} has no version in force on {on.isoformat()} ({ranges})")
        return in_force[0]

    def resolve(self, entry: ProductEntry, on: date) -> LoadedProduct:
        """The effective product after inheritance, every part knowing the file it came from."""
        key = (entry.code, entry.version, on)
        if key not in self._resolved:
            cache_key = self._cache_key and f"{self._cache_key}-{entry.code}-{entry.version}-{on.isoformat()}"
            cached = pack_cache.load(cache_key) if cache_key else None
            if cached is None:
                document = self._resolve_document(entry, on, ())
                product = LoadedProduct(validate_document(document, ProductDoc), document)  # type: ignore[arg-type]
                cached = (product, content_hash(product, self.rulesets, self.shared_on(on)))
                if cache_key:
                    pack_cache.store(cache_key, cached)
            self._resolved[key], self._hashes[key] = cached
        return self._resolved[key]

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

    def compiled(self, reference: str, on: date | None = None) -> CompiledProduct:
        day = on or date.today()
        entry = self.select(reference, day)
        product = self.resolve(entry, day)
        shared = self.shared_on(day)
        digest = self._hashes[(entry.code, entry.version, day)]
        if digest not in self._compiled:
            self._compiled[digest] = compile_product(product, self.rulesets, self.dictionary, shared,
                                                     pack=entry.pack.name, content_hash=digest)
        return self._compiled[digest]

    def validate(self, analyse: bool = False) -> tuple[int, list[Problem]]:
        """Load and compile everything; return (documents checked, every problem found).
        With analyse, static-analysis findings (warnings, and overlapping 'unique' rows) are added."""
        from engine.authoring.analysis import analyse_product, analyse_ruleset
        from engine.authoring.testing import discover, load_test_file  # the test runner builds on the catalog

        try:
            loaded = self._loaded
        except UsageError as exc:
            return 0, [Problem("", None, None, (), exc.render(), code="PF004")]
        problems = ProblemCollector()
        problems.extend(_coded(loaded.problems, "PF004"))
        if loaded.dictionary is None:
            return len(self.pack_paths), problems.problems
        checked = 1 + len(loaded.rulesets) + sum(len(v) for v in loaded.entries.values())
        today = date.today()
        for ruleset in loaded.rulesets.values():
            rules, found = compile_ruleset(ruleset, loaded.dictionary, self.shared_on(today))
            problems.extend(_coded(found, "PF004"))
            if analyse and not found:
                problems.extend(analyse_ruleset(ruleset, [r for r in rules if r is not None], loaded.dictionary))
        for entry in self.entries():
            day = entry.header.effective.from_
            try:
                product = self.resolve(entry, day)
                shared = self.shared_on(day)
                compiled = compile_product(product, loaded.rulesets, loaded.dictionary, shared, pack=entry.pack.name,
                                           content_hash=content_hash(product, loaded.rulesets, shared))
            except DocumentError as exc:
                problems.extend(_coded(exc.problems or [Problem(entry.source.file, None, None, (), exc.render())], "PF002"))
                problems.extend(_coded(problems_behind_schema_errors(  # the compile problems the schema errors would hide
                    lambda: self._resolve_document(entry, day, ()), loaded.rulesets, loaded.dictionary, self.shared_on(day)), "PF004"))
                continue
            except ProductFactoryError as exc:
                problems.extend(_coded(exc.problems or [Problem(entry.source.file, None, None, (), exc.render())], "PF004"))
                continue
            if analyse:
                problems.extend(analyse_product(compiled, product, loaded.dictionary, day))
        for path in discover([p.root for p in self.packs]):
            if not path.name.endswith(".tests.yaml"):
                continue  # test cases inside a product file were validated with the product
            checked += 1
            try:
                load_test_file(path, _display(path))
            except ProductFactoryError as exc:
                problems.extend(_coded(exc.problems, "PF002"))
        unique = list(dict.fromkeys(problems.problems))
        return checked, unique


def _coded(problems: list[Problem], default: str) -> list[Problem]:
    return [p if p.code else replace(p, code=default) for p in problems]


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
