"""Pack templates: the built-in documents render from real decisions; a missing variable names file and line."""
from __future__ import annotations

from datetime import date

import pytest

from engine.catalog import Catalog
from engine.documents.applicant import load_applicant
from engine.documents.loaders import MemoryLoader
from engine.paperwork.produce import Paperwork
from engine.paperwork.templates import PackTemplates, TemplateError

DAY = date(2026, 11, 25)


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
