"""Reading a customer list: the public entry points (the readers are sources.py and csvfile.py, the
validation of columns validating.py)."""
from __future__ import annotations

from engine.batch.sources import DEFAULT_CHUNK_ROWS, Source, open_source, read_batch
from engine.batch.validating import FORMATS, check_columns, detect_format, frame_batch, records_batch

__all__ = ["DEFAULT_CHUNK_ROWS", "FORMATS", "Source", "check_columns", "detect_format", "frame_batch", "open_source",
           "read_batch", "records_batch"]
