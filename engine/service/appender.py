"""Group commit for the decision log: requests waiting at the same time share one durable transaction.

Each request still gets its answer only after its record is committed; what changes is that one fsync
covers every record queued meanwhile, instead of one fsync per decision."""
from __future__ import annotations

import asyncio
import time
from typing import Callable

from starlette.concurrency import run_in_threadpool

from engine.ledger import DecisionLog, LogRecord


class Appender:
    def __init__(self, log: DecisionLog, observe: Callable[[float], None]):
        self.log = log
        self.observe = observe
        self._queue: list[tuple[LogRecord, asyncio.Future[None]]] = []
        self._running = False

    async def append(self, record: LogRecord) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((record, future))
        if not self._running:
            self._running = True
            asyncio.get_running_loop().create_task(self._drain())
        await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                started = time.perf_counter()
                try:
                    await run_in_threadpool(self.log.append, [record for record, _ in batch])
                except Exception as exc:  # every waiting request fails: none is answered unlogged
                    for _, future in batch:
                        future.set_exception(exc)
                    continue
                elapsed = time.perf_counter() - started
                for _, future in batch:
                    self.observe(elapsed)
                    future.set_result(None)
        finally:
            self._running = False
