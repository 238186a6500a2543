"""How many draws decide_draw decides per second (it runs inside the store's locked transaction).

    .venv/bin/python benchmarks/bench_drawdown.py [--draws 20000] [--repeats 5]

Prints the median over repeats and the machine (cores, RAM, load average).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.catalog import Catalog  # noqa: E402
from engine.drawdown import DrawRequest, ExposureView, LineView, decide_draw  # noqa: E402


def ram_gib() -> float:
    for row in Path("/proc/meminfo").read_text().splitlines():
        if row.startswith("MemTotal:"):
            return int(row.split()[1]) / 2**20
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    catalog = Catalog(ROOT)
    line = LineView(line_id="L1", customer_id="C1", enterprise_id=None, borrower_name="示例经营者",
                    product_code="fangdidai-xw", product_version="1.0", state="active",
                    limit=Decimal("3000000.00"), outstanding=Decimal("1000000.00"),
                    available=Decimal("2000000.00"), drawn_total=Decimal("1000000.00"), draws_count=3,
                    revolving=True, valid_from=date(2026, 1, 1), valid_to=date(2027, 12, 31),
                    maturity=date(2029, 12, 31), rate_bp=385)
    exposure = ExposureView(customer_total=Decimal("3000000.00"), enterprise_total=Decimal("0.00"))
    applicant = {"blacklisted": False, "overdue": False}
    requests = [DrawRequest(amount=Decimal(10000 + i * 37) / 1, term_months=1 + i % 36, on=date(2026, 6, 1),
                            payee="示例建材有限公司") for i in range(args.draws)]
    decide_draw(catalog, line, requests[0], applicant=applicant, exposure=exposure)  # compile once
    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for request in requests:
            decide_draw(catalog, line, request, applicant=applicant, exposure=exposure)
        rates.append(args.draws / (time.perf_counter() - start))
    load = os.getloadavg()
    print(f"decide_draw: median {statistics.median(rates):,.0f} draws/s over {args.repeats} runs of {args.draws}")
    print(f"machine: {os.cpu_count()} cores, {ram_gib():.1f} GiB RAM, load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, one process")


if __name__ == "__main__":
    main()
