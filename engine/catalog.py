"""The built-in pack: the data dictionary, rulesets and products under one root folder.

Files are read only when asked for, and a product is compiled only when it is used, so that
`pf evaluate` on one product stays fast from a cold start.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

from engine.compile import check_ruleset, compile_product
from engine.compiled import CompiledProduct
from engine.documents import LoadedDictionary, LoadedProduct, LoadedRuleset, load_dictionary, load_product, load_ruleset
from engine.errors import DocumentError, Problem, ProductFactoryError, UnknownProductError, did_you_mean
from engine.models import DataDictionary

DICTIONARY_FILE = Path("schemas") / "dictionary.yaml"


def default_root() -> Path:
    return Path(__file__).resolve().parent.parent


class Catalog:
    def __init__(self, root: Path | None = None):
        self.root = (root or default_root()).resolve()
        self._compiled: dict[str, CompiledProduct] = {}

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def _files(self, folder: str) -> list[Path]:
        directory = self.root / folder
        return sorted(p for p in directory.glob("*.yaml") if not p.name.endswith(".tests.yaml")) if directory.is_dir() else []

    @cached_property
    def loaded_dictionary(self) -> LoadedDictionary:
        return load_dictionary(self.root / DICTIONARY_FILE, self.display(self.root / DICTIONARY_FILE))

    @property
    def dictionary(self) -> DataDictionary:
        return self.loaded_dictionary.doc

    @cached_property
    def rulesets(self) -> dict[str, LoadedRuleset]:
        return _index(self._files("rulesets"), lambda p: load_ruleset(p, self.display(p)), "ruleset")

    @cached_property
    def _product_index(self) -> tuple[dict[str, LoadedProduct], list[Problem]]:
        """Every product that loads, and the problems of those that do not."""
        products: dict[str, LoadedProduct] = {}
        names: dict[str, LoadedProduct] = {}
        problems: list[Problem] = []
        for path in self._files("products"):
            try:
                product = load_product(path, self.display(path))
            except ProductFactoryError as exc:
                problems.extend(exc.problems or [Problem(self.display(path), None, None, (), exc.render())])
                continue
            doc = product.doc
            for key, index, what in ((doc.code, products, "code"), (doc.name, names, "name")):
                if key in index:
                    problems.append(product.source.problem((what,), f"product {what} {key!r} is also used by {index[key].source.file}"))
            if doc.code not in products and doc.name not in names:
                products[doc.code] = product
                names[doc.name] = product
        return products, problems

    @property
    def products(self) -> dict[str, LoadedProduct]:
        """All products; raises if any product file is broken (use find() to reach a sound one)."""
        products, problems = self._product_index
        if problems:
            raise DocumentError(problems)
        return products

    def find(self, reference: str) -> LoadedProduct:
        """A product by code or name. A broken sibling file does not block a sound product."""
        products, problems = self._product_index
        if reference in products:
            return products[reference]
        for product in products.values():
            if product.doc.name == reference:
                return product
        if problems:
            raise DocumentError(problems)
        known = [*products, *(p.doc.name for p in products.values())]
        hint = did_you_mean(reference, known) or "run `pf list` to see the products"
        raise UnknownProductError(f"unknown product {reference!r} ({hint})")

    def compiled(self, reference: str) -> CompiledProduct:
        product = self.find(reference)
        code = product.doc.code
        if code not in self._compiled:
            self._compiled[code] = compile_product(product, self.rulesets, self.dictionary)
        return self._compiled[code]

    def validate(self) -> tuple[int, list[Problem]]:
        """Load and compile everything; return (documents checked, every problem found)."""
        problems: list[Problem] = []
        checked = 0
        try:
            dictionary = self.dictionary
            checked += 1
        except ProductFactoryError as exc:
            return 1, exc.problems or [Problem(str(DICTIONARY_FILE), None, None, (), exc.render())]
        rulesets: dict[str, LoadedRuleset] = {}
        for path in self._files("rulesets"):
            checked += 1
            try:
                ruleset = load_ruleset(path, self.display(path))
            except ProductFactoryError as exc:
                problems.extend(exc.problems)
                continue
            problems.extend(check_ruleset(ruleset, dictionary))
            if ruleset.doc.code in rulesets:
                problems.append(ruleset.source.problem(("code",), f"ruleset code {ruleset.doc.code!r} is also used by {rulesets[ruleset.doc.code].source.file}"))
            rulesets[ruleset.doc.code] = ruleset
        codes: dict[str, str] = {}
        for path in self._files("products"):
            checked += 1
            try:
                product = load_product(path, self.display(path))
            except ProductFactoryError as exc:
                problems.extend(exc.problems)
                continue
            if product.doc.code in codes:
                problems.append(product.source.problem(("code",), f"product code {product.doc.code!r} is also used by {codes[product.doc.code]}"))
            codes[product.doc.code] = product.source.file
            try:
                compile_product(product, rulesets, dictionary)
            except ProductFactoryError as exc:
                problems.extend(exc.problems)
        return checked, problems


def _index(paths: list[Path], load, kind: str) -> dict:
    items: dict = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            item = load(path)
        except ProductFactoryError as exc:
            problems.extend(exc.problems or [Problem(str(path), None, None, (), exc.render())])
            continue
        code = item.doc.code
        if code in items:
            problems.append(item.source.problem(("code",), f"{kind} code {code!r} is also used by {items[code].source.file}"))
            continue
        items[code] = item
    if problems:
        raise DocumentError(problems)
    return items
