"""Every backend handles every kind of IR it may be given: expression node kinds, functions of the
library, product steps and check kinds. Adding a kind without teaching each backend fails here."""
from __future__ import annotations

import dataclasses
import inspect

import pytest

from engine.batch import plan as columnar_plan
from engine.batch.columnar import ColumnarCompiler
from engine.compile import ir, reasons
from engine.evaluate import interpreter
from engine.expressions import nodes as n
from engine.expressions.compiler import SourceGenerator
from engine.expressions.functions import FUNCTIONS
from engine.expressions.runtime import RUNTIME_NAMESPACE

NODE_KINDS = [c for _, c in inspect.getmembers(n, inspect.isclass) if issubclass(c, n.Node) and c is not n.Node]
SPECIAL_FUNCTIONS = {"has", "coalesce"}  # compiled inline by every backend


@pytest.mark.parametrize("kind", NODE_KINDS, ids=lambda c: c.__name__)
def test_every_node_kind_has_a_row_and_a_columnar_compiler(kind: type) -> None:
    assert hasattr(SourceGenerator, f"gen_{kind.__name__}"), f"the row compiler cannot compile {kind.__name__}"
    assert hasattr(ColumnarCompiler, f"c_{kind.__name__}"), f"the columnar compiler cannot compile {kind.__name__}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_has_a_row_and_a_columnar_implementation(name: str) -> None:
    spec = FUNCTIONS[name]
    if name in SPECIAL_FUNCTIONS:
        assert spec.runtime is None
        return
    assert spec.runtime in RUNTIME_NAMESPACE, f"{name}() has no row-path helper"
    assert hasattr(ColumnarCompiler, f"f_{name}"), f"{name}() has no columnar implementation"


@pytest.mark.parametrize("backend", [interpreter.HANDLERS, columnar_plan.HANDLERS], ids=["row", "columnar"])
def test_every_step_kind_has_a_handler(backend: dict) -> None:
    assert set(backend) == set(ir.STEP_KINDS)


def test_step_kinds_are_the_steps_of_the_ir() -> None:
    assert set(ir.Step.__args__) == set(ir.STEP_KINDS)  # type: ignore[attr-defined]


def test_every_check_kind_is_built_once() -> None:
    """Rules come from documents; every other check kind has exactly one factory in engine.compile.reasons."""
    made = set()
    for name, factory in inspect.getmembers(reasons, inspect.isfunction):
        if name.startswith("_") or factory.__module__ != reasons.__name__:
            continue
        source = inspect.getsource(factory)
        made |= {kind for kind in ir.CHECK_KINDS if f'"{kind}"' in source}
    assert made | {"rule"} == set(ir.CHECK_KINDS)
    assert set(reasons.BUILT_IN_KINDS) | {"rule"} == set(ir.CHECK_KINDS)


def test_checks_of_a_product_cover_every_finding(catalog) -> None:
    """The IR's check list names every IR entry reachable from the product's steps, each once."""
    for code in ("shuiqitong-xw", "fangdidai-xw", "yangguang-e-xw", "yiqitong"):
        product = catalog.compiled(code, pytest.importorskip("datetime").date(2026, 11, 25))
        found = []
        for step in product.steps:
            for value in _walk(step):
                if isinstance(value, ir.Check):
                    found.append(value)
        assert {id(c) for c in found} == {id(c) for c in product.checks}, code
        assert len({id(c) for c in product.checks}) == len(product.checks)


def _walk(value, seen=None):
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, ir.Check):
        yield value
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), seen)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _walk(item, seen)
