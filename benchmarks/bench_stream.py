"""Benchmark: `pf batch` streaming a large customer list in bounded memory (not a test).

Generates N applicants for the product with `pf generate` (written in chunks) to a temporary Parquet file,
then runs `pf batch PRODUCT FILE -o decisions.parquet --summary-json summary.json -q` in a fresh child
process and reports wall time, rows per second end to end (read, validate, evaluate, write, summary) and
the peak resident memory of each child (from the kernel's accounting, os.wait4), with the machine's size
and load. Peak memory should not grow with N: compare --n 10000000 with --n 100000000.

    python benchmarks/bench_stream.py [--n 10000000] [--product shuiqitong-xw] [--chunk-rows 250000]
                                      [--runs 1] [--folder DIR] [--keep] [--repeat K]

--repeat K evaluates the generated file K times over (concatenated by a streaming polars sink into one
file of K x N rows, ids repeating), to measure 100,000,000 rows without generating them one by one.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ON = "2026-11-25"


def child(args: list[str]) -> tuple[float, float, str]:
    """Run `pf ARGS` as a child process: (wall seconds, peak RSS in MiB, stderr)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", *args], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"pf {' '.join(args)} exited {process.returncode}:\n{errors}")
    return elapsed, usage.ru_maxrss / 1024, errors


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--product", default="shuiqitong-xw")
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--folder", help="where to put the generated file (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated file and the outputs")
    parser.add_argument("--repeat", type=int, default=1, help="evaluate K copies of the generated rows in one file")
    args = parser.parse_args()

    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench-stream-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"applicants-{args.n}.parquet"
    target = folder / "decisions.parquet"
    summary = folder / "summary.json"
    print(f"machine: {os.cpu_count()} cores, {memory_gib()} memory, Python {sys.version.split()[0]}; load {load()}")
    try:
        if not source.exists():
            seconds, peak, _ = child(["generate", args.product, "--n", str(args.n), "--seed", "20261125", "--date", ON,
                                      "-o", str(source)])
            print(f"pf generate: {args.n:,} applicants in {seconds:.1f} s ({args.n / seconds:,.0f} rows/s), "
                  f"peak RSS {peak:,.0f} MiB; file {source.stat().st_size / 1e6:,.0f} MB")
        rows = args.n
        if args.repeat > 1:
            import polars as pl

            repeated = folder / f"applicants-{args.n}x{args.repeat}.parquet"
            if not repeated.exists():
                started = time.perf_counter()
                pl.concat([pl.scan_parquet(source)] * args.repeat).sink_parquet(repeated)
                print(f"concatenated {args.repeat} copies: {args.n * args.repeat:,} rows in {time.perf_counter() - started:.0f} s; "
                      f"file {repeated.stat().st_size / 1e6:,.0f} MB")
            source, rows = repeated, args.n * args.repeat
        runs = []
        for _ in range(args.runs):
            seconds, peak, _ = child(["batch", args.product, str(source), "-o", str(target), "--summary-json", str(summary),
                                      "--chunk-rows", str(args.chunk_rows), "--date", ON, "-q"])
            runs.append((seconds, peak))
        facts = json.loads(summary.read_text(encoding="utf-8"))
        median = statistics.median(s for s, _ in runs)
        peak = max(p for _, p in runs)
        print(f"pf batch (Parquet -> Parquet + summary, chunks of {args.chunk_rows:,} rows), runs (s): "
              + ", ".join(f"{s:.1f}" for s, _ in runs))
        print(f"pf batch: {rows:,} rows, median {median:.1f} s -> {rows / median:,.0f} rows/s end to end; peak RSS {peak:,.0f} MiB "
              f"(rows read {facts['rows_read']:,}, written {facts['rows_written']:,}, columnar {facts['columnar_rows']:,}); "
              f"load {load()}")
    finally:
        if not args.keep and not args.folder:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
