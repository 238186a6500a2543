"""Benchmark: build and render a 360-month 等额本息 schedule (1,000,000 yuan at 4.9 %).

Run from the repository root:  python benchmarks/bench_schedule.py [--runs 7] [--loops 50]

Each run times ``loops`` repetitions and records the mean per repetition; the script
prints the median over ``runs`` runs, in milliseconds, for build, build + render_table,
build + schedule_to_json (and, for reference, build + render_csv and the APR solve), then a
product's 360-month offer as `pf schedule PRODUCT APPLICANT` makes it: the applicant evaluated at
that term and method, the schedule, a one-off and two periodic fees, the APR, and the table.
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

from engine.finance.schedule_render import render_csv, render_table, schedule_to_json  # noqa: E402
from engine.finance.schedules import (  # noqa: E402
    RepaymentMethod,
    annual_percentage_rate,
    build_schedule,
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


OFFER_PRODUCT = """\
code: bench
name: 测速贷
version: "1.0"
effective: {from: 2025-01-01}
borrower: individual
customer_types: [small_business_owner]
data_sources: [applicant, loan]
limit:
  caps: [{id: asked, label: 申请金额, value: loan.amount}]
pricing:
  base_label: 5年期以上LPR
  base_bp: 350
  spread_bp: 140
  fees:
    - {id: arrangement, label: 手续费, kind: one_off, rate: 0.01, collected: deducted}
    - {id: service, label: 账户管理费, kind: periodic, rate: 0.0002}
    - {id: guarantee, label: 担保费, kind: periodic, rate: 0.0001, basis: balance}
terms: {months: [360]}
repayment_methods: [{method: equal_installment}]
"""
OFFER_RECORD = {"applicant.customer_type": "small_business_owner", "loan": True, "loan.amount": PRINCIPAL}


def _offer_product():
    """The product above in a temporary pack (the built-in data dictionary and rulesets)."""
    import shutil
    import tempfile

    from engine.catalog import Catalog

    root = Path(tempfile.mkdtemp(prefix="pf-bench-"))
    for folder in ("schemas", "rulesets"):
        shutil.copytree(Path(__file__).resolve().parents[1] / folder, root / folder)
    (root / "products").mkdir()
    (root / "products" / "bench.yaml").write_text(OFFER_PRODUCT, encoding="utf-8")
    return Catalog(root).compiled("bench", START)


def offer_functions():
    from engine.results.offer_render import schedule_table
    from engine.results.offers import Request, make_offer

    product = _offer_product()
    request = Request(None, TERM, "equal_installment")

    def offer():
        return make_offer(product, OFFER_RECORD, START, request)

    def offer_table():
        return schedule_table(offer())

    return offer, offer_table


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
        *zip(("offer: evaluate+schedule+fees+APR", "offer + render table"), offer_functions()),
    ]:
        print(f"  {name:<40} {median_ms(fn, args.runs, args.loops):8.3f} ms")


if __name__ == "__main__":
    main()
