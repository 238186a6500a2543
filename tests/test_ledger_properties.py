"""Properties of the chain: any one tampering of any intact chain is found; concurrent appenders never collide."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

from hypothesis import given, settings, strategies as st

from engine.ledger import GENESIS, DecisionLog, record_hash, verify_rows
from tests.test_ledger_chain import record

Row = tuple[int, str, bytes, str]


def chain(bodies: list[bytes]) -> list[Row]:
    rows, prev = [], GENESIS
    for seq, body in enumerate(bodies, start=1):
        digest = record_hash(seq, prev, body)
        rows.append((seq, prev, body, digest))
        prev = digest
    return rows


def tampered(rows: list[Row], kind: str, at: int, other: int) -> list[Row]:
    rows = list(rows)
    i, j = at % len(rows), other % len(rows)
    seq, prev, body, digest = rows[i]
    if kind == "edit":
        rows[i] = (seq, prev, body + b" ", digest)
    elif kind == "delete":
        del rows[i]
    elif kind == "insert":
        rows.insert(i, (seq, prev, b"forged", record_hash(seq, prev, b"forged")))
        rows[i + 1:] = [(s + 1, p, b, d) for s, p, b, d in rows[i + 1:]]
    elif kind == "reorder":
        rows[i], rows[j] = (seq, *rows[j][1:]), (rows[j][0], prev, body, digest)
    return rows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=20), min_size=2, max_size=30),
       st.sampled_from(["edit", "delete", "insert", "reorder"]), st.integers(0, 1000), st.integers(0, 1000))
def test_any_single_tampering_is_found(bodies: list[bytes], kind: str, at: int, other: int) -> None:
    rows = chain(bodies)
    assert verify_rows(rows) == []
    changed = tampered(rows, kind, at, other)
    if kind == "delete" and at % len(rows) == len(rows) - 1:
        return  # dropping the last row is truncation: the head (or a signed checkpoint) sees it, not the chain
    if kind == "reorder" and (at % len(rows) == other % len(rows) or bodies[at % len(rows)] == bodies[other % len(rows)]):
        return  # swapping a row with itself (or with an identical one) changes nothing
    assert verify_rows(changed), (kind, at, other)


def _append_many(url: str, worker: int) -> None:
    log = DecisionLog.open(url)
    for batch in range(10):
        log.append([record(worker * 1000 + batch * 10 + k) for k in range(3)])
    log.close()


def test_several_processes_append_without_collisions(tmp_path: Path) -> None:
    url = str(tmp_path / "log.db")
    DecisionLog.open(url).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_append_many, args=(url, w)) for w in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    log = DecisionLog.open(url)
    assert log.size() == 90 and log.verify() == []
    assert len({r.request_id for _, r in log.records()}) == 90
