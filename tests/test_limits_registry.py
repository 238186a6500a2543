"""Every cap kind is registered whole: compile, a model that computes and explains, a detail in the
Decision's union, and a columnar builder. A kind added without one of them fails here."""
from __future__ import annotations

import typing

from engine.batch.caps import BUILDERS
from engine.compile.limit_details import CapDetail
from engine.compile.limits import KINDS
from engine.documents.caps import AffordabilityCapDoc, CollateralCapDoc, PreApprovedCapDoc, ScorecardCapDoc, TaxBasedCapDoc
from engine.documents.models import CapDoc


def test_every_documented_cap_kind_is_registered():
    documented = {typing.get_args(doc.model_fields["kind"].annotation)[0]
                  for doc in (CapDoc, TaxBasedCapDoc, CollateralCapDoc, AffordabilityCapDoc, ScorecardCapDoc, PreApprovedCapDoc)}
    assert documented == set(KINDS)


def test_every_cap_kind_has_compile_compute_explain_detail_and_a_columnar_builder():
    details = set(typing.get_args(typing.get_args(CapDetail)[0]))
    for name, kind in KINDS.items():
        assert kind.name == name and callable(kind.compile)
        for method in ("compute", "explain", "diagnose", "work"):
            assert callable(getattr(kind.model, method, None)), f"{name} has no {method}"
        assert kind.detail in details and kind.detail.model_fields["kind"].default == name
        assert name in BUILDERS, f"cap kind {name!r} has no columnar builder in engine.batch.caps"
    assert set(BUILDERS) == set(KINDS)
