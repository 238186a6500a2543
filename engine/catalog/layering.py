"""Packs layered in order: the data dictionary, the parameter centre, rulesets and products.

A later pack adds data sources and fields (never redefines one), overrides shared params (that is
what the parameter centre is for), and never silently shadows a product or ruleset code: its
pack.yaml must list the code under `replaces`. Every file is read through the pack's loader.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.core.errors import Problem, ProductFactoryError, UsageError
from engine.documents.loaded import LoadedRuleset
from engine.documents.loaders import FolderLoader, PackLoader, display_path, is_test_file, load_source
from engine.documents.models import DataDictionary, RulesetDoc
from engine.documents.packs import (
    PackManifest,
    ParamGroupDoc,
    ProductHeader,
    SharedParam,
)
from engine.documents.source import SourceDocument
from engine.documents.validation import validate_document

DICTIONARY_FILE = "schemas/dictionary.yaml"
MANIFEST_FILE = "pack.yaml"


@dataclass
class Pack:
    loader: PackLoader
    manifest: PackManifest | None
    source: SourceDocument | None

    @property
    def root(self) -> Path | None:
        return self.loader.root

    @property
    def name(self) -> str:
        return self.manifest.name if self.manifest else self.loader.label

    @property
    def version(self) -> str:
        return self.manifest.version if self.manifest else "-"

    def files(self, folder: str) -> list[str]:
        """The documents of a folder (relative paths); test files are not documents of the catalog."""
        return [f for f in self.loader.files(folder) if not is_test_file(f)]


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
class LoadedPacks:
    """Everything the packs declare, layered, with the problems found while reading them."""

    packs: list[Pack] = field(default_factory=list)
    dictionary: DataDictionary | None = None
    dictionary_sources: dict[str, str] = field(default_factory=dict)  # 'source.field' -> file
    rulesets: dict[str, LoadedRuleset] = field(default_factory=dict)
    ruleset_packs: dict[str, Pack] = field(default_factory=dict)
    shared: dict[str, dict[str, SharedParamEntry]] = field(default_factory=dict)  # every pack's params, last wins
    # The params each pack's products read: the first pack's, its depends_on packs', then its own (never a sibling's).
    scoped: dict[str, dict[str, dict[str, SharedParamEntry]]] = field(default_factory=dict)
    entries: dict[str, list[ProductEntry]] = field(default_factory=dict)  # code -> versions
    problems: list[Problem] = field(default_factory=list)


def load_packs(loaders: list[PackLoader]) -> LoadedPacks:
    """Read every pack in order (product versions are checked afterwards, see versions.py)."""
    state = LoadedPacks()
    packs = [_pack(loader, state) for loader in loaders]
    names: list[str] = []
    for pack in packs:
        if pack.manifest:
            for dependency in pack.manifest.depends_on:
                if dependency not in names:
                    state.problems.append(pack.source.problem(("depends_on",), f"pack {pack.name!r} depends on "  # type: ignore[union-attr]
                                          f"{dependency!r}, which is not loaded before it", f"loaded: {', '.join(names) or 'none'}"))
        names.append(pack.name)
        _load_dictionary(pack, state)
        _load_shared(pack, state, names)
        _load_rulesets(pack, state)
        _load_products(pack, state)
    state.packs = packs
    return state


def _load(loader: PackLoader, relative: str, model: Any, state: LoadedPacks) -> tuple[SourceDocument, Any] | None:
    """A document validated by its model, or None with its problems recorded (loading goes on)."""
    try:
        source = load_source(loader, relative)
        return source, validate_document(source, model)
    except ProductFactoryError as exc:
        # An error without a located problem still names the file: a document is never silently dropped.
        state.problems.extend(exc.problems or [Problem(loader.display(relative), None, None, (), exc.render())])
        return None


def _pack(loader: PackLoader, state: LoadedPacks) -> Pack:
    if isinstance(loader, FolderLoader) and not loader.root.is_dir():
        raise UsageError(f"{display_path(loader.root)}: not a pack folder")
    if not loader.exists(MANIFEST_FILE):
        return Pack(loader, None, None)
    try:
        source = load_source(loader, MANIFEST_FILE)
        return Pack(loader, validate_document(source, PackManifest), source)
    except ProductFactoryError as exc:
        state.problems.extend(exc.problems or [Problem(loader.display(MANIFEST_FILE), None, None, (), exc.render())])
        return Pack(loader, None, None)


def _load_dictionary(pack: Pack, state: LoadedPacks) -> None:
    if not pack.loader.exists(DICTIONARY_FILE):
        if state.dictionary is None:
            state.problems.append(Problem(pack.loader.display(DICTIONARY_FILE), None, None, (),
                                          "the first pack must have schemas/dictionary.yaml"))
        return
    loaded = _load(pack.loader, DICTIONARY_FILE, DataDictionary, state)
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


def _load_shared(pack: Pack, state: LoadedPacks, loaded_before: list[str]) -> None:
    # A pack sees the first (base) pack's params and those of the packs it names in depends_on, in that order.
    inherited = loaded_before[:1] + [d for d in (pack.manifest.depends_on if pack.manifest else []) if d in state.scoped]
    view: dict[str, dict[str, SharedParamEntry]] = {}
    for name in dict.fromkeys(inherited):
        for group_name, params in state.scoped.get(name, {}).items():
            view.setdefault(group_name, {}).update(params)
    state.scoped[pack.name] = view
    for relative in pack.files("params"):
        loaded = _load(pack.loader, relative, ParamGroupDoc, state)
        if loaded is None:
            continue
        source, group = loaded
        for name, param in group.params.items():
            # A later pack overrides a shared param on purpose: that is what the parameter centre is for.
            entry = SharedParamEntry(group.group, name, param, source, pack)
            state.shared.setdefault(group.group, {})[name] = entry
            view.setdefault(group.group, {})[name] = entry


def _load_rulesets(pack: Pack, state: LoadedPacks) -> None:
    replaces = set(pack.manifest.replaces.rulesets) if pack.manifest else set()
    for relative in pack.files("rulesets"):
        loaded = _load(pack.loader, relative, RulesetDoc, state)
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


def _load_products(pack: Pack, state: LoadedPacks) -> None:
    replaces = set(pack.manifest.replaces.products) if pack.manifest else set()
    replaced: set[str] = set()
    for relative in pack.files("products"):
        loaded = _load(pack.loader, relative, ProductHeader, state)
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
