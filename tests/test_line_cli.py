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
