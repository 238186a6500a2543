"""Where a pack's files come from: a folder on disk, or a mapping of relative paths to text in memory.

The catalog reads every pack only through a PackLoader, so tests and services can build catalogs
without touching the filesystem. Relative paths use '/' whatever the platform ('products/x.yaml').
A pack's documents are the `*.yaml` and `*.yml` files of a folder (both spellings are read; hidden files,
whose names start with '.', are not). Every entry with such a name is listed, a folder or a pipe too, so
that reading it reports it rather than the pack silently missing it.
Error messages name a file by `display(relative)`: the path relative to the working directory for a
folder, and a stable pseudo-path '<label>/products/x.yaml' for a memory pack.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Mapping, Protocol, runtime_checkable

from engine.core.errors import DocumentError
from engine.documents.source import SourceDocument, load_document, parse_text

DOCUMENT_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".tests.yaml", ".tests.yml")


def is_document_name(name: str) -> bool:
    return name.lower().endswith(DOCUMENT_SUFFIXES) and not name.startswith(".")


def is_test_file(name: str) -> bool:
    """A separate test file (products/<code>.tests.yaml or .tests.yml)."""
    return name.lower().endswith(TEST_SUFFIXES)


def document_stem(name: str) -> str:
    """'x.tests.yaml' -> 'x', 'x.yml' -> 'x'."""
    lowered = name.lower()
    for suffix in TEST_SUFFIXES + DOCUMENT_SUFFIXES:
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def document_files(folder: Path) -> list[Path]:
    """The documents of a folder on disk, sorted by name; [] when it is not a folder or cannot be listed."""
    try:
        return sorted((folder / name for name in os.listdir(folder) if is_document_name(name)), key=lambda p: p.name)
    except OSError:
        return []


@runtime_checkable
class PackLoader(Protocol):
    @property
    def label(self) -> str:
        """The pack's name when it has no pack.yaml (a folder's name, a memory pack's label)."""
        ...

    @property
    def root(self) -> Path | None:
        """The folder the pack lives in, or None for a pack that is not on disk."""
        ...

    def exists(self, relative: str) -> bool: ...

    def files(self, folder: str) -> list[str]:
        """The relative paths of the documents (*.yaml, *.yml) directly inside folder, sorted; [] if there is none."""
        ...

    def read_text(self, relative: str) -> str: ...

    def display(self, relative: str) -> str:
        """How problems name the file (the file need not exist)."""
        ...


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_source(loader: PackLoader, relative: str) -> SourceDocument:
    """Read and parse one document of a pack; DocumentError with file:line:col when it is malformed."""
    if isinstance(loader, FolderLoader):  # keeps the file-system messages (not found, not UTF-8, ...)
        return load_document(loader.path(relative), loader.display(relative))
    name = loader.display(relative)
    try:
        text = loader.read_text(relative)
    except FileNotFoundError:
        raise DocumentError(f"{name}: file not found") from None
    return parse_text(text, name, as_json=relative.lower().endswith(".json"))


class FolderLoader:
    """A pack folder on disk."""

    def __init__(self, root: Path | str):
        self._root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"FolderLoader({str(self._root)!r})"

    @property
    def label(self) -> str:
        return self._root.name

    @property
    def root(self) -> Path:
        return self._root

    def path(self, relative: str) -> Path:
        return self._root.joinpath(*PurePosixPath(relative).parts)

    def exists(self, relative: str) -> bool:
        return self.path(relative).exists()

    def files(self, folder: str) -> list[str]:
        return [f"{folder}/{p.name}" for p in document_files(self.path(folder))]

    def read_text(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def display(self, relative: str) -> str:
        return display_path(self.path(relative))


class MemoryLoader:
    """A pack held in memory: relative path ('products/x.yaml') -> the file's text."""

    def __init__(self, files: Mapping[str, str], label: str = "memory"):
        self._files = {str(PurePosixPath(k.replace(os.sep, "/"))): v for k, v in files.items()}
        self._label = label

    def __repr__(self) -> str:
        return f"MemoryLoader({self._label!r}, {len(self._files)} files)"

    @property
    def label(self) -> str:
        return self._label

    @property
    def root(self) -> None:
        return None

    def exists(self, relative: str) -> bool:
        return relative in self._files

    def files(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return sorted(k for k in self._files if k.startswith(prefix) and "/" not in k[len(prefix):]
                      and is_document_name(k[len(prefix):]))

    def read_text(self, relative: str) -> str:
        try:
            return self._files[relative]
        except KeyError:
            raise FileNotFoundError(relative) from None

    def display(self, relative: str) -> str:
        return f"<{self._label}>/{relative}"


def loader_for(pack: PackLoader | Path | str) -> PackLoader:
    """A loader as given, or a FolderLoader for a path."""
    return FolderLoader(pack) if isinstance(pack, (str, Path)) else pack
