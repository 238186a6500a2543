"""The hash chain on SQLite: an intact log verifies; each kind of tampering is detected and named."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from engine.ledger import DecisionLog, LogRecord
from engine.ledger.log import log_table


def record(n: int) -> LogRecord:
    return LogRecord(request_id=f"r{n}", channel="test", logged_at="2026-01-01T00:00:00+00:00",
                     input={"income": str(1000 + n)}, product_code="P", product_version="1",
                     content_hash="h" * 64, decision="approve", reasons=[], limit="100.00", rate_bp=385)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every chain test runs on a SQLite file and on the real PostgreSQL test cluster."""
    if request.param == "sqlite":
        return str(tmp_path / "log.db")
    return str(request.getfixturevalue("postgres_url"))


def filled(url: str, n: int = 5) -> DecisionLog:
    log = DecisionLog.open(url)
    assert log.append([record(i) for i in range(1, n + 1)]) == list(range(1, n + 1))
    return log


def kinds(log: DecisionLog) -> set[tuple[int, str]]:
    return {(p.seq, p.what) for p in log.verify()}


def test_intact_log_verifies_and_appends_continue(url: str) -> None:
    log = filled(url)
    assert log.append([record(6)]) == [6]
    assert log.verify() == []
    assert [r.request_id for _, r in log.records(since=5)] == ["r5", "r6"]


def test_edit_is_named(url: str) -> None:
    log = filled(url)
    with log.db.write() as conn:
        conn.execute(update(log_table).where(log_table.c.seq == 3).values(body=record(99).canonical()))
    assert kinds(log) == {(3, "edited")}


def test_delete_is_named(url: str) -> None:
    log = filled(url)
    with log.db.write() as conn:
        conn.execute(delete(log_table).where(log_table.c.seq == 3))
    assert (3, "deleted") in kinds(log)


def test_truncation_is_named(url: str) -> None:
    log = filled(url)
    with log.db.write() as conn:
        conn.execute(delete(log_table).where(log_table.c.seq >= 4))
    assert kinds(log) == {(5, "truncated")}


def test_reorder_is_named(url: str) -> None:
    log = filled(url)
    with log.db.write() as conn:
        rows = {r.seq: r for r in conn.execute(select(log_table).where(log_table.c.seq.in_([2, 3])))}
        for a, b in ((2, 3), (3, 2)):
            conn.execute(update(log_table).where(log_table.c.seq == a).values(
                prev_hash=rows[b].prev_hash, hash=rows[b].hash, body=rows[b].body, request_id=rows[b].request_id))
    assert kinds(log) and {w for _, w in kinds(log)} <= {"edited", "reordered"}


def test_insert_is_named(url: str) -> None:
    log = filled(url)
    with log.db.write() as conn:
        last = conn.execute(select(log_table).where(log_table.c.seq == 5)).one()
        conn.execute(update(log_table).where(log_table.c.seq == 5).values(seq=6))
        conn.execute(log_table.insert().values(seq=5, prev_hash=last.prev_hash, hash=last.hash,
                                               request_id="forged", body=record(50).canonical()))
    assert (5, "edited") in kinds(log) or (6, "inserted") in kinds(log)
    assert log.verify()


def test_a_record_from_a_real_decision_round_trips(catalog, tmp_path: Path) -> None:
    from engine.api import evaluate_applicant
    from tests.conftest import EVALUATION_DATE, ROOT
    from tests.test_api import _json_applicant

    path = sorted((ROOT / "examples" / "applicants").glob("*.yaml"))[0]
    product = path.stem.rsplit("-", 1)[0]
    data = _json_applicant(path)
    decision = evaluate_applicant(catalog, product, data, EVALUATION_DATE)
    rec = LogRecord.from_decision(decision, data, request_id="q1", channel="cli")
    assert rec.content_hash == decision.product.content_hash and rec.decision == decision.decision
    assert rec.reasons == [f.code for f in decision.findings]
    log = DecisionLog.open(str(tmp_path / "log.db"))
    assert log.append([rec, rec]) == [1, 2]
    assert [r for _, r in log.records()] == [rec, rec]
    assert log.verify() == []


def test_pf_log_verify_reports_intact_then_names_the_edit(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    db = str(tmp_path / "log.db")
    log = filled(db)
    run = [sys.executable, "-m", "cli", "log", "verify", "--db", db]
    ok = subprocess.run(run, capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and "intact: 5 record(s)" in ok.stdout
    with log.db.write() as conn:
        conn.execute(update(log_table).where(log_table.c.seq == 2).values(body=record(7).canonical()))
    bad = subprocess.run(run, capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1 and "record 2: edited" in bad.stderr
    missing = subprocess.run([*run[:-1], str(tmp_path / "none.db")], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr


def test_pf_evaluate_log_appends_the_decision(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    db = str(tmp_path / "log.db")
    argv = [sys.executable, "-m", "cli", "evaluate", "fangdidai-xw", "examples/applicants/fangdidai-xw-approve.yaml",
            "--date", "2026-11-25", "--format", "json", "--log", "--db", db]
    for _ in range(2):
        done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
    log = DecisionLog.open(db)
    logged = [r for _, r in log.records()]
    assert [r.product_code for r in logged] == ["fangdidai-xw"] * 2 and logged[0].channel == "cli"
    assert logged[0].decision == json.loads(done.stdout)["decision"] and log.verify() == []
