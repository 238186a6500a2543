"""`pf document`: one applicant's document (审批通知书, 拒绝通知书, 还款计划表, 借款合同要素 or a pack's own), as HTML.

The file is written beside its destination and renamed onto it, so a failed render never leaves a
half-written document behind."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from engine.commands.options import DateOption, PackOption, ProductArgument, catalog_for, read_applicant
from engine.core.dates import parse_day


class DocumentFormat(str, Enum):
    html = "html"


def document(
    product: str = ProductArgument,
    applicant: str = typer.Argument(..., help="applicant YAML or JSON file, or - for stdin"),
    template: str = typer.Option(..., "--template", help="approval-notice, decline-notice, offer-sheet, loan-contract "
                                 "(or 审批通知书, 拒绝通知书, 还款计划表, 借款合同要素), or a pack's own template name"),
    output: Path = typer.Option(..., "-o", "--output", help="the HTML file to write"),
    fmt: DocumentFormat = typer.Option(DocumentFormat.html, "--format", help="html"),
    on: Optional[str] = DateOption,
    pack: Optional[list[Path]] = PackOption,
) -> None:
    """Render one applicant's document from its decision and offers (docs/documents.md lists the variables)."""
    from engine.batch.writing import atomic_path
    from engine.paperwork.produce import Paperwork

    day = parse_day(on)
    catalog = catalog_for(pack)
    compiled = catalog.compiled(product, day)
    record = read_applicant(applicant, catalog)
    rendered = Paperwork(catalog, day).render(compiled, record, template)
    with atomic_path(output) as temp:
        temp.write_text(rendered.html, encoding="utf-8")
    typer.echo(f"{output}: {rendered.context.document.title} from {rendered.template.file} ({rendered.template.pack}), "
               f"decision {rendered.context.decision.decision}")
