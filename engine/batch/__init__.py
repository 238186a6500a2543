"""Batch evaluation: whole customer lists at once (整村授信, 园区授信, pre-approval), on a columnar fast path.

  reading.py    the public readers: open_source (a stream of chunks), read_batch (the whole file)
  sources.py    CSV / JSON Lines / Parquet read in chunks of validated Batches (csvfile.py: CSV records)
  validating.py columns -> a validated Batch (typed columns) plus rejected rows (converting.py, numbers.py)
  columnar.py   typed expression nodes -> polars expressions (exact fixed-point, Kleene nulls)
  plan.py       a compiled product -> columnar stages reproducing engine.evaluate.interpreter
  run.py        evaluate a batch (columnar where possible, the row path otherwise)
  summary.py    decision mix, reasons ranked, limit and rate distributions; table and HTML report
  nearmiss.py   declined by one rule alone, and by how much (second marketing)
  impact.py     two products on the same rows: flow matrix, rules behind each flip, limit and rate change
  generate.py   realistic synthetic applicants for any product
  writing.py    atomic output files
  chunkwriter.py result files appended chunk by chunk; output and rejects committed as one unit
  stream.py     pf batch as a stream: chunks in, files and a summary from running aggregates out
"""

# Rows read, evaluated and written at a time by `pf batch` (--chunk-rows): peak memory grows with it, not
# with the input. Kept here, free of imports, so the command line can show it without loading polars.
DEFAULT_CHUNK_ROWS = 250_000
