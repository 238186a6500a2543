"""Generated applicants written to files: Parquet (typed), CSV (text, lists joined by ';') or JSON Lines
(nested documents with exact decimals), from one frame or a stream of frames in bounded memory."""
from __future__ import annotations

import json
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import polars as pl


def documents(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as nested applicant documents (what `pf evaluate` and JSON Lines hold)."""
    paths = [c for c in frame.columns if "." in c]
    columns = {c: frame.get_column(c).to_list() for c in paths}
    ids = frame.get_column("id").to_list() if "id" in frame.columns else [None] * frame.height
    docs = []
    for i in range(frame.height):
        doc: dict[str, Any] = {}
        if ids[i] is not None:
            doc["id"] = ids[i]
        for path in paths:
            value = columns[path][i]
            if value is None:
                continue
            source, name = path.split(".", 1)
            doc.setdefault(source, {})[name] = value
        docs.append(doc)
    return docs


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def write_generated(frames: pl.DataFrame | Iterable[pl.DataFrame], path: Path, fmt: str) -> None:
    """Write generated applicants atomically: Parquet (typed), CSV (text, lists joined by ';') or JSON Lines;
    a stream of frames is appended chunk by chunk."""
    from engine.batch.chunkwriter import ChunkWriter
    from engine.batch.writing import atomic_path

    if isinstance(frames, pl.DataFrame) and fmt == "parquet":
        with atomic_path(path) as temp:
            frames.write_parquet(temp)
        return
    chunks = [frames] if isinstance(frames, pl.DataFrame) else frames
    if fmt == "parquet":
        writer = ChunkWriter(path, "parquet")
        try:
            for frame in chunks:
                writer.write(frame)
            writer.finish(pl.DataFrame({"id": pl.Series([], dtype=pl.String)}))
            os.replace(writer.temp, writer.path)
        except BaseException:
            writer.discard()
            raise
        return
    with atomic_path(path) as temp, open(temp, "wb") as handle:
        for index, frame in enumerate(chunks):
            if fmt == "csv":
                lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
                text = frame.with_columns([
                    pl.when(pl.col(c).list.len() == 0).then(pl.lit("[]")).otherwise(pl.col(c).list.join(";")).alias(c)
                    for c in lists
                ])
                text.write_csv(handle, include_header=index == 0)
            else:
                handle.write("".join(_dumps(doc) + "\n" for doc in documents(frame)).encode("utf-8"))


_DECIMAL_MARK = "\u0000decimal:"
_DECIMAL_TEXT = re.compile(r'"\\u0000decimal:([-0-9.Ee+]+)"')


def _dumps(doc: dict[str, Any]) -> str:
    """JSON with decimals written as numbers with their exact digits (read back with parse_float=Decimal)."""
    def encode(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [encode(v) for v in value]
        if isinstance(value, Decimal):
            return _DECIMAL_MARK + str(value)
        return value

    text = json.dumps(encode(doc), ensure_ascii=False, default=_json_default)
    return _DECIMAL_TEXT.sub(lambda m: m.group(1), text)
