"""Decision log on SQLite: append latency (one record per transaction), batched throughput, verify speed.

    .venv/bin/python benchmarks/bench_log.py [--records 100000] [--single 200] [--batch 500]

Prints medians of three runs and the machine's size; verify speed is scaled to 100k records."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.ledger import DecisionLog, LogRecord  # noqa: E402


def record(n: int) -> LogRecord:
    return LogRecord(request_id=f"r{n}", channel="bench", logged_at="2026-01-01T00:00:00+00:00",
                     input={"business": {"annual_revenue": "1200000.00", "years": 3}, "id": f"A{n}"},
                     product_code="P", product_version="1", content_hash="h" * 64, decision="approve",
                     reasons=["R1"], limit="300000.00", rate_bp=385)


def ram_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def one_run(folder: Path, args: argparse.Namespace, i: int) -> tuple[float, float, float]:
    log = DecisionLog.open(str(folder / f"single{i}.db"))
    t0 = time.perf_counter()
    for n in range(args.single):
        log.append([record(n)])
    single_ms = (time.perf_counter() - t0) / args.single * 1000
    log.close()
    log = DecisionLog.open(str(folder / f"batched{i}.db"))
    records = [record(n) for n in range(args.records)]
    t0 = time.perf_counter()
    for start in range(0, len(records), args.batch):
        log.append(records[start:start + args.batch])
    per_s = args.records / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    assert log.verify() == []
    verify_s = (time.perf_counter() - t0) * 100_000 / args.records
    log.close()
    return single_ms, per_s, verify_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=200)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(Path(tmp), args, i) for i in range(3)]
    print(f"machine: {os.cpu_count()} cores, {ram_gib():.0f} GiB RAM, load {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    print(f"append, one record per transaction: median {statistics.median(r[0] for r in runs):.2f} ms/record ({args.single} appends)")
    print(f"append, batches of {args.batch}: median {statistics.median(r[1] for r in runs):,.0f} records/s ({args.records} records)")
    print(f"verify: median {statistics.median(r[2] for r in runs):.2f} s per 100k records")


if __name__ == "__main__":
    main()
