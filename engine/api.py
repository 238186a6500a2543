"""The public Python API (re-exported lazily by engine/__init__.py; documented in docs/api.md).

Build a catalog from folders or from files in memory, evaluate one applicant given as plain JSON-typed
data (floats welcome: each is the decimal its shortest repr shows), get the Decision as a pydantic
model or as JSON, and evaluate a polars DataFrame of dotted columns as `pf batch` does.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from engine.catalog import Catalog
from engine.core.errors import DocumentError, Problem, UsageError
from engine.documents.applicant import Record, flatten
from engine.documents.loaders import MemoryLoader, PackLoader
from engine.evaluate.interpreter import evaluate as _evaluate
from engine.results.build import to_decision
from engine.results.decision import Decision

if TYPE_CHECKING:  # polars is imported only by evaluate_frame: one decision must not pay for it
    import polars as pl

APPLICANT_NAME = "<applicant>"  # how problems name an applicant given as data


def catalog_from_folders(root: Path | str | None = None, packs: Iterable[Path | str] = ()) -> Catalog:
    """The catalog of a root pack folder (default: the built-in pack) and further pack folders, in order."""
    return Catalog(Path(root) if root is not None else None, [Path(p) for p in packs])


def catalog_from_memory(packs: Mapping[str, Mapping[str, str]] | Iterable[PackLoader]) -> Catalog:
    """A catalog whose packs are held in memory, in layering order: {label: {relative path: text}}.

    The first pack brings schemas/dictionary.yaml; problems name files '<label>/products/x.yaml'."""
    if isinstance(packs, Mapping):
        loaders: list[PackLoader] = [MemoryLoader(files, label) for label, files in packs.items()]
    else:
        loaders = list(packs)
    return Catalog.from_loaders(loaders)


def applicant_from_data(catalog: Catalog, data: Any) -> Record:
    """A JSON-typed applicant ({source: {field: value}}, e.g. json.loads output) checked against the data
    dictionary; DocumentError lists every problem, with the same messages as an applicant file."""
    problems: list[Problem] = []

    def report(path: tuple, message: str, hint: str | None = None, key: bool = False) -> None:
        problems.append(Problem(APPLICANT_NAME, None, None, tuple(path), message, hint))

    record = flatten(data, catalog.dictionary, report)
    if problems:
        raise DocumentError(problems)
    return record


def evaluate_applicant(catalog: Catalog, product: str, applicant: Mapping[str, Any], on: date | str, *, trace: bool = False) -> Decision:
    """The Decision for one applicant on a date (the product version in force on that date)."""
    day = _day(on)
    compiled = catalog.compiled(product, day)
    return to_decision(_evaluate(compiled, applicant_from_data(catalog, applicant), day, trace=trace))


def decision_json(decision: Decision, indent: int | None = 2) -> str:
    """The Decision as `pf evaluate --format json` prints it."""
    return decision.model_dump_json(indent=indent, exclude_none=False)


def evaluate_frame(catalog: Catalog, product: str, frame: "pl.DataFrame", on: date | str, *, id_column: str = "id",
                   keep: Iterable[str] = (), detail: bool = False) -> "pl.DataFrame":
    """Evaluate every row of a frame with `pf batch`'s columns (dotted data-dictionary paths, optional id,
    typed or text); returns the result frame (row, id, decision, reasons, limit, binding_cap, rate_bp, ...).
    A row with an invalid value raises DocumentError listing every such row (use evaluate_frame_result
    to keep going and get the rejects instead)."""
    result = evaluate_frame_result(catalog, product, frame, on, id_column=id_column, keep=keep, detail=detail)
    if result.rejects:
        raise DocumentError([Problem(f"row {r.row}" + (f" (id {r.id})" if r.id else ""), None, None, tuple(r.field.split(".")),
                                     r.message) for r in result.rejects])
    return result.frame


def evaluate_frame_result(catalog: Catalog, product: str, frame: "pl.DataFrame", on: date | str, *, id_column: str = "id",
                          keep: Iterable[str] = (), detail: bool = False) -> Any:
    """Like evaluate_frame, but returns the whole BatchResult: .frame, .rejects, .reason_counts, ..."""
    from engine.batch.reading import frame_batch
    from engine.batch.run import evaluate_batch

    day = _day(on)
    compiled = catalog.compiled(product, day)
    batch = frame_batch(frame, catalog.dictionary, keep=list(keep), id_column=id_column, source="frame")
    return evaluate_batch(compiled, batch, day, detail=detail)


def _day(on: date | str) -> date:
    if isinstance(on, date):
        return on
    try:
        return date.fromisoformat(on)
    except (TypeError, ValueError):
        raise UsageError(f"invalid date {on!r}: expected YYYY-MM-DD") from None
