"""Pack templates: the built-in documents render from real decisions; a missing variable names file and line."""
from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from engine.catalog import Catalog
from engine.documents.applicant import load_applicant
from engine.documents.loaders import MemoryLoader
from engine.paperwork.produce import Paperwork
from engine.paperwork.templates import PackTemplates, TemplateError

DAY = date(2026, 11, 25)
ROOT = Path(__file__).resolve().parent.parent


def test_contract_and_decline_notice_from_real_decisions() -> None:
    catalog = Catalog()
    work = Paperwork(catalog, DAY)
    approve = load_applicant("examples/applicants/fangdidai-xw-approve.yaml", catalog.dictionary)
    html = work.render(catalog.compiled("fangdidai-xw", DAY), approve, "借款合同要素").html
    assert "1,640,000.00" in html and "人民币壹佰陆拾肆万元整" in html and "1年期LPR(3.00%)加70个基点,即3.70%" in html
    decline = load_applicant("examples/applicants/shuiqitong-xw-decline.yaml", catalog.dictionary)
    notice = work.render(catalog.compiled("shuiqitong-xw", DAY), decline, "decline-notice").html
    assert "近24个月最长连续逾期3期" in notice


def test_undefined_variable_names_file_line_and_variable() -> None:
    templates = PackTemplates([("bank", MemoryLoader({"templates/x.html.j2": "line one\n{{ nothing_here }}\n"}, label="bank"))])
    with pytest.raises(TemplateError) as caught:
        templates.render("x", {"offer": 1})
    assert "x.html.j2:2" in str(caught.value) and "nothing_here" in str(caught.value)


def test_syntax_error_names_file_and_line() -> None:
    templates = PackTemplates([("bank", MemoryLoader({"templates/x.html.j2": "ok\n{% if %}\n"}, label="bank"))])
    with pytest.raises(TemplateError, match=r"x\.html\.j2:2: template syntax error"):
        templates.render("x", {})


# --- pf document, through the real command line --------------------------------------------------

def _pf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "cli.py", *args], capture_output=True, text=True, cwd=ROOT, check=False)


@pytest.mark.parametrize(("product", "applicant", "template", "expected"), [
    ("fangdidai-xw", "fangdidai-xw-approve.yaml", "approval-notice", ["审批通知书", "1,640,000.00", "人民币壹佰陆拾肆万元整"]),
    ("fangdidai-xw", "fangdidai-xw-approve.yaml", "还款计划表", ["还款计划表", "1,640,000.00", "人民币壹佰陆拾肆万元整", "1,645,056.67"]),
    ("fangdidai-xw", "fangdidai-xw-approve.yaml", "loan-contract", ["借款合同要素", "1,640,000.00", "人民币壹佰陆拾肆万元整", "即3.70%"]),
    ("shuiqitong-xw", "shuiqitong-xw-decline.yaml", "拒绝通知书", ["拒绝通知书", "近24个月最长连续逾期3期"]),
])
def test_pf_document_writes_each_builtin_document(tmp_path: Path, product: str, applicant: str, template: str,
                                                  expected: list[str]) -> None:
    out = tmp_path / "doc.html"
    done = _pf("document", product, f"examples/applicants/{applicant}", "--template", template, "--date", "2026-11-25", "-o", str(out))
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    for text in expected:
        assert text in html
    assert [p.name for p in tmp_path.iterdir()] == ["doc.html"]  # the temporary file was renamed, none left over


def test_pf_document_unknown_template_names_the_available_ones(tmp_path: Path) -> None:
    out = tmp_path / "doc.html"
    done = _pf("document", "fangdidai-xw", "examples/applicants/fangdidai-xw-approve.yaml", "--template", "approval-notise",
               "-o", str(out))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    for name in ("approval-notice", "decline-notice", "offer-sheet", "loan-contract", "审批通知书"):
        assert name in done.stderr
    assert not out.exists()


def test_pf_document_bank_pack_template_with_undefined_variable(tmp_path: Path) -> None:
    """A bank's own 拒绝通知书 replaces the built-in; its undefined variable is file:line, exit 2, nothing written."""
    bank = tmp_path / "bank"
    (bank / "templates").mkdir(parents=True)
    (bank / "templates" / "decline-notice.html.j2").write_text("<p>本行通知</p>\n{{ applicant_name }}\n", encoding="utf-8")
    out = tmp_path / "doc.html"
    args = ["document", "shuiqitong-xw", "examples/applicants/shuiqitong-xw-decline.yaml", "--template", "decline-notice",
            "--date", "2026-11-25", "--pack", str(bank), "-o", str(out)]
    done = _pf(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "decline-notice.html.j2:2" in done.stderr and "applicant_name" in done.stderr and "applicant_id" in done.stderr
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["bank"]
    (bank / "templates" / "decline-notice.html.j2").write_text("<p>本行通知 {{ applicant_id }}</p>\n", encoding="utf-8")
    done = _pf(*args)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("<p>本行通知 ")


def test_pf_document_declined_applicant_has_no_contract(tmp_path: Path) -> None:
    out = tmp_path / "doc.html"
    done = _pf("document", "shuiqitong-xw", "examples/applicants/shuiqitong-xw-decline.yaml", "--template", "loan-contract",
               "--date", "2026-11-25", "-o", str(out))
    assert done.returncode == 2 and "declined" in done.stderr and not out.exists()
