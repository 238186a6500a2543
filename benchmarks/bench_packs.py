"""Benchmark: loading and compiling packs from a cold start (not a test).

1. The built-in pack plus the example packs: every product version resolved and compiled, in a
   fresh process each time (median of 5).
2. A generated pack of 200 products (50 base products, each with a bank variant, a branch variant
   of that, and a second version), written to a temporary folder, loaded and compiled (median of 3).

    python benchmarks/bench_packs.py
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PACKS = sorted(p for p in (ROOT / "examples" / "packs").glob("*") if (p / "pack.yaml").exists())

LOAD_ALL = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from engine.authoring.validate import validate_catalog
from engine.catalog import Catalog
catalog = Catalog(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
checked, problems = validate_catalog(catalog)
assert not problems, [p.render() for p in problems][:5]
print(checked, time.perf_counter() - started)
"""


def cold(root: Path, packs: list[Path]) -> tuple[int, float, float]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", LOAD_ALL, str(root), *map(str, packs)], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), time.perf_counter() - started


def generate(folder: Path, bases: int = 50) -> int:
    """Copies of the built-in products under new codes, each with a variant chain and a second version."""
    import shutil

    for sub in ("schemas", "rulesets", "params"):
        shutil.copytree(ROOT / sub, folder / sub)
    (folder / "products").mkdir()
    sources = sorted(p for p in (ROOT / "products").glob("*.yaml") if not p.name.endswith(".tests.yaml"))
    count = 0
    for i in range(bases):
        source = sources[i % len(sources)]
        text = source.read_text(encoding="utf-8")
        code = next(line for line in text.splitlines() if line.startswith("code:")).split(":", 1)[1].strip()
        name = next(line for line in text.splitlines() if line.startswith("name:")).split(":", 1)[1].strip()
        base_code = f"{code}-g{i}"
        base = text.replace(f"code: {code}", f"code: {base_code}", 1).replace(f"name: {name}", f"name: {name}{i}号", 1)
        (folder / "products" / f"{base_code}.yaml").write_text(base.replace("effective: {from: 2024-01-01}",
                                                                            "effective: {from: 2024-01-01, to: 2025-12-31}", 1), encoding="utf-8")
        (folder / "products" / f"{base_code}-v2.yaml").write_text(
            base.replace('version: "1.0"', 'version: "2.0"', 1).replace("effective: {from: 2024-01-01}", "effective: {from: 2026-01-01}", 1),
            encoding="utf-8")
        (folder / "products" / f"{base_code}-bank.yaml").write_text(
            f'code: {base_code}-bank\nname: {name}{i}号(本行)\nextends: {base_code}\nversion: "1.0"\n'
            f"effective: {{from: 2026-01-01}}\nparams:\n  max_amount: 2000000\n", encoding="utf-8")
        (folder / "products" / f"{base_code}-branch.yaml").write_text(
            f'code: {base_code}-branch\nname: {name}{i}号(支行)\nextends: {base_code}-bank\nversion: "1.0"\n'
            f"effective: {{from: 2026-01-01}}\nparams:\n  max_amount: 1000000\nrepayment_methods:\n  remove: [interest_only]\n",
            encoding="utf-8")
        count += 4
    return count


def main() -> None:
    print(f"machine: {os.cpu_count()} cores; each figure is a fresh process (imports included)")
    runs = [cold(ROOT, EXAMPLE_PACKS) for _ in range(5)]
    print(f"built-in pack + {len(EXAMPLE_PACKS)} example packs ({', '.join(p.name for p in EXAMPLE_PACKS)}): "
          f"{runs[0][0]} documents; load+resolve+compile median {statistics.median(r[1] for r in runs) * 1000:.0f} ms, "
          f"whole process median {statistics.median(r[2] for r in runs) * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "generated"
        folder.mkdir()
        products = generate(folder)
        runs = [cold(folder, []) for _ in range(3)]
        print(f"generated pack: {products} product files (50 bases, 50 bank variants, 50 branch variants of those, "
              f"50 second versions), {runs[0][0]} documents; load+resolve+compile median "
              f"{statistics.median(r[1] for r in runs):.2f} s, whole process {statistics.median(r[2] for r in runs):.2f} s")


if __name__ == "__main__":
    main()
