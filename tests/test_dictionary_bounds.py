"""A data-dictionary field whose min is above its max is a located load error."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.documents.models import FieldDef


def test_min_above_max_is_refused() -> None:
    with pytest.raises(ValidationError, match="min 10 is greater than max 5"):
        FieldDef.model_validate({"type": "integer", "description": "次数", "min": 10, "max": 5})


def test_equal_bounds_are_accepted() -> None:
    field = FieldDef.model_validate({"type": "integer", "description": "次数", "min": 5, "max": 5})
    assert field.min == field.max == 5
