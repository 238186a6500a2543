"""Every examples/lines/*.yaml scenario, step by step on a real SQLite file: each step's expected outcome holds."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.api import catalog_from_folders, evaluate_applicant
from engine.drawdown import DrawRequest
from engine.lines.draw import draw
from engine.lines.granting import grant_from_decision
from engine.lines.models import Line
from engine.lines.operations import repay, set_state
from engine.lines.store import Store
from engine.lines.views import line_model

SCENARIOS = sorted((Path(__file__).parent.parent / "examples" / "lines").glob("*.yaml"))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _line(store: Store, line_id: str) -> Line:
    with store.db.read() as conn:
        return line_model(store.line_row(conn, line_id))


def _step(store: Store, scenario: dict[str, Any], path: Path, line_id: str | None, step: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Run one step; returns the line id and the observed outcome (the step's result plus the line's figures)."""
    (kind, args), = ((k, v) for k, v in step.items() if k != "expect")
    seen: dict[str, Any] = {}
    catalog = catalog_from_folders()
    if kind == "grant":
        data = yaml.safe_load((path.parent / scenario["applicant"]).read_text(encoding="utf-8"))
        decision = evaluate_applicant(catalog, scenario["product"], data, _day(args["date"]))
        granted = grant_from_decision(store, decision, on=_day(args["date"]), actor="scenario")
        seen["decision"] = decision.decision
        line_id = granted.line.line_id if granted.line else None
    else:
        assert line_id is not None, f"{path.name}: {kind} before a granted line"
        if kind == "draw":
            request = DrawRequest(amount=Decimal(args["amount"]), term_months=args["term"], on=_day(args["date"]),
                                  payee=args.get("payee"), key=args.get("key"))
            result = draw(store, catalog, line_id, request, actor="scenario",
                          applicant=args.get("recheck", scenario.get("recheck")))
            seen |= {"decision": result.decision.decision, "reasons": [r.code for r in result.decision.reasons]}
        elif kind == "repay":
            paid = repay(store, line_id, Decimal(args["amount"]), on=_day(args["date"]), actor="scenario")
            seen |= {"interest": str(paid.interest), "principal": str(paid.principal)}
        elif kind in ("freeze", "unfreeze"):
            set_state(store, line_id, kind.replace("freeze", "frozen") if kind == "freeze" else "unfrozen",
                      reason=args["reason"], on=_day(args["date"]), actor="scenario")
        else:
            raise AssertionError(f"{path.name}: unknown step {kind!r}")
    if line_id is not None:
        line = _line(store, line_id)
        seen |= {"limit": str(line.limit), "rate_bp": line.rate_bp, "valid_to": line.valid_to, "maturity": line.maturity,
                 "state": line.state, "outstanding": str(line.outstanding), "available": str(line.available)}
    return line_id, seen


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_outcomes(path: Path, tmp_path: Path) -> None:
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    store = Store.open(str(tmp_path / "scenario.db"))
    line_id: str | None = None
    try:
        for number, step in enumerate(scenario["steps"], 1):
            line_id, seen = _step(store, scenario, path, line_id, step)
            expected = step["expect"]
            got = {k: seen.get(k) for k in expected}
            assert got == expected, f"{path.name} step {number} ({next(iter(step))}): expected {expected}, got {got}"
    finally:
        store.close()


def test_there_is_a_scenario() -> None:
    assert SCENARIOS, "examples/lines/ holds no scenario"
