"""Walking the chain: every row's hash must cover its bytes, its number and the row before it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.ledger.records import GENESIS, record_hash


@dataclass(frozen=True)
class Problem:
    seq: int
    what: str  # "edited", "deleted", "inserted", "reordered"
    detail: str

    def __str__(self) -> str:
        return f"record {self.seq}: {self.what}: {self.detail}"


def verify_rows(rows: Iterable[tuple[int, str, bytes, str]]) -> list[Problem]:
    """Rows (seq, prev_hash, body, hash) in stored order of seq; returns every problem found (empty: intact).

    An edited body no longer matches its own hash; a deleted record leaves a gap in the numbers and a broken
    link; an inserted one duplicates a number or breaks the link of the record after it; swapped records
    break the links on both sides."""
    rows = list(rows)
    known = {stored for _, _, _, stored in rows}
    problems: list[Problem] = []
    expected_seq, expected_prev = 1, GENESIS
    for seq, prev, body, stored in rows:
        own = record_hash(seq, prev, body)
        if own != stored:
            problems.append(Problem(seq, "edited", "its content no longer matches its hash"))
        if seq > expected_seq:
            problems.append(Problem(expected_seq, "deleted", f"records {expected_seq}..{seq - 1} are missing"))
        elif seq < expected_seq:
            problems.append(Problem(seq, "inserted", f"a second record numbered {seq}"))
        elif prev != expected_prev:
            # A link to another record of this log means the order was changed; a link to nothing known
            # means the record (or the one before it) was put in from outside.
            what = "reordered" if prev in known or prev == GENESIS else "inserted"
            problems.append(Problem(seq, what, "its link to the previous record is broken"))
        expected_seq, expected_prev = max(expected_seq, seq + 1), stored
    return problems
