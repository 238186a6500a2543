"""The import graph follows the pipeline: a module imports only from its own stage or an earlier one,
and there are no import cycles. Function-level (lazy) imports count too."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"

# Earlier stages first. A package not listed here is an error: every module has a stage.
STAGES = [
    "core", "finance", "documents", "expressions", "resolve", "compile", "catalog", "evaluate", "results",
    "drawdown", "batch", "sql", "paperwork", "authoring", "store", "ledger", "lines", "service", "api", "commands",
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    if module == "engine":
        return "api"
    if parts[0] == "cli":
        return "commands"
    return parts[1]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "engine"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "engine":
            found.add(node.module)
            # `from engine.x import y` may import the module engine.x.y
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if candidate in MODULES:
                    found.add(candidate)
    return found


FILES = sorted(ENGINE.rglob("*.py")) + [ROOT / "cli.py"]
MODULES = {module_name(p): p for p in FILES}
GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def test_every_module_has_a_stage() -> None:
    unknown = sorted(m for m in MODULES if stage_of(m) not in STAGES)
    assert not unknown, f"modules outside every stage: {unknown}"


def test_no_import_runs_against_the_pipeline() -> None:
    against = []
    for module, imported in GRAPH.items():
        for target in imported:
            if target == "engine" or target not in MODULES:
                continue
            if STAGES.index(stage_of(target)) > STAGES.index(stage_of(module)):
                against.append(f"{module} ({stage_of(module)}) imports {target} ({stage_of(target)})")
    assert not against, "\n".join(sorted(against))


def test_no_import_cycles() -> None:
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, stack: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH.get(module, ())):
            if target not in MODULES:
                continue
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, stack + [target])
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])
    # A package's __init__ re-exporting its own modules is not a cycle of concern.
    real = [c for c in cycles if not all(m.startswith(c[0].rsplit(".", 1)[0]) for m in c) or len({*c}) > 2]
    assert not real, "\n".join(" -> ".join(c) for c in real)


def test_modules_stay_small() -> None:
    large = sorted(f"{m}: {n} lines" for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420)
    assert not large, "split these modules (one job each, ~400 lines):\n" + "\n".join(large)
