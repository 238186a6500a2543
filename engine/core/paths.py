"""Where the built-in pack (pack.yaml, products/, rulesets/, schemas/, params/, templates/) is found.

The repository keeps those folders at its top level, as the design card lays them out. A wheel cannot
install top-level folders next to site-packages, so the build copies them into the package as
`engine/builtin/` (setup.py). A source checkout or an editable install has no such copy and reads the
top-level folders themselves. Every caller asks here, so both kinds of install find the same files.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

MANIFEST = "pack.yaml"


def builtin_root() -> Path:
    """The built-in pack's folder: the packaged copy when installed from a wheel, else the checkout."""
    packaged = Path(str(resources.files("engine").joinpath("builtin")))
    if (packaged / MANIFEST).is_file():
        return packaged
    return Path(__file__).resolve().parents[2]


def templates_dir() -> Path:
    return builtin_root() / "templates"
