"""Document templates in packs: `templates/<name>.html.j2`, layered like products.

A later pack's template of the same name replaces an earlier pack's (a bank's 拒绝通知书 over the
provincial one); the replaced ones are kept as provenance. Templates run in Jinja2's sandbox with
StrictUndefined (a missing variable is an error, never a blank) and HTML autoescape. A syntax error or
an undefined variable is a TemplateError naming the template file, the line and the variable (exit 2).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from engine.core.errors import ProductFactoryError, did_you_mean
from engine.documents.loaders import PackLoader
from engine.paperwork.filters import FILTERS

FOLDER = "templates"
SUFFIX = ".html.j2"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# The built-in documents, and the Chinese titles a user may type instead of the file name.
BUILTIN = {"approval-notice": "审批通知书", "decline-notice": "拒绝通知书", "offer-sheet": "还款计划表", "loan-contract": "借款合同要素"}
ALIASES = {title: name for name, title in BUILTIN.items()}


class TemplateError(ProductFactoryError):
    """A template that cannot be found, parsed or rendered (exit 2)."""


def _located(file: str, line: int | None, message: str, hint: str | None = None) -> TemplateError:
    """file:line: message (hint) -- a template has no document path, only its lines."""
    where = f"{file}:{line}" if line is not None else file
    return TemplateError(f"{where}: {message}" + (f" ({hint})" if hint else ""))


@dataclass(frozen=True)
class TemplateSource:
    """One template file as found: its pack, how errors name it, its text and the text's SHA-256."""

    name: str
    pack: str
    file: str
    text: str
    replaces: tuple[str, ...] = field(default=())  # "pack: file" of the templates it shadows, earliest first

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class PackTemplates:
    """The templates of packs in layering order (name → the last pack's file), and one sandbox to run them."""

    def __init__(self, packs: list[tuple[str, PackLoader]]):
        self.packs = packs
        self._found: dict[str, TemplateSource | None] = {}
        self.environment = SandboxedEnvironment(
            loader=jinja2.FunctionLoader(self._load), undefined=jinja2.StrictUndefined, autoescape=True,
            trim_blocks=True, lstrip_blocks=True, auto_reload=False, cache_size=400)
        self.environment.filters.update(FILTERS)

    def find(self, name: str) -> TemplateSource | None:
        """The template a name means (a file name without .html.j2, or a built-in document's Chinese title)."""
        name = ALIASES.get(name, name)
        if name.endswith(SUFFIX):
            name = name[: -len(SUFFIX)]
        if name not in self._found:
            self._found[name] = self._search(name)
        return self._found[name]

    def _search(self, name: str) -> TemplateSource | None:
        relative = f"{FOLDER}/{name}{SUFFIX}"
        hits = [(pack, loader) for pack, loader in self.packs if loader.exists(relative)]
        if not hits:
            return None
        pack, loader = hits[-1]
        try:
            text = loader.read_text(relative)
        except (OSError, UnicodeDecodeError) as exc:
            raise _located(loader.display(relative), None, f"cannot read the template: {exc}") from None
        return TemplateSource(name, pack, loader.display(relative), text,
                              tuple(f"{p}: {ld.display(relative)}" for p, ld in hits[:-1]))

    def names(self) -> list[str]:
        """Every template name any pack has (for did-you-mean and listings)."""
        found: set[str] = set()
        for _, loader in self.packs:
            if loader.root is not None and (loader.root / FOLDER).is_dir():
                found |= {p.name[: -len(SUFFIX)] for p in (loader.root / FOLDER).iterdir() if p.name.endswith(SUFFIX)}
        return sorted(found | {n for n in BUILTIN if self.find(n) is not None})

    def _load(self, name: str) -> tuple[str, str, Callable[[], bool]] | None:
        source = self.find(name)
        if source is None:
            return None
        return source.text, source.file, lambda: True

    def require(self, name: str) -> TemplateSource:
        source = self.find(name)
        if source is None or not NAME.match(ALIASES.get(name, name).removesuffix(SUFFIX)):
            hint = did_you_mean(name, self.names() + list(ALIASES))
            raise TemplateError(f"no template {name!r} in {FOLDER}/ of any pack (built-in documents: "
                                f"{', '.join(f'{n} ({t})' for n, t in BUILTIN.items())})" + (f"; {hint}" if hint else ""))
        return source

    def compile(self, name: str) -> jinja2.Template:
        """The compiled template (parsed once, then cached by the environment)."""
        source = self.require(name)
        try:
            return self.environment.get_template(source.name + SUFFIX)
        except jinja2.TemplateSyntaxError as exc:
            raise _located(exc.filename or source.file, exc.lineno, f"template syntax error: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise _located(source.file, None, f"it includes or extends {exc.name!r}, which no pack has") from None

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        template = self.compile(name)
        try:
            return template.render(context)
        except jinja2.UndefinedError as exc:
            file, line = _template_frame(exc.__traceback__, self)
            variable = _variable(str(exc))
            raise _located(file or self.require(name).file, line, f"undefined variable {variable}: {exc}",
                           _hint(variable, context)) from None
        except jinja2.TemplateSyntaxError as exc:
            raise _located(exc.filename or name, exc.lineno, f"template syntax error: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise _located(self.require(name).file, None, f"it includes {exc.name!r}, which no pack has") from None
        except (jinja2.sandbox.SecurityError, TypeError, ValueError, ArithmeticError) as exc:
            # a filter given a wrong value (a float amount, a negative amount in capitals) or an unsafe access
            file, line = _template_frame(exc.__traceback__, self)
            raise _located(file or self.require(name).file, line, f"cannot render: {exc}") from None


def _template_frame(tb: TracebackType | None, templates: PackTemplates) -> tuple[str | None, int | None]:
    """The innermost traceback frame that runs template code: Jinja maps its line to the template's own line."""
    files = {s.file for s in templates._found.values() if s is not None}
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in files:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _variable(message: str) -> str:
    """'x' is undefined → x; 'Decision object' has no attribute 'y' → y."""
    match = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    return match.group(1) if match else message


def _hint(variable: str, context: Mapping[str, Any]) -> str | None:
    return did_you_mean(variable, context.keys()) or "the variables are listed in docs/documents.md"


def templates_of(catalog: Any) -> PackTemplates:
    """The templates of a catalog's packs, cached on the catalog (compiled once per process)."""
    cached = getattr(catalog, "_paperwork_templates", None)
    if cached is None:
        cached = PackTemplates([(pack.name, pack.loader) for pack in catalog.packs])
        catalog._paperwork_templates = cached
    return cached
