"""Product versions by date: versions of one code must not overlap, and a reference picks the one in force."""
from __future__ import annotations

from datetime import date

from engine.catalog.layering import LoadedPacks, ProductEntry
from engine.core.errors import (
    DocumentError,
    UnknownProductError,
    UsageError,
    did_you_mean,
)


def check_versions(state: LoadedPacks) -> None:
    """Sort each code's versions by start date; record overlapping ranges and product names used twice."""
    names: dict[str, str] = {}
    for code, versions in state.entries.items():
        versions.sort(key=lambda e: e.header.effective.from_)
        for before, after in zip(versions, versions[1:]):
            end = before.header.effective.to
            if end is None or end >= after.header.effective.from_:
                state.problems.append(after.source.problem(("effective",), f"{after.label} is in force from "
                                      f"{after.header.effective.from_}, which overlaps {before.label} "
                                      f"({before.header.effective.from_} to {end or 'open-ended'}) in {before.source.file}"))
        for entry in versions:
            other = names.get(entry.header.name)
            if other is not None and other != code:
                state.problems.append(entry.source.problem(("name",), f"product name {entry.header.name!r} is also used by {other}"))
            names[entry.header.name] = code


def select(state: LoadedPacks, reference: str, on: date) -> ProductEntry:
    """The product version a reference means on a date: 'code', 'code@version' or the Chinese name."""
    code, _, version = reference.partition("@")
    versions = state.entries.get(code)
    if versions is None:
        versions = next((v for v in state.entries.values() if any(e.header.name == code for e in v)), None)
    if versions is None:
        if state.problems:
            raise DocumentError(state.problems)
        known = [*state.entries, *{e.header.name for v in state.entries.values() for e in v}]
        hint = did_you_mean(code, known) or "run `pf list` to see the products"
        raise UnknownProductError(f"unknown product {code!r} ({hint})")
    if version:
        chosen = next((e for e in versions if e.version == version), None)
        if chosen is None:
            raise UnknownProductError(f"{versions[0].code} has no version {version!r} "
                                      f"(versions: {', '.join(e.version for e in versions)})")
        return chosen
    in_force = [e for e in versions if e.header.effective.covers(on)]
    if not in_force:
        ranges = "; ".join(f"{e.version}: {e.header.effective.from_} to {e.header.effective.to or 'open-ended'}" for e in versions)
        raise UsageError(f"{versions[0].code} has no version in force on {on.isoformat()} ({ranges})")
    return in_force[0]
