"""The pf command line as a user runs it: exit codes, stdout for results, stderr for errors."""
from __future__ import annotations

import io
import json
import sys

import pytest

import cli
from tests.conftest import ROOT

EXAMPLE = str(ROOT / "examples" / "applicants" / "shuiqitong-xw-approve.yaml")


def pf(monkeypatch, capsys, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["pf", *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exited:
        cli.main()
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def test_evaluate_table(monkeypatch, capsys):
    code, out, err = pf(monkeypatch, capsys, "evaluate", "shuiqitong-xw", EXAMPLE, "--date", "2026-11-25")
    assert code == 0 and err == ""
    assert "决策 Decision: APPROVE 通过" in out
    assert "额度 Limit: 770,000.00 元" in out and "sales_share" in out and "<- binding" in out
    assert "利率 Rate: 3.55% (355bp)" in out


def test_evaluate_by_chinese_name_as_json(monkeypatch, capsys):
    code, out, _ = pf(monkeypatch, capsys, "evaluate", "税企通-小微经营贷", EXAMPLE, "--date", "2026-11-25", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["decision"] == "approve" and data["schema_version"] == 1
    assert data["limit"]["amount"] == "770000.00" and data["limit"]["binding_cap"] == "sales_share"
    assert data["rate"]["final_bp"] == 355 and data["rate"]["final_percent"] == "3.55%"
    product = data["product"]
    assert {k: product[k] for k in ("code", "name", "version", "pack")} == {
        "code": "shuiqitong-xw", "name": "税企通-小微经营贷", "version": "1.0", "pack": "builtin"}
    assert len(product["content_hash"]) == 16 and int(product["content_hash"], 16) >= 0


def test_evaluate_from_stdin_and_trace(monkeypatch, capsys):
    applicant = json.dumps({"applicant": {"customer_type": "farmer", "age": 30}})
    code, out, _ = pf(monkeypatch, capsys, "evaluate", "shuiqitong-xw", "-", "--date", "2026-11-25", "--format", "json", "--trace", stdin=applicant)
    data = json.loads(out)
    assert code == 0 and data["decision"] == "decline"
    assert data["findings"][0]["code"] == "CUSTOMER_TYPE"
    assert data["trace"][0] == {"order": 1, "kind": "rule", "id": "CUSTOMER_TYPE", "outcome": "fail",
                                "inputs": {"applicant.customer_type": "farmer"}, "value": None}
    assert len(data["trace"]) > 30


@pytest.mark.parametrize("args, message", [
    (["evaluate", "shuiqitong-xv", EXAMPLE], "unknown product 'shuiqitong-xv' (did you mean 'shuiqitong-xw'"),
    (["evaluate", "shuiqitong-xw", "missing.yaml"], "missing.yaml: file not found"),
    (["evaluate", "shuiqitong-xw", EXAMPLE, "--date", "2026-02-30"], "--date: '2026-02-30' is not an ISO date"),
    (["evaluate", "shuiqitong-xw", EXAMPLE, "--date", "2020-01-01"], "shuiqitong-xw has no version in force on 2020-01-01 (1.0: 2024-01-01 to open-ended)"),
    (["evaluate", "shuiqitong-xw", EXAMPLE, "--format", "xml"], "Invalid value for '--format'"),
    (["evaluate", "shuiqitong-xw"], "Missing argument"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["validate", "nowhere"], "nowhere: not a folder"),
    (["schedule", "--amount", "abc", "--rate", "4.9", "--term", "12"], "--amount: 'abc' is not a number"),
    (["schedule", "--amount", "1000", "--rate", "4.9", "--term", "12", "--method", "balloon"], "balloon"),
])
def test_usage_and_input_errors_exit_2_without_traceback(monkeypatch, capsys, args, message):
    code, out, err = pf(monkeypatch, capsys, *args)
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_bad_applicant_file_names_line_and_column(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"tax": {"paid_12m": "abc"}}', encoding="utf-8")
    code, out, err = pf(monkeypatch, capsys, "evaluate", "shuiqitong-xw", str(bad))
    assert code == 2 and out == ""
    assert err.strip().endswith("bad.json:1:22: $.tax.paid_12m: expected a number (元), got text 'abc'")


def test_list_show_validate(monkeypatch, capsys):
    code, out, _ = pf(monkeypatch, capsys, "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["code", "name", "version", "effective", "from", "to", "pack", "extends"]
    assert len(lines) == 6 and any(line.split()[:3] == ["shuiqitong-xw", "税企通-小微经营贷", "1.0"] for line in lines)
    code, out, _ = pf(monkeypatch, capsys, "show", "shuiqitong-xw")
    assert code == 0 and "CB_CURRENT_OVERDUE" in out and "Table rate_spread" in out and "overrides: allowed_grades=A、B、M" in out
    code, out, _ = pf(monkeypatch, capsys, "show", "shuiqitong-xw", "--format", "json")
    assert code == 0 and json.loads(out)["effective"]["from"] == "2024-01-01"
    code, out, _ = pf(monkeypatch, capsys, "validate")
    assert code == 0 and out.startswith("OK:")


def test_validate_lists_every_problem_and_exits_2(monkeypatch, capsys, pack):
    from tests.fixtures import MINI_PRODUCT, write_product

    write_product(pack, MINI_PRODUCT.replace("params.min_paid\n", "params.min_payd\n").replace("action: refer\n", "action: refuse\n", 1))
    code, out, err = pf(monkeypatch, capsys, "validate", str(pack))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert any(": PF002 error: $.eligibility[1].action: Input should be 'decline' or 'refer', got 'refuse'" in line for line in lines)
    # the schema error does not hide the expression typo in another rule
    assert any(": PF102 error: " in line and "unknown param 'min_payd'" in line for line in lines), lines
    assert lines[-1].startswith("2 error(s), ") and lines[-1].endswith("document(s)")


def test_validate_looks_behind_an_unknown_key_but_not_behind_an_error_without_a_stand_in(monkeypatch, capsys, pack):
    from tests.fixtures import MINI_PRODUCT, write_product

    typo = MINI_PRODUCT.replace("params.min_paid\n", "params.min_payd\n")
    write_product(pack, typo.replace("borrower: individual\n", "borrower: individual\nborower: individual\n"))
    code, _, err = pf(monkeypatch, capsys, "validate", str(pack))
    assert code == 2 and "PF002" in err and "unknown key 'borower'" in err and "PF102" in err
    write_product(pack, typo.replace("message: 当前逾期\n", "message: [当前逾期]\n"))  # no obvious stand-in for a message
    code, _, err = pf(monkeypatch, capsys, "validate", str(pack))
    assert code == 2 and "PF002" in err and "PF102" not in err


def test_schedule_textbook_case(monkeypatch, capsys):
    code, out, _ = pf(monkeypatch, capsys, "schedule", "--amount", "1000000", "--rate", "4.9%", "--term", "360",
                      "--method", "equal-installment", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["periods"][0]["payment"] == "5307.27" and len(data["periods"]) == 360
    code, out, _ = pf(monkeypatch, capsys, "schedule", "--amount", "1000000", "--rate", "4.9", "--term", "360", "--method", "等额本金", "--format", "csv")
    assert code == 0 and out.splitlines()[1].startswith("1,,6861.11,2777.78,4083.33,")
