"""`pf line …` and `pf pool show` as a user runs them, on a real SQLite file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from engine.lines.operations import grant
from engine.lines.store import Store
from tests.test_lines import terms


def pf(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PF_DB": ""}
    return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).parent.parent)


def test_freeze_show_list_and_bad_input(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    store = Store.open(db)
    grant(store, terms("L1"), on=date(2026, 3, 1), actor="a")
    store.close()
    frozen = pf("line", "freeze", "L1", "--reason", "预警", "--db", db, "--date", "2026-03-02", "--format", "json")
    assert frozen.returncode == 0, frozen.stderr
    assert json.loads(frozen.stdout)["state"] == "frozen"
    shown = json.loads(pf("line", "show", "L1", "--db", db, "--format", "json").stdout)
    assert [e["kind"] for e in shown["events"]] == ["granted", "frozen"]
    listed = json.loads(pf("line", "list", "--state", "frozen", "--db", db, "--format", "json").stdout)
    assert [m["line_id"] for m in listed] == ["L1"]
    for args, message in [
        (("line", "show", "NOPE"), "line 'NOPE': no such line"),
        (("line", "repay", "L1", "--amount", "-5"), "must"),
        (("line", "freeze", "L1", "--reason", "x"), "L1 is frozen"),
        (("pool", "show", "P"), "pool 'P': no such pool"),
    ]:
        run = pf(*args, "--db", db)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert message in run.stderr and "Traceback" not in run.stderr
    drawn = pf("line", "draw", "L1", "--amount", "10000", "--term", "6", "--date", "2026-03-02", "--db", db, "--format", "json")
    assert drawn.returncode == 0, drawn.stderr
    assert json.loads(drawn.stdout)["decision"]["decision"] == "decline"  # frozen: a business outcome, not an error
    bad = pf("line", "draw", "L1", "--amount", "0.001", "--term", "6", "--db", db)
    assert bad.returncode == 2 and "not a whole number of cents" in bad.stderr
    missing = pf("line", "show", "L1", "--db", str(tmp_path / "absent.db"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


APPLICANTS = Path(__file__).parent.parent / "examples" / "applicants"


def test_grant_approve_gives_the_decisions_limit_and_decline_grants_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    expected = json.loads(pf("evaluate", "yiqitong", str(APPLICANTS / "yiqitong-approve.json"), "--date", "2026-03-01",
                             "--format", "json").stdout)
    run = pf("line", "grant", "yiqitong", str(APPLICANTS / "yiqitong-approve.json"), "--date", "2026-03-01", "--db", db,
             "--format", "json")
    assert run.returncode == 0, run.stderr
    granted = json.loads(run.stdout)
    line = granted["line"]
    assert granted["decision"]["decision"] == "approve"
    assert line["limit"] == expected["limit"]["amount"] == "2350000.00"
    assert (line["base_bp"], line["rate_bp"]) == (expected["rate"]["base_bp"], expected["rate"]["final_bp"])
    assert (line["valid_from"], line["valid_to"], line["maturity"]) == ("2026-03-01", "2029-02-28", "2030-02-28")
    assert line["revolving"] is True and line["terms_months"] == expected["terms"]["months"]
    assert line["repayment_methods"] == expected["terms"]["repayment_methods"]
    assert (line["product_code"], line["content_hash"]) == ("yiqitong", expected["product"]["content_hash"])
    assert line["decision_id"] == granted["decision_id"] and line["customer_id"] == "YQT-0001"
    shown = json.loads(pf("line", "show", line["line_id"], "--db", db, "--format", "json").stdout)
    assert [e["kind"] for e in shown["events"]] == ["granted"]
    assert shown["events"][0]["evidence"]["decision_id"] == granted["decision_id"]
    again = pf("line", "grant", "yiqitong", str(APPLICANTS / "yiqitong-approve.json"), "--date", "2026-03-01", "--db", db)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr

    for name, kind in [("yiqitong-decline.yaml", "decline"), ("yiqitong-refer.yaml", "refer")]:
        run = pf("line", "grant", "yiqitong", str(APPLICANTS / name), "--date", "2026-03-01", "--db", db, "--format", "json")
        assert run.returncode == 0, run.stderr
        out = json.loads(run.stdout)
        assert out["decision"]["decision"] == kind and out["line"] is None and out["decision"]["findings"]
    listed = json.loads(pf("line", "list", "--db", db, "--format", "json").stdout)
    assert [m["line_id"] for m in listed] == [line["line_id"]]

    for args, message in [
        (("nope", str(APPLICANTS / "yiqitong-approve.json")), "unknown product 'nope'"),
        (("yiqitong", str(tmp_path / "absent.yaml")), "file not found"),
        (("yiqitong", str(APPLICANTS / "yiqitong-approve.json"), "--date", "2026-13-01"), "--date: '2026-13-01' is not an ISO date (YYYY-MM-DD)"),
    ]:
        run = pf("line", "grant", *args, "--db", db)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert message in run.stderr and "Traceback" not in run.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("applicant:\n  age: forty\n", encoding="utf-8")
    run = pf("line", "grant", "yiqitong", str(broken), "--db", db)
    assert run.returncode == 2 and "broken.yaml:2:" in run.stderr and "Traceback" not in run.stderr
