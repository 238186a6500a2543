"""Benchmark: decisions per second for one product, in one process (not a test).

Generates N synthetic applicants (nested documents, as a channel would send them), validates and
flattens them once, then times evaluation of every record: all rules, every failed or unknown
rule recorded, limit with its binding cap, rate and terms. Prints the median of 3 runs.

    python benchmarks/bench_evaluate.py [--n 100000] [--product shuiqitong-xw]
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.catalog import Catalog  # noqa: E402
from engine.documents.applicant import flatten  # noqa: E402
from engine.evaluate.interpreter import evaluate  # noqa: E402

ON = date(2026, 11, 25)


def money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(int(rng.uniform(low, high) * 100)) / 100


def applicant(rng: random.Random, i: int) -> dict:
    grade = rng.choices(["A", "B", "M", "C", "D"], [38, 42, 12, 6, 2])[0]
    sales = money(rng, 200_000, 8_000_000)
    doc = {
        "id": f"GEN-{i:07d}",
        "applicant": {
            "customer_type": rng.choices(["small_business_owner", "individual_business", "farmer"], [60, 35, 5])[0],
            "age": rng.randint(22, 66),
            "role": rng.choices(["legal_representative", "actual_controller", "shareholder"], [65, 30, 5])[0],
            "same_product_other_enterprise": rng.random() < 0.03,
        },
        "enterprise": {
            "registered_on": ON - timedelta(days=rng.randint(500, 7000)),
            "size": rng.choice(["micro", "micro", "small", "medium"]),
            "industry": "F51",
            "restricted_industry": rng.random() < 0.02,
            "status": rng.choices(["active", "suspended"], [98, 2])[0],
            "annual_revenue": sales,
        },
        "tax": {
            "grade": grade,
            "status": rng.choices(["normal", "abnormal"], [97, 3])[0],
            "paid_12m": money(rng, 2_000, 300_000),
            "taxable_sales_12m": sales,
            "months_filed_continuous": rng.randint(18, 120),
            "arrears_amount": Decimal(0) if rng.random() < 0.96 else money(rng, 100, 5000),
            "violations_24m": rng.choices([0, 1], [92, 8])[0],
        },
        "credit_bureau": {
            "current_overdue_amount": Decimal(0) if rng.random() < 0.97 else money(rng, 100, 20000),
            "max_consecutive_overdue_24m": rng.choices([0, 1, 2, 3], [80, 12, 5, 3])[0],
            "total_overdue_periods_24m": rng.choices([0, 2, 4, 7], [75, 15, 7, 3])[0],
            "special_status": rng.choices([[], ["write_off"]], [98, 2])[0],
            "loan_inquiries_3m": rng.randint(0, 9),
            "total_debt": money(rng, 0, 3_000_000),
            "guarantee_balance": money(rng, 0, 1_000_000),
            "lending_institutions": rng.randint(0, 7),
        },
        "judicial": {
            "dishonest_debtor": rng.random() < 0.02,
            "pending_defendant_amount": Decimal(0) if rng.random() < 0.95 else money(rng, 1000, 900_000),
            "enforcement_cases_24m": rng.choices([0, 1], [95, 5])[0],
            "criminal_record": rng.random() < 0.005,
        },
        "risk_warning": {
            "bank_blacklist": rng.random() < 0.01,
            "regulator_list": rng.random() < 0.005,
            "warning_level": rng.choices(["none", "low", "medium", "high"], [80, 12, 6, 2])[0],
            "flags": rng.choices([[], ["equity_frozen"]], [97, 3])[0],
        },
        "loan": {"amount": Decimal(rng.randrange(50_000, 2_000_000, 10_000)), "term_months": 12, "channel": "mobile_banking"},
    }
    if rng.random() < 0.3:
        doc["social_security"] = {"months_paid_continuous": rng.randint(0, 60)}
    if rng.random() < 0.05:  # missing data: a field the rules need is absent
        del doc["tax"][rng.choice(["paid_12m", "months_filed_continuous", "grade"])]
    return doc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--product", default="shuiqitong-xw")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    catalog = Catalog()
    product = catalog.compiled(args.product)
    rng = random.Random(20261125)
    documents = [applicant(rng, i) for i in range(args.n)]

    def report(_path, message, hint=None, key=False):
        raise AssertionError(message)

    started = time.perf_counter()
    records = [flatten(doc, catalog.dictionary, report) for doc in documents]
    flatten_seconds = time.perf_counter() - started

    timings = []
    for _ in range(args.runs):
        # As a batch does: each result is summarised, then dropped (nothing grows with N but counters).
        mix: Counter[str] = Counter()
        bound: Counter[str] = Counter()
        failed = 0
        started = time.perf_counter()
        for record in records:
            result = evaluate(product, record, ON)
            mix[result.decision] += 1
            failed += len(result.findings)
            if result.limit is not None:
                bound[result.limit.binding] += 1
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)

    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, one process, one core used")
    print(f"product: {product.doc.name} ({product.code}), {product.rule_count} rules, {len(product.tables)} tables, "
          f"{len(product.limit.caps)} caps")
    print(f"applicants: {args.n:,}; decisions: " + ", ".join(f"{k} {v:,}" for k, v in sorted(mix.items())))
    print(f"failed or unknown rules recorded: {failed:,}; binding caps: " + ", ".join(f"{k} {v:,}" for k, v in bound.most_common()))
    print("evaluation runs (s): " + ", ".join(f"{t:.3f}" for t in timings))
    print(f"median: {median:.3f} s -> {args.n / median:,.0f} decisions per second")
    print(f"validating + flattening the nested documents once: {flatten_seconds:.3f} s "
          f"({args.n / flatten_seconds:,.0f} per second); with it: {args.n / (median + flatten_seconds):,.0f} per second")


if __name__ == "__main__":
    main()
