"""Benchmark: build and render a 360-month 等额本息 schedule (1,000,000 yuan at 4.9 %).

Run from the repository root:  python benchmarks/bench_schedule.py [--runs 7] [--loops 50]

Each run times ``loops`` repetitions and records the mean per repetition; the script
prints the median over ``runs`` runs, in milliseconds, for build, build + render_table,
build + schedule_to_json (and, for reference, build + render_csv and the APR solve).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.schedules import (  # noqa: E402
    RepaymentMethod,
    annual_percentage_rate,
    build_schedule,
    render_csv,
    render_table,
    schedule_to_json,
)

PRINCIPAL = Decimal("1000000.00")
RATE = Decimal("0.049")
TERM = 360
START = date(2026, 1, 31)


def build():
    return build_schedule(PRINCIPAL, RATE, TERM, RepaymentMethod.equal_installment, START)


def build_table():
    return render_table(build())


def build_json():
    return schedule_to_json(build())


def build_csv():
    return render_csv(build())


_FIXED = build()
_PAYMENTS = [row.payment for row in _FIXED.periods]


def apr():
    return annual_percentage_rate(PRINCIPAL, _PAYMENTS)


def median_ms(fn, runs: int, loops: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        samples.append((time.perf_counter() - start) / loops * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--loops", type=int, default=50)
    args = parser.parse_args()

    assert _FIXED.periods[0].payment == Decimal("5307.27")
    print(
        f"360-month equal-installment schedule, median of {args.runs} runs x {args.loops} loops "
        f"(Python {sys.version.split()[0]})"
    )
    for name, fn in [
        ("build", build),
        ("build + render_table", build_table),
        ("build + schedule_to_json", build_json),
        ("build + render_csv", build_csv),
        ("annual_percentage_rate (360 payments)", apr),
    ]:
        print(f"  {name:<40} {median_ms(fn, args.runs, args.loops):8.3f} ms")


if __name__ == "__main__":
    main()
