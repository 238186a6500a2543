"""Rule outcomes and the rules-only decision on DuckDB agree with the IR's own functions on generated applicants."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
import sqlglot.expressions as sg

from engine.batch.generate import generate
from engine.compile.ir import decide
from engine.sql.checks import decision, effective_action, outcome, reason_codes, rule_checks
from engine.sql.expressions import SqlExpressions, SqlUnsupported

ON = date(2026, 11, 25)


@pytest.mark.parametrize("code", ["shuiqitong-xw", "shuiqitong-zz"])
def test_rule_outcomes_and_decision_match_the_ir(code: str, catalog, tmp_path: Path) -> None:
    compiled = catalog.compiled(code, ON)
    checks = rule_checks(compiled)
    assert checks
    frame = generate(compiled.doc, catalog.dictionary, 3000, seed=7, on=ON)
    frame.write_parquet(tmp_path / "a.parquet")
    sources: dict[str, list[str]] = {}
    for column in frame.columns:
        if "." in column:
            sources.setdefault(column.split(".", 1)[0], []).append(column)
    translate = SqlExpressions(sg.Cast(this=sg.Literal.string(ON.isoformat()), to=sg.DataType.build("DATE")),
                               sources=sources)
    outcomes = [outcome(g, c, translate) for g, c in checks]
    actions = [effective_action(c, o) for (_, c), o in zip(checks, outcomes)]
    query = sg.select(sg.column("id"), *(o.as_(f"o{i}") for i, o in enumerate(outcomes)),
                      reason_codes([c for _, c in checks], outcomes, False).as_("failed"),
                      reason_codes([c for _, c in checks], outcomes, True).as_("unknown"),
                      decision(actions).as_("decision")).from_(
        sg.Anonymous(this="read_parquet", expressions=[sg.Literal.string(str(tmp_path / "a.parquet"))])).order_by("id")
    rows = duckdb.connect().execute(query.sql(dialect="duckdb")).fetchall()
    records = frame.sort("id").to_dicts()
    assert len(rows) == len(records) == 3000
    mismatches = []
    for row, record in zip(rows, records):
        record = {**{k: v for k, v in record.items() if v is not None}, "$date": ON}
        for source in sources:  # what the row path sees for has(source): the source is there
            if any(c in record for c in sources[source]):
                record[source] = True
        expected = [c.decides.function(record) if g.applies is None or g.applies.function(record) else True
                    for g, c in checks]
        *decided, failed, unknown, made = row[1:]
        if list(decided) != expected:
            mismatches.append((record["id"], decided, expected))
        if failed != [c.id for (_, c), e in zip(checks, expected) if e is False]:
            mismatches.append((record["id"], "failed", failed))
        if unknown != [c.id for (_, c), e in zip(checks, expected) if e is None]:
            mismatches.append((record["id"], "unknown", unknown))
        findings = [(c, e) for (_, c), e in zip(checks, expected) if e is not True]
        if made != decide(findings):
            mismatches.append((record["id"], made, decide(findings)))
    assert mismatches[:5] == []
    assert any(row[-3] for row in rows) and any(row[-2] for row in rows), "the sample has failed and undecided rules"


def test_a_scorecard_output_is_a_located_error(catalog) -> None:
    compiled = catalog.compiled("yiqitong", ON)
    translate = SqlExpressions(sg.CurrentDate())
    with pytest.raises(SqlUnsupported, match=r"a scorecard output \(scores\.business\.grade\) \(rule \w+ at [^:]+\.yaml:\d+:\d+\)"):
        for group, check in rule_checks(compiled):
            outcome(group, check, translate)
