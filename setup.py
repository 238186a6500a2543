"""Build hook: the built-in pack ships inside the wheel as engine/builtin/.

The repository keeps the built-in pack's folders at its top level (the design card's layout); a wheel
can only carry files inside its packages, so build_py copies them in. Editable installs skip the copy:
engine.core.paths.builtin_root() then reads the checkout itself. Everything else is in pyproject.toml.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUILTIN_FILES = ["pack.yaml"]
# products/*.tests.yaml read their applicants from ../examples/applicants, so `pf test` needs those too.
BUILTIN_FOLDERS = ["products", "rulesets", "schemas", "params", "templates", "examples/applicants"]
HERE = Path(__file__).resolve().parent


class build_py_with_builtin_pack(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "engine" / "builtin"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in BUILTIN_FILES:
            shutil.copy2(HERE / name, target / name)
        for name in BUILTIN_FOLDERS:
            shutil.copytree(HERE / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": build_py_with_builtin_pack})
