"""The data dictionary marks personal fields, so the decision log can encrypt or mask them."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.documents.models import FieldDef


def test_the_built_in_dictionary_marks_names_id_numbers_and_phones_as_personal(catalog) -> None:
    personal = sorted(p for p in catalog.dictionary.paths() if catalog.dictionary.field(p).pii)
    assert personal == ["applicant.id_number", "applicant.name", "applicant.phone"]
    assert catalog.dictionary.field("applicant.age").pii is False


def test_pii_is_a_boolean() -> None:
    assert FieldDef(type="string", description="姓名", pii=True).pii is True
    with pytest.raises(ValidationError, match="pii"):
        FieldDef(type="string", description="姓名", pii="maybe")  # type: ignore[arg-type]
