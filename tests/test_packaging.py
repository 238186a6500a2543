"""The wheel carries the built-in pack: setup.py copies a fixed list of folders into engine/builtin/, and
engine.core.paths finds them there or, in a checkout, at the top level. These checks run without building a
wheel (.ci/run builds and installs one); they catch a built-in file the list would leave out."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from engine.core.paths import builtin_root, templates_dir

ROOT = Path(__file__).resolve().parent.parent


def shipped() -> list[str]:
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("BUILTIN_FILES", "BUILTIN_FOLDERS") for t in node.targets):
            names += ast.literal_eval(node.value)
    return names


def test_a_checkout_reads_its_own_top_level_pack() -> None:
    assert builtin_root() == ROOT
    assert (templates_dir() / "batch_report.html.j2").is_file()


def test_the_wheel_ships_every_folder_of_the_built_in_pack() -> None:
    names = shipped()
    for needed in ("pack.yaml", "products", "rulesets", "schemas", "params", "templates"):
        assert needed in names
        assert (ROOT / needed).exists()


def test_files_the_product_tests_read_are_shipped_too() -> None:
    names = shipped()
    for tests in sorted((ROOT / "products").glob("*.tests.yaml")):
        for reference in re.findall(r"\.\./[\w./-]+", tests.read_text(encoding="utf-8")):
            target = (tests.parent / reference).resolve()
            relative = target.relative_to(ROOT).as_posix()
            assert any(relative == n or relative.startswith(n + "/") for n in names), f"{tests.name}: {reference} is not in the wheel"
