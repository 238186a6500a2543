"""Benchmark: wall time and peak memory of `pf` on the largest inputs the declared limits allow (docs/limits.md),
and on hostile inputs just past them, each in a fresh process (median of 5 runs; peak RSS of that process from
wait4). Not a test.

    python benchmarks/bench_limits.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.core.limits import LIMITS  # noqa: E402

APPROVE = ROOT / "examples" / "applicants" / "shuiqitong-xw-approve.yaml"
PRODUCT = ROOT / "products" / "shuiqitong-xw.yaml"
DATE = ["--date", "2026-11-25"]


def _padded(text: str, size: int) -> str:
    """`text` followed by comment lines up to `size` bytes in all (a legal file of exactly that size)."""
    room = size - len(text.encode("utf-8"))
    line = "# " + "x" * 1021 + "\n"
    pad = line * (room // len(line))
    rest = room - len(pad)
    return text + pad + ("#" + "x" * (rest - 2) + "\n" if rest >= 2 else "")


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def _pack(folder: Path, product_text: str) -> Path:
    pack = folder / "pack"
    (pack / "products").mkdir(parents=True)
    (pack / "pack.yaml").write_text('name: bench\nversion: "1.0"\ndescription: 基准测试\ndepends_on: [builtin]\n', encoding="utf-8")
    (pack / "products" / "x.yaml").write_text(product_text, encoding="utf-8")
    return pack


def _product(rule: str | None = None) -> str:
    text = PRODUCT.read_text(encoding="utf-8").replace("code: shuiqitong-xw", "code: bench-x", 1).replace(
        "name: 税企通-小微经营贷", "name: 基准测试产品", 1)
    if rule is not None:
        text = text.replace("rule: params.min_age <= applicant.age <= params.max_age", "rule: " + json.dumps(rule), 1)
    return text


def cases(tmp: Path) -> dict[str, list[str]]:
    approve = APPROVE.read_text(encoding="utf-8")
    files: dict[str, str] = {
        "applicant-1MiB.yaml": _padded(approve, LIMITS.applicant_bytes - 1),
        "applicant-depth-63.json": json.dumps({"id": "x", "applicant": {"note": "y"}}).replace('"y"', _nested(LIMITS.nesting_depth - 3)),
        "applicant-list-10000.yaml": approve.replace("special_status: []", "special_status: [" + ", ".join(["x"] * (LIMITS.list_items - 1)) + "]", 1),
        "applicant-aliases-199k.yaml": "base: &b [" + ", ".join(["1"] * 199) + "]\nrows: [" + ", ".join(["*b"] * 990) + "]\n",
        "bomb-billion-laughs.yaml": 'a0: &a0 "lol"\n' + "".join(
            f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)),
        "bomb-50MiB.yaml": _padded(approve, 50 * 1024 * 1024),
        "bomb-deep-100000.json": _nested(100_000),
    }
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
    depth = LIMITS.expression_depth - 3
    long_rule = " and ".join(["applicant.age >= 18"] * 160)
    assert len(long_rule) < LIMITS.expression_chars
    packs = {
        "product-8MiB": _pack(tmp / "p1", _padded(_product(), LIMITS.document_bytes - 1)),
        "product-expression-depth-37": _pack(tmp / "p2", _product("abs(" * depth + "applicant.age" + ")" * depth + " >= 18")),
        "product-expression-3.7k-chars": _pack(tmp / "p3", _product(long_rule)),
    }
    ev = ["evaluate", "shuiqitong-xw"]
    runs = {
        "applicant just under 1 MiB (evaluate)": [*ev, str(tmp / "applicant-1MiB.yaml"), *DATE],
        "applicant nested 63 deep (evaluate)": [*ev, str(tmp / "applicant-depth-63.json"), *DATE],
        "applicant list of 9,999 items (evaluate)": [*ev, str(tmp / "applicant-list-10000.yaml"), *DATE],
        "document of 199,000 values by aliases (evaluate)": [*ev, str(tmp / "applicant-aliases-199k.yaml"), *DATE],
        "product just under 8 MiB (validate)": ["validate", str(packs["product-8MiB"])],
        "expression nested 37 deep (validate)": ["validate", str(packs["product-expression-depth-37"])],
        "expression of 3,500 characters (validate)": ["validate", str(packs["product-expression-3.7k-chars"])],
        "refused: billion laughs, 9 levels": [*ev, str(tmp / "bomb-billion-laughs.yaml"), *DATE],
        "refused: 50 MiB applicant": [*ev, str(tmp / "bomb-50MiB.yaml"), *DATE],
        "refused: JSON nested 100,000 deep": [*ev, str(tmp / "bomb-deep-100000.json"), *DATE],
    }
    return runs


_WRAPPER = (
    "import os, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def measure(argv: list[str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one `python -m cli ARGV` process. A small wrapper process starts
    it, so the peak is the command's own and not inherited from this process's memory at fork."""
    env = {k: v for k, v in os.environ.items() if k not in ("PF_PACKS", "PF_DEBUG")}
    out = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "cli", *argv], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"machine: {os.cpu_count()} cores, {memory:.1f} GiB; load average {os.getloadavg()[0]:.2f}; median of {args.repeat} runs")
    baseline = measure(["evaluate", "shuiqitong-xw", str(APPROVE), *DATE])
    print(f"{'case':52} {'exit':>4} {'median s':>9} {'peak RSS MiB':>13}")
    print(f"{'(baseline: the example applicant)':52} {baseline[2]:>4} {baseline[0]:>9.3f} {baseline[1] / 1024:>13.1f}")
    with tempfile.TemporaryDirectory() as folder:
        for label, argv in cases(Path(folder)).items():
            results = [measure(argv) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in results)
            peak = max(r[1] for r in results) / 1024
            codes = sorted({r[2] for r in results})
            print(f"{label:52} {','.join(map(str, codes)):>4} {seconds:>9.3f} {peak:>13.1f}")


if __name__ == "__main__":
    main()
