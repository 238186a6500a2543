"""Product test cases written in YAML beside the products, their runner, and rule coverage.

A test file is products/<code>.tests.yaml (or any products/*.tests.yaml naming `product:`):

    product: shuiqitong-xw
    date: 2026-11-25
    applicant: ../examples/applicants/shuiqitong-xw-approve.yaml   # default for the cases
    cases:
      - name: A级纳税人通过
        expect: {decision: approve, limit: 770000, binding_cap: sales_share, rate_bp: 355}
      - name: 当前逾期拒绝
        with: {credit_bureau.current_overdue_amount: 5000}         # dotted overrides; null removes
        expect: {decision: decline, reasons: [CB_CURRENT_OVERDUE]}
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from engine.core.errors import DocumentError, Problem, ProductFactoryError, UsageError, did_you_mean
from engine.core.limits import LIMITS
from engine.documents.applicant import applicant_record, check_value
from engine.documents.loaders import document_files, document_stem, is_test_file
from engine.documents.models import CaseDoc, Expectation, PaymentExpectation, TestFileDoc
from engine.documents.reading import read_limited
from engine.documents.source import SourceDocument, load_document
from engine.documents.validation import validate_document
from engine.evaluate.interpreter import Evaluation, evaluate
from engine.results.build import to_decision

DECISIONS = ("approve", "refer", "decline")


@dataclass
class CaseResult:
    file: str
    line: int | None
    name: str
    product: str
    status: Literal["pass", "fail", "error"]
    differences: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, expected, actual)
    error: str | None = None
    evaluation: Evaluation | None = None
    # What the case was evaluated on, so other backends can be run on the very same input.
    record: dict[str, Any] | None = None
    day: date | None = None
    catalog: Any = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def discover(pack_roots: list[Path]) -> list[Path]:
    """Test files (products/*.tests.yaml) and product files with a `tests:` section."""
    files: list[Path] = []
    for root in pack_roots:
        folder = root / "products"
        if folder.is_dir():
            documents = document_files(folder)
            files.extend(p for p in documents if is_test_file(p.name))
            files.extend(p for p in documents if not is_test_file(p.name) and _has_tests(p))
    return files


def test_files(paths: list[Path]) -> list[Path]:
    """The test files named: a file as is, a folder searched with discover; nothing found is a UsageError."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(discover([path]))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such test file or pack folder")
    if not files:
        raise UsageError("no *.tests.yaml files found")
    return files


def _has_tests(path: Path) -> bool:
    # A cheap look before parsing: only files with a top-level `tests:` key are parsed here. A file that cannot
    # be read is reported when the catalog loads it (pf test loads every pack first), so it is skipped here.
    try:
        data = read_limited(path, str(path), LIMITS.document_bytes)
    except DocumentError:
        return False
    return data.startswith(b"tests:") or b"\ntests:" in data


def load_test_file(path: Path, display: str) -> tuple[TestFileDoc, SourceDocument]:
    """The test cases of a test file, or of a product file's `tests:` section (positions kept)."""
    return parse_test_file(load_document(path, display), test_file=is_test_file(path.name))


def parse_test_file(source: SourceDocument, test_file: bool) -> tuple[TestFileDoc, SourceDocument]:
    """The test cases of a parsed test file (test_file) or of a product document's `tests:` section."""
    if test_file or not (isinstance(source.data, dict) and "tests" in source.data):
        return validate_document(source, TestFileDoc), source
    section = _subdocument(source, ("tests",), source.data["tests"])
    tests = validate_document(section, TestFileDoc)
    if tests.product is None:
        tests = tests.model_copy(update={"product": source.data.get("code")})
    return tests, section


def run_file(catalog: Any, path: Path, display: str, catalogs: dict[tuple[str, ...], Any] | None = None,
             trace: bool = False) -> list[CaseResult]:
    """Run every case of one test file; a broken file is one error result, not an exception."""
    try:
        tests, source = load_test_file(path, display)
    except ProductFactoryError as exc:
        return [CaseResult(display, None, "(file)", "", "error", error=exc.render())]
    default_product = tests.product or document_stem(path.name)
    results = []
    for index, case in enumerate(tests.cases):
        position = source.position(("cases", index))
        product = case.product or default_product
        result = CaseResult(display, position.line if position else None, case.name, product, "pass")
        try:
            day = case.date or tests.date
            if day is None:
                raise DocumentError([source.problem(("cases", index), "no evaluation date: give `date:` in the case or the file")])
            case_catalog = _catalog_for(catalog, path.parent, tests.packs + case.packs, catalogs)
            compiled = case_catalog.compiled(product, day)
            record = _applicant(case, tests, path.parent, source, index, case_catalog.dictionary)
            result.record, result.day, result.catalog = record, day, case_catalog
            result.evaluation = evaluate(compiled, record, day, trace=trace)
            result.differences = compare(case.expect, result.evaluation)
            result.status = "fail" if result.differences else "pass"
        except ProductFactoryError as exc:
            result.status, result.error = "error", exc.render()
        results.append(result)
    return results


def _catalog_for(catalog: Any, base: Path, packs: list[str], cache: dict[tuple[str, ...], Any] | None) -> Any:
    if not packs:
        return catalog
    key = tuple(str((base / p).resolve()) for p in packs)
    cache = cache if cache is not None else {}
    if key not in cache:
        cache[key] = catalog.with_packs(Path(p) for p in key)
    return cache[key]


def _applicant(case: CaseDoc, tests: TestFileDoc, base: Path, source: SourceDocument, index: int, dictionary: Any) -> dict[str, Any]:
    spec = case.applicant if case.applicant is not None else tests.applicant
    where: tuple[Any, ...] = ("cases", index, "applicant") if case.applicant is not None else ("applicant",)
    if spec is None:
        raise DocumentError([source.problem(("cases", index), "no applicant: give `applicant:` in the case or the file")])
    if isinstance(spec, str):
        path = (base / spec)
        record = applicant_record(load_document(path, str(path), max_bytes=LIMITS.applicant_bytes), dictionary)
    else:
        record = applicant_record(_subdocument(source, where, spec), dictionary)
    problems: list[Problem] = []
    for dotted, value in (case.with_ or {}).items():
        definition = dictionary.field(dotted)
        at = ("cases", index, "with", dotted)
        if definition is None:
            problems.append(source.problem(at, f"unknown field {dotted!r}", did_you_mean(dotted, dictionary.paths()), key=True))
            continue
        if value is None:
            record.pop(dotted, None)
            continue
        checked, error = check_value(definition, value)
        if error:
            problems.append(source.problem(at, error))
            continue
        record[dotted] = checked
    if problems:
        raise DocumentError(problems)
    # A source counts as present (has(source)) exactly when one of its fields is, as in an applicant file.
    for name in {key.partition(".")[0] for key in (case.with_ or {})}:
        if any(key.startswith(name + ".") for key in record):
            record[name] = True
        else:
            record.pop(name, None)
    return record


def _subdocument(source: SourceDocument, where: tuple[Any, ...], data: Any) -> SourceDocument:
    """The part of a document at `where`, as a document of its own that keeps the file's positions."""
    size = len(where)
    values = {p[size:]: pos for p, pos in source.values.items() if p[:size] == where}
    keys = {p[size:]: pos for p, pos in source.keys.items() if p[:size] == where}
    return SourceDocument(source.file, data, values, keys, source.lines)


def compare(expect: Expectation, evaluation: Evaluation) -> list[tuple[str, Any, Any]]:
    """Every expected field that differs from the actual result: (field, expected, actual)."""
    decision = to_decision(evaluation)
    codes = [f.code for f in decision.findings]
    differences: list[tuple[str, Any, Any]] = []
    given = expect.model_fields_set
    if expect.decision is not None and expect.decision != decision.decision:
        differences.append(("decision", expect.decision, decision.decision))
    if expect.reasons is not None and sorted(expect.reasons) != sorted(codes):
        differences.append(("reasons", expect.reasons, codes))
    if expect.reasons_include is not None and not set(expect.reasons_include) <= set(codes):
        differences.append(("reasons_include", expect.reasons_include, codes))
    if expect.reasons_exclude is not None and set(expect.reasons_exclude) & set(codes):
        differences.append(("reasons_exclude", expect.reasons_exclude, codes))
    limit = decision.limit.amount if decision.limit else None
    if "limit" in given and expect.limit != limit:
        differences.append(("limit", expect.limit, limit))
    binding = decision.limit.binding_cap if decision.limit else None
    if "binding_cap" in given and expect.binding_cap != binding:
        differences.append(("binding_cap", expect.binding_cap, binding))
    rate_bp = decision.rate.final_bp if decision.rate else None
    if "rate_bp" in given and expect.rate_bp != rate_bp:
        differences.append(("rate_bp", expect.rate_bp, rate_bp))
    if "rate" in given and expect.rate != (decision.rate.final_percent if decision.rate else None):
        differences.append(("rate", expect.rate, decision.rate.final_percent if decision.rate else None))
    if expect.monthly_payment is not None:
        differences.extend(_payment_difference(expect.monthly_payment, limit, rate_bp))
    return differences


def _payment_difference(expected: PaymentExpectation, limit: Decimal | None, rate_bp: int | None) -> list[tuple[str, Any, Any]]:
    from engine.core.money import bp_to_rate
    from engine.finance.schedules import build_schedule

    amount = expected.amount if expected.amount is not None else limit
    if amount is None or rate_bp is None:
        return [("monthly_payment", expected.payment, "no offer (no limit or rate)")]
    first = build_schedule(amount, bp_to_rate(rate_bp), expected.term, expected.method).periods[0].payment
    return [] if first == expected.payment else [("monthly_payment", expected.payment, first)]


# ---------------------------------------------------------------- coverage


@dataclass
class ProductCoverage:
    product: str
    rules: dict[str, dict[str, int]]  # rule id -> outcome -> count (pass, fail, unknown, not_applicable)
    rows: dict[str, int]  # 'table[i]' -> times matched
    decisions: dict[str, int]

    def rules_missing(self) -> list[tuple[str, list[str]]]:
        """Rules that no case made fail, or none let through (passed, or guarded out by `when:`)."""
        return [(rule, lacking) for rule, outcomes in self.rules.items() if (lacking := _lacking(outcomes))]

    def rows_missing(self) -> list[str]:
        return [row for row, count in self.rows.items() if not count]

    def decisions_missing(self) -> list[str]:
        return [d for d in DECISIONS if not self.decisions.get(d)]

    @property
    def complete(self) -> bool:
        return not (self.rules_missing() or self.rows_missing() or self.decisions_missing())


def _lacking(outcomes: dict[str, int]) -> list[str]:
    lacking = [] if outcomes.get("pass") or outcomes.get("not_applicable") else ["pass"]
    return lacking + ([] if outcomes.get("fail") else ["fail"])


def coverage(results: list[CaseResult]) -> dict[str, ProductCoverage]:
    """Per product code: how often each rule passed, failed or went unknown, and each row matched."""
    report: dict[str, ProductCoverage] = {}
    for result in results:
        evaluation = result.evaluation
        if evaluation is None or evaluation.trace is None:
            continue
        product = evaluation.product
        entry = report.get(product.code)
        if entry is None:
            rules = [r.id for r in product.eligibility] + [r.id for c in product.combinations for r in c.rules]
            rows = [f"{t.id}[{row.index}]" for t in product.tables for row in t.rows]
            entry = report[product.code] = ProductCoverage(product.code, {r: {} for r in rules}, dict.fromkeys(rows, 0), {})
        entry.decisions[evaluation.decision] = entry.decisions.get(evaluation.decision, 0) + 1
        for kind, ident, outcome, _, _ in evaluation.trace:
            if kind == "rule" and ident in entry.rules:
                entry.rules[ident][outcome] = entry.rules[ident].get(outcome, 0) + 1
            elif kind == "table_row" and outcome == "match" and ident in entry.rows:
                entry.rows[ident] += 1
    return report


# ---------------------------------------------------------------- reports


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "null" if value is None else str(value)


def render_results(results: list[CaseResult]) -> str:
    lines = []
    for r in results:
        lines.append(f"{r.status.upper():5s} {r.where}  {r.name}  ({r.product})")
        for name, expected, actual in r.differences:
            lines.append(f"        {name}: expected {_show(expected)}, got {_show(actual)}")
        if r.error:
            lines.extend("        " + line for line in r.error.splitlines())
    counts = {s: sum(1 for r in results if r.status == s) for s in ("pass", "fail", "error")}
    lines.append(f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors")
    return "\n".join(lines) + "\n"


def render_coverage(report: dict[str, ProductCoverage]) -> str:
    lines = []
    for code in sorted(report):
        cov = report[code]
        covered = sum(1 for outcomes in cov.rules.values() if not _lacking(outcomes))
        rows = sum(1 for count in cov.rows.values() if count)
        lines.append(f"{code}: rules {covered}/{len(cov.rules)} passed and failed; table rows {rows}/{len(cov.rows)} matched; "
                     f"decisions reached: {', '.join(d for d in DECISIONS if cov.decisions.get(d)) or 'none'}")
        for rule, outcomes in cov.rules.items():
            counts = " ".join(f"{o}={outcomes.get(o, 0)}" for o in ("pass", "fail", "unknown", "not_applicable"))
            lacking = _lacking(outcomes)
            lines.append(f"  {'  ' if not lacking else '! '}{rule:32s} {counts}" + (f"   never {' nor '.join(lacking)}" if lacking else ""))
        for row, count in cov.rows.items():
            if not count:
                lines.append(f"  ! {row:32s} never matched")
        for decision in cov.decisions_missing():
            lines.append(f"  ! no case reaches {decision}")
    return "\n".join(lines) + "\n"
