"""pf batch as a stream: a run in many chunks gives exactly the files, summary and near misses of a run in
one chunk; output and rejects are one unit; stale temporary files are cleaned; CSV cells are defused;
pf generate writes large files in chunks."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from engine.batch.chunkwriter import ChunkWriter, clean_stale, commit, temp_name
from engine.batch.generate import generate, generated_chunks, write_generated
from engine.batch.sources import open_source
from engine.batch.stream import ResultSink, Targets, run_stream
from engine.batch.writing import default_rejects_path
from engine.catalog import Catalog
from tests.conftest import EVALUATION_DATE, ROOT

ON = EVALUATION_DATE


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def _run(catalog: Catalog, code: str, source_path: Path, out: Path, chunk_rows: int | None, *, near: Path | None = None):
    product = catalog.compiled(code, ON)
    source = open_source(source_path, catalog.dictionary, chunk_rows=chunk_rows)
    targets = Targets(out, None, default_rejects_path(out), near, True, 5)
    return run_stream(product, source, ON, ResultSink(product, ON, targets))


def _same_file(a: Path, b: Path) -> None:
    if a.suffix == ".parquet":
        left, right = pl.read_parquet(a), pl.read_parquet(b)
        assert left.schema == right.schema
        assert left.equals(right)
    else:
        assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("code,fmt,out_fmt", [("shuiqitong-xw", "parquet", "csv"), ("fangdidai-xw", "csv", "parquet"),
                                              ("yiqitong", "jsonl", "jsonl"), ("yangguang-e-xw", "parquet", "parquet")])
def test_many_chunks_give_the_files_and_summary_of_one_chunk(catalog, tmp_path, code, fmt, out_fmt):
    product = catalog.compiled(code, ON)
    frame = generate(product.doc, catalog.dictionary, 3_000, seed=21, on=ON, invalid=0.03)
    source = tmp_path / f"in.{fmt}"
    write_generated(frame, source, fmt)
    results = {}
    for label, chunk in (("one", None), ("many", 317)):
        folder = tmp_path / label
        folder.mkdir()
        out = folder / f"out.{out_fmt}"
        results[label] = (_run(catalog, code, source, out, chunk, near=folder / "near.csv"), folder)
    (one, a), (many, b) = results["one"], results["many"]
    assert one.summary == many.summary
    assert one.summary.rows_read == 3_000 and one.summary.rows_rejected > 0
    assert one.near_miss_groups == many.near_miss_groups
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert f"out.rejects.{out_fmt}" in names and "near.csv" in names
    for name in names:
        _same_file(a / name, b / name)
    written = pl.read_parquet(a / "out.parquet") if out_fmt == "parquet" else None
    if written is not None:
        assert written.get_column("row").is_sorted() and written.height == one.summary.rows_written


def test_a_run_without_rejects_removes_the_stale_rejects_file(catalog, tmp_path):
    product = catalog.compiled("shuiqitong-xw", ON)
    source = tmp_path / "in.parquet"
    write_generated(generate(product.doc, catalog.dictionary, 400, seed=3, on=ON), source, "parquet")
    out = tmp_path / "out.csv"
    out.write_text("old output\n")
    stale = default_rejects_path(out)
    stale.write_text("row,id,field,value,message\n1,old,,,from an earlier run\n")
    outcome = _run(catalog, "shuiqitong-xw", source, out, 150)
    assert outcome.summary.rows_rejected == 0 and outcome.rejects_written is None
    assert not stale.exists()
    assert out.read_text().startswith("row,id,decision")


def test_commit_renames_rejects_first_and_output_last(tmp_path, monkeypatch):
    """A run stopped between its renames leaves no output beside the new rejects, never an old output."""
    out, rejects = tmp_path / "out.csv", tmp_path / "out.rejects.csv"
    out.write_text("old\n")
    rejects.write_text("old rejects\n")
    writers = []
    for path in (out, rejects):
        writer = ChunkWriter(path, "csv")
        writer.write(pl.DataFrame({"row": [1]}))
        writer.finish()
        writers.append(writer)
    calls: list[Path] = []
    real = os.replace

    def replace(src, dst):
        calls.append(Path(dst))
        if Path(dst) == out:
            raise KeyboardInterrupt("killed")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        commit(writers[0], writers[1], [rejects])
    assert calls == [rejects, out]
    assert not out.exists()  # the old output is gone before the new rejects arrive
    assert rejects.read_text() == "row\n1\n"


def test_temp_files_of_dead_runs_are_cleaned_and_live_ones_kept(tmp_path):
    out = tmp_path / "out.parquet"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.parquet.partial-{dead.pid}"
    live = tmp_path / f".out.parquet.partial-{os.getppid()}"
    other = tmp_path / f".other.parquet.partial-{dead.pid}"
    for path in (stale, live, other):
        path.write_text("x")
    assert clean_stale(out) == [stale]
    assert live.exists() and other.exists() and not stale.exists()
    assert temp_name(out).name == f".out.parquet.partial-{os.getpid()}"


def test_csv_cells_a_spreadsheet_would_run_are_defused(catalog, tmp_path):
    ids = ["=HYPERLINK(\"http://x\",\"y\")", "+1-2", "-cmd", "@SUM(A1)", "\tx", "\rx", "ok-1", "-100.00"]
    frame = pl.DataFrame({"id": ids, "applicant.age": [40] * len(ids)})
    source = tmp_path / "in.parquet"
    frame.write_parquet(source)
    out = tmp_path / "out.csv"
    _run(catalog, "shuiqitong-xw", source, out, None)
    written = pl.read_csv(out, infer_schema=False).get_column("id").to_list()
    assert written == ["'" + ids[0], "'+1-2", "'-cmd", "'@SUM(A1)", "'\tx", "'\rx", "ok-1", "-100.00"]
    jsonl = tmp_path / "out.jsonl"
    _run(catalog, "shuiqitong-xw", source, jsonl, None)
    assert pl.read_ndjson(jsonl).get_column("id").to_list() == ids  # not a spreadsheet format: as given


def test_generate_in_chunks_is_deterministic_with_ids_running_on(catalog, tmp_path):
    product = catalog.compiled("shuiqitong-xw", ON).doc
    small = list(generated_chunks(product, catalog.dictionary, 900, seed=4, on=ON, chunk_rows=1000))
    assert len(small) == 1 and small[0].equals(generate(product, catalog.dictionary, 900, seed=4, on=ON))
    chunks = list(generated_chunks(product, catalog.dictionary, 2_500, seed=4, on=ON, chunk_rows=1000))
    assert [c.height for c in chunks] == [1000, 1000, 500]
    ids = pl.concat([c.select("id") for c in chunks]).get_column("id")
    assert ids.n_unique() == 2_500 and ids[0] == "SHUIQI-0000000" and ids[-1] == "SHUIQI-0002499"
    again = list(generated_chunks(product, catalog.dictionary, 2_500, seed=4, on=ON, chunk_rows=1000))
    assert all(a.equals(b) for a, b in zip(chunks, again))
    assert not chunks[0].drop("id").equals(chunks[1].drop("id"))
    for fmt in ("parquet", "csv", "jsonl"):
        path = tmp_path / f"g.{fmt}"
        write_generated(iter(chunks), path, fmt)
        batch = open_source(path, catalog.dictionary, chunk_rows=None)
        assert sum(b.rows_read for b, _ in batch.chunks()) == 2_500


def test_cli_streams_with_a_chunk_size_and_stays_quiet_without_a_terminal(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PF_PACKS", "PF_DEBUG")}
    command = [sys.executable, "-c", "import cli; cli.main()"]
    subprocess.run(command + ["generate", "shuiqitong-xw", "--n", "1200", "--seed", "2", "--invalid", "0.02",
                              "-o", str(tmp_path / "in.csv"), "--date", "2026-11-25"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    run = subprocess.run(command + ["batch", "shuiqitong-xw", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.parquet"),
                                    "--chunk-rows", "100", "--date", "2026-11-25", "-q"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr == "" and run.stdout == ""  # no progress bar when stderr is not a terminal
    out = pl.read_parquet(tmp_path / "out.parquet")
    rejects = pl.read_parquet(tmp_path / "out.rejects.parquet")
    assert out.height + rejects.get_column("row").n_unique() == 1200
    assert out.get_column("row").is_sorted()
