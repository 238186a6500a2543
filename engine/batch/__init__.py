"""Batch evaluation: whole customer lists at once (整村授信, 园区授信, pre-approval), on a columnar fast path.

  reading.py    CSV / JSON Lines / Parquet -> a validated Batch (typed columns) plus rejected rows
  columnar.py   typed expression nodes -> polars expressions (exact fixed-point, Kleene nulls)
  plan.py       a compiled product -> columnar stages reproducing engine.evaluate.interpreter
  run.py        evaluate a batch (columnar where possible, the row path otherwise)
  summary.py    decision mix, reasons ranked, limit and rate distributions; table and HTML report
  nearmiss.py   declined by one rule alone, and by how much (second marketing)
  impact.py     two products on the same rows: flow matrix, rules behind each flip, limit and rate change
  generate.py   realistic synthetic applicants for any product
  writing.py    atomic output files
"""
