"""Rebuild the line and pool tables from the event log alone."""
from __future__ import annotations

from sqlalchemy import delete, insert

from engine.lines import projection
from engine.lines.projection import Row
from engine.lines.store import Store
from engine.lines.tables import lines, pools


def replay(store: Store, batch: int = 5_000) -> int:
    """Empty both projections and re-apply every event in order, in one transaction; returns the events applied."""
    got_lines: dict[str, Row] = {}
    got_pools: dict[str, Row] = {}
    count = 0
    with store.db.write() as conn:
        for event in store.iter_event_rows(conn):
            line_id, pool_id = event["line_id"], event["pool_id"]
            line = got_lines.get(line_id) if line_id else None
            if pool_id is None and line is not None:
                pool_id = line["pool_id"]
            pool = got_pools.get(pool_id) if pool_id else None
            new_line, new_pool = projection.apply(event["kind"], event["data"], event["seq"], line, pool)
            if new_line is not None:
                got_lines[new_line["line_id"]] = new_line
            if new_pool is not None:
                got_pools[new_pool["pool_id"]] = new_pool
            count += 1
        conn.execute(delete(lines))
        conn.execute(delete(pools))
        for table, rows in ((lines, list(got_lines.values())), (pools, list(got_pools.values()))):
            for start in range(0, len(rows), batch):
                conn.execute(insert(table), rows[start:start + batch])
    return count
