"""A disk cache of loaded packs, so that a cold `pf evaluate` does not parse and validate every YAML file again.

An entry is keyed by a hash of the content of every file the loader reads, the engine's own source, the
Python version, the working directory (messages name files relative to it) and the caller's extra parts:
any change to any of them is a different key, so an entry is never stale, only unused. Entries are pickles
written atomically (a temporary file renamed into place), so concurrent processes never read half an entry;
an unreadable entry is ignored. The folder is PF_CACHE_DIR, else $XDG_CACHE_HOME/product-factory, else
~/.cache/product-factory; PF_NO_CACHE=1 turns the cache off. Like any pickle, an entry is trusted as much
as the user's own files: it lives in the user's own cache folder.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from engine.core.env import env_flag
from engine.core.limits import LIMITS

ENGINE = Path(__file__).resolve().parent.parent
KEEP = 1024  # entries kept (a large pack resolves hundreds of products); the oldest go when there are more


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is off."""
    if env_flag("PF_NO_CACHE"):
        return None
    explicit = os.environ.get("PF_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "product-factory"


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """The engine's version as far as cached objects care: its source files' content and the Python version."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(ENGINE.rglob("*.py")):
        digest.update(str(path.relative_to(ENGINE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def key(files: Iterable[Path], *parts: str) -> str | None:
    """The key of an entry built from these files (read in full) and parts; None (do not cache) when a file is
    not a regular file, cannot be read or is over the document limit: loading reports that file, and a pipe
    or a huge file is never read here."""
    digest = hashlib.sha256(engine_fingerprint().encode())
    digest.update(os.getcwd().encode() + b"\0")
    for part in parts:
        digest.update(part.encode() + b"\0")
    for path in files:
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > LIMITS.document_bytes:
                return None
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            return None
    return digest.hexdigest()[:32]


def load(entry: str) -> Any | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{entry}.pickle", "rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, truncated by a full disk, written by another version: just rebuild
        return None


def store(entry: str, value: Any) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{entry}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, folder / f"{entry}.pickle")  # atomic: readers see the old entry or the new one
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        _prune(folder)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # a read-only or full cache folder only costs speed


def _prune(folder: Path) -> None:
    entries = [e.path for e in os.scandir(folder) if e.name.endswith(".pickle")]
    if len(entries) <= KEEP:
        return  # the common case costs one directory listing, not a stat of every entry
    entries.sort(key=lambda p: os.stat(p).st_mtime_ns)
    for old in entries[:-KEEP]:
        try:
            os.unlink(old)
        except OSError:
            pass
