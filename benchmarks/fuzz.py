"""Fuzzing run (not a test): a million generated inputs through every backend, counting crashes, hangs and
disagreements.

An input is one generated expression evaluated on one generated applicant record. Expressions come from the
grammar in tests/support/expression_grammar.py (booleans and numbers, nested up to --depth, with null,
division under comparisons, every function); each is parsed and type-checked, then evaluated over a batch
of --records records on the row path traced, the row path fused and the columnar path (polars), and the
values compared. Many records per compiled expression keep a million inputs to minutes.

    python benchmarks/fuzz.py [--inputs 1000000] [--records 250] [--depth 6] [--seed 1]

A crash is an exception other than a located ExpressionProblem (or the columnar path's Unsupported, which
hands the expression to the row path); a hang is an expression that takes longer than --hang seconds.
"""
from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.catalog import Catalog  # noqa: E402
from engine.expressions import Scope  # noqa: E402
from tests.support.differential import Tally, compare, records_frame  # noqa: E402
from tests.support.expression_grammar import PARAMS, random_grammar  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=250, help="records per batch (each expression runs on one batch)")
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang", type=float, default=10.0, help="seconds after which one expression counts as a hang")
    args = parser.parse_args()

    scope = Scope(Catalog(ROOT).dictionary, dict(PARAMS))
    grammar = random_grammar(args.seed, args.depth)
    tally = Tally()
    hangs = 0
    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    batch_no = 0
    while tally.inputs < args.inputs:
        records = [grammar.record() for _ in range(args.records)]
        frame = records_frame(records)
        for i in range(20):  # 20 expressions per batch of records
            if tally.inputs >= args.inputs:
                break
            text = grammar.boolean() if i % 2 else grammar.number()
            signal.setitimer(signal.ITIMER_REAL, args.hang)
            try:
                compare(text, scope, records, tally, frame)
            except Hang:
                hangs += 1
                tally.note(f"hang: {text!r}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        batch_no += 1
        if batch_no % 50 == 0:
            print(f"  ... {tally.inputs:,} inputs, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - started

    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, python {platform.python_version()}; "
          f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"seed {args.seed}, depth {args.depth}, {args.records} records per batch, {elapsed:.1f} s")
    print(f"inputs (expression x record) compared: {tally.inputs:,}")
    print(f"expressions generated: {tally.expressions:,} (refused with a located error: {tally.rejected:,}; "
          f"row path only, columnar unsupported: {tally.columnar_unsupported:,})")
    print(f"crashes: {tally.crashes}")
    print(f"hangs: {hangs}")
    print(f"disagreements (traced / fused / columnar): {tally.disagreements}")
    for example in tally.examples:
        print("  " + example[:400])
    sys.exit(1 if tally.crashes or hangs or tally.disagreements else 0)


if __name__ == "__main__":
    main()
