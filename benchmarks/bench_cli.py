"""Benchmark: wall time of `pf evaluate` on a built-in product from a cold start (new process each
time), median of 11 runs. Not a test.

    python benchmarks/bench_cli.py
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    pf = shutil.which("pf", path=str(Path(sys.executable).parent)) or shutil.which("pf")
    if pf is None:
        sys.exit("pf is not installed: pip install -e . first")
    commands = {
        "pf evaluate (table)": [pf, "evaluate", "shuiqitong-xw", "examples/applicants/shuiqitong-xw-approve.yaml", "--date", "2026-11-25"],
        "pf evaluate --format json --trace": [pf, "evaluate", "fangdidai-xw", "examples/applicants/fangdidai-xw-approve.yaml",
                                              "--date", "2026-11-25", "--format", "json", "--trace"],
        "pf validate (all products)": [pf, "validate"],
        "pf validate --strict, all packs": [pf, "validate", "--strict", "--pack", "examples/packs/luzhou-bank",
                                            "--pack", "examples/packs/haian-rcb"],
    }
    print(f"machine: {os.cpu_count()} cores; median of 11 cold starts each")
    for label, command in commands.items():
        times = []
        for _ in range(11):
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - started)
        print(f"{label:36s} median {statistics.median(times) * 1000:6.0f} ms   (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")


if __name__ == "__main__":
    main()
