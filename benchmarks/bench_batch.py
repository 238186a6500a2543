"""Benchmark: a customer list of 1,000,000 generated applicants evaluated in batch (not a test).

Generates N applicants for the product to a temporary Parquet file (not timed), then, in a fresh
process each time, times read -> evaluate (decision, reason codes, limit, binding cap, rate) -> write
Parquet on the columnar path (median of 3 runs, wall time) and reports rows per second and the peak
resident memory of that process. Then runs the row path (engine.evaluate.interpreter on each applicant) over a
subset of the same file and extrapolates, clearly labelled.

    python benchmarks/bench_batch.py [--n 1000000] [--product shuiqitong-xw] [--row-subset 100000]
                                     [--money decimal|float64] [--skip-rows]

--money float64 writes the money columns as Float64 (as pandas or a spreadsheet export would);
decimal (the default) keeps the generator's Decimal(18,2).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ON = date(2026, 11, 25)

CHILD = """
import json, resource, sys, time
from datetime import date
sys.path.insert(0, {root!r})
from engine.catalog import Catalog
from engine.batch.reading import read_batch
from engine.batch.run import evaluate_batch
from engine.batch.writing import write_frame
from pathlib import Path
import polars as pl
catalog = Catalog(); product = catalog.compiled({product!r}, date(2026, 11, 25))
catalog.dictionary
started = time.perf_counter()
batch = read_batch({source!r}, catalog.dictionary)
if {limit} and batch.frame.height > {limit}:
    batch = batch.slice(0, {limit})
result = evaluate_batch(product, batch, date(2026, 11, 25), mode={mode!r})
write_frame(result.frame, Path({target!r}), "parquet")
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "rows": result.rows_written, "columnar": result.columnar_rows,
                  "row_path": result.row_path_rows, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(product: str, source: str, target: str, mode: str, limit: int = 0) -> dict:
    code = CHILD.format(root=str(ROOT), product=product, source=source, target=target, mode=mode, limit=limit)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--product", default="shuiqitong-xw")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--row-subset", type=int, default=100_000)
    parser.add_argument("--money", choices=("decimal", "float64"), default="decimal",
                        help="the Parquet type of money columns")
    parser.add_argument("--skip-rows", action="store_true", help="skip the row-path extrapolation")
    args = parser.parse_args()

    from engine.batch.generate import generate, write_generated
    from engine.catalog import Catalog

    catalog = Catalog()
    product = catalog.compiled(args.product, ON)
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "applicants.parquet")
        target = os.path.join(folder, "decisions.parquet")
        started = time.perf_counter()
        frame = generate(product.doc, catalog.dictionary, args.n, seed=20261125, on=ON)
        if args.money == "float64":
            import polars as pl

            money = [c for c in frame.columns if (d := catalog.dictionary.field(c)) is not None and d.type == "money"]
            frame = frame.with_columns(pl.col(money).cast(pl.Float64))
        write_generated(frame, Path(source), "parquet")
        print(f"generated {args.n:,} applicants for {product.doc.name} ({product.code}), money as {args.money}, "
              f"in {time.perf_counter() - started:.1f} s "
              f"(not timed); file {os.path.getsize(source) / 1e6:.0f} MB")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        runs = [run(args.product, source, target, "auto") for _ in range(args.runs)]
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = max(r["peak_rss_mb"] for r in runs)
        print("columnar: read Parquet -> evaluate -> write Parquet, runs (s): "
              + ", ".join(f"{r['seconds']:.2f}" for r in runs))
        print(f"columnar: median {seconds:.2f} s -> {args.n / seconds:,.0f} rows per second; peak RSS {peak:,.0f} MB "
              f"(columnar rows {runs[0]['columnar']:,}, row-path rows {runs[0]['row_path']:,})")
        if args.skip_rows:
            return
        subset = min(args.row_subset, args.n)
        rows = run(args.product, source, target, "rows", subset)
        rate = rows["rows"] / rows["seconds"]
        print(f"row path (same file, first {subset:,} rows, same read and write): {rows['seconds']:.2f} s -> {rate:,.0f} rows "
              f"per second; EXTRAPOLATED to {args.n:,} rows: {args.n / rate:.1f} s; peak RSS {rows['peak_rss_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
