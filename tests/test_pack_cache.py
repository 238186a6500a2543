"""The disk cache of loaded packs (engine/documents/cache.py): it never changes a result, any change of a
pack file or of the engine is a new entry, a broken entry is ignored, writes are atomic, PF_NO_CACHE=1 is off."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from engine.catalog import Catalog
from engine.documents import cache
from engine.evaluate.interpreter import evaluate
from engine.results.build import to_decision
from tests.conftest import EVALUATION_DATE, ROOT
from tests.fixtures import MINI_PRODUCT, good_applicant, write_product

APPLICANT = ROOT / "examples" / "applicants" / "fangdidai-xw-approve.yaml"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PF_CACHE_DIR", str(folder))
    monkeypatch.delenv("PF_NO_CACHE", raising=False)
    return folder


def _decision_json(packs: list[Path] | None = None) -> str:
    from engine.documents.applicant import load_applicant
    from engine.results.render import render_json

    catalog = Catalog(ROOT, packs)
    product = catalog.compiled("fangdidai-xw", EVALUATION_DATE)
    record = load_applicant(APPLICANT, catalog.dictionary)
    return render_json(to_decision(evaluate(product, record, EVALUATION_DATE, trace=True)))


def test_a_cached_catalog_gives_the_same_results(cache_dir, monkeypatch):
    packs = sorted(p for p in (ROOT / "examples" / "packs").glob("*") if (p / "pack.yaml").exists())
    fresh = _decision_json(packs)
    assert list(cache_dir.glob("*.pickle")), "the first run stores its entries"
    assert _decision_json(packs) == fresh  # read back from the cache
    cached = Catalog(ROOT, packs)
    uncached = Catalog(ROOT, packs)
    monkeypatch.setenv("PF_NO_CACHE", "1")
    assert uncached._cache_key is None
    assert [e.label for e in cached.entries()] == [e.label for e in uncached.entries()]
    assert cached.load_problems == uncached.load_problems
    assert cached.shared_on(EVALUATION_DATE) == uncached.shared_on(EVALUATION_DATE)
    assert _decision_json(packs) == fresh
    for entry in uncached.entries():
        day = entry.header.effective.from_
        assert cached.compiled(entry.label, day).content_hash == uncached.compiled(entry.label, day).content_hash


def test_pf_no_cache_writes_nothing(cache_dir, monkeypatch):
    monkeypatch.setenv("PF_NO_CACHE", "1")
    _decision_json()
    assert not cache_dir.exists()


def test_xdg_cache_home_is_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("PF_CACHE_DIR", raising=False)
    monkeypatch.delenv("PF_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "product-factory"


def test_any_change_of_a_pack_file_is_a_new_entry(cache_dir, pack):
    write_product(pack)
    first = Catalog(pack)
    record = good_applicant()
    before = to_decision(evaluate(first.compiled("mini", EVALUATION_DATE), record, EVALUATION_DATE))
    # A higher minimum tax paid: the same applicant is now declined, the cache must not hide it.
    assert "min_paid: 10000\n" in MINI_PRODUCT
    write_product(pack, MINI_PRODUCT.replace("min_paid: 10000\n", "min_paid: 100000\n"))
    second = Catalog(pack)
    assert second._cache_key != first._cache_key
    after = to_decision(evaluate(second.compiled("mini", EVALUATION_DATE), record, EVALUATION_DATE))
    assert (before.decision, after.decision) == ("approve", "decline")
    (pack / "rulesets" / "extra.yaml").write_text("# a new file\n", encoding="utf-8")
    assert Catalog(pack)._cache_key != second._cache_key  # a file added counts too
    dictionary = pack / "schemas" / "dictionary.yaml"
    key = Catalog(pack)._cache_key
    dictionary.write_text(dictionary.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert Catalog(pack)._cache_key != key


def test_a_change_of_the_engine_is_a_new_entry(cache_dir, pack, monkeypatch):
    write_product(pack)
    key = Catalog(pack)._cache_key
    monkeypatch.setattr(cache, "engine_fingerprint", lambda: "another engine version")
    assert Catalog(pack)._cache_key != key


def test_a_broken_entry_is_ignored(cache_dir):
    fresh = _decision_json()
    for entry in cache_dir.glob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:100])  # as if cut off
    assert _decision_json() == fresh
    assert cache.load("no-such-entry") is None


WRITER = """
import sys
from engine.documents import cache
for i in range(30):
    cache.store("shared", {"writer": sys.argv[1], "payload": list(range(20000))})
"""
READER = """
import json
from engine.documents import cache
seen = set()
for i in range(200):
    value = cache.load("shared")
    if value is not None:
        assert value["payload"] == list(range(20000)), "a half-written entry was read"
        seen.add(value["writer"])
print(json.dumps(sorted(seen)))
"""


def test_concurrent_writers_never_leave_a_half_written_entry(cache_dir):
    env = {**__import__("os").environ, "PF_CACHE_DIR": str(cache_dir)}
    run = lambda code, *args: subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env,  # noqa: E731
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    processes = [run(WRITER, "a"), run(WRITER, "b"), run(READER), run(READER)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    assert cache.load("shared")["payload"] == list(range(20000))
    assert not list(cache_dir.glob("*.tmp")), "temporary files are renamed or removed"
    for out, _ in outputs[2:]:
        assert set(json.loads(out)) <= {"a", "b"}


def test_old_entries_are_pruned(cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 3)
    for i in range(6):
        cache.store(f"entry{i}", i)
    assert len(list(cache_dir.glob("*.pickle"))) == 3
    assert cache.load("entry5") == 5


def test_the_cli_reads_what_it_cached(cache_dir, monkeypatch, capsys):
    import cli

    args = ["pf", "evaluate", "fangdidai-xw", str(APPLICANT), "--date", "2026-11-25", "--format", "json", "--trace"]
    outputs = []
    for no_cache in ("1", "", ""):
        monkeypatch.setenv("PF_NO_CACHE", no_cache)
        monkeypatch.setattr(sys, "argv", args)
        with pytest.raises(SystemExit) as exit_:
            cli.main()
        assert exit_.value.code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert date.fromisoformat(json.loads(outputs[0])["evaluated_on"]) == EVALUATION_DATE
