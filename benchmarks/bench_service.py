"""The decision service on loopback: uvicorn with 2 workers (one per core), decision log on (SQLite WAL).

Load comes from separate processes running an asyncio HTTP/1.1 keep-alive client (prebuilt request
bytes, so the client does little per request). Phase 1: sustained evaluations/s with closed-loop
connections. Phase 2: an open-loop pace of --rate requests/s; p50/p99 latency. Bounded in time.

    .venv/bin/python benchmarks/bench_service.py [--seconds 8] [--rate 2000]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PATH = "/v1/products/shuiqitong-xw/evaluate?date=2026-01-15"


def app():  # uvicorn --factory target: each worker opens the same SQLite log
    from engine.api import catalog_from_folders
    from engine.ledger import DecisionLog
    from engine.service import build_app

    db = os.environ["PF_BENCH_DB"]
    return build_app(catalog_from_folders, DecisionLog.open(db) if db else None)


def _request() -> bytes:
    data = yaml.safe_load((ROOT / "examples/applicants/shuiqitong-xw-approve.yaml").read_text(encoding="utf-8"))
    body = json.dumps(data, default=str).encode()
    return (f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    await reader.readexactly(length)
    return status


async def _closed(port: int, conns: int, seconds: float) -> tuple[int, int]:
    request, stop, done, bad = _request(), time.monotonic() + seconds, [0], [0]

    async def loop() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < stop:
            if await _one(reader, writer, request) == 200:
                done[0] += 1
            else:
                bad[0] += 1
        writer.close()

    await asyncio.gather(*(loop() for _ in range(conns)))
    return done[0], bad[0]


async def _open(port: int, rate: float, seconds: float, conns: int) -> list[float]:
    request, latencies = _request(), []
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(conns):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))

    async def fire(scheduled: float) -> None:
        reader, writer = await pool.get()
        await _one(reader, writer, request)
        latencies.append(time.perf_counter() - scheduled)  # from when it was due: waiting counts
        pool.put_nowait((reader, writer))

    start, tasks, n = time.perf_counter(), [], 0
    while (now := time.perf_counter()) < start + seconds:
        due = start + n / rate
        if due > now:
            await asyncio.sleep(due - now)
        tasks.append(asyncio.create_task(fire(due)))
        n += 1
    await asyncio.gather(*tasks)
    return latencies


def _closed_proc(port: int, conns: int, seconds: float, out: mp.Queue) -> None:
    out.put(asyncio.run(_closed(port, conns, seconds)))


def _open_proc(port: int, rate: float, seconds: float, out: mp.Queue) -> None:
    out.put(asyncio.run(_open(port, rate, seconds, 64)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--no-log", action="store_true", help="without the decision log: what the log costs")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"machine: {os.cpu_count()} cores, {mem:.1f} GiB RAM, load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PF_BENCH_DB="" if args.no_log else str(Path(tmp) / "log.db"), PYTHONPATH=str(ROOT / "benchmarks"))
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "bench_service:app", "--host", "127.0.0.1",
                                   "--port", str(port), "--workers", "2", "--log-level", "warning", "--no-access-log"], env=env)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", port), 0.5):
                        break
                except OSError:
                    time.sleep(0.2)
            asyncio.run(_closed(port, 4, 1.0))  # warm both workers
            out: mp.Queue = mp.Queue()
            procs = [mp.Process(target=_closed_proc, args=(port, 16, args.seconds, out)) for _ in range(args.clients)]
            for p in procs:
                p.start()
            results = [out.get() for _ in procs]
            for p in procs:
                p.join()
            ok, bad = sum(r[0] for r in results), sum(r[1] for r in results)
            print(f"sustained: {ok / args.seconds:,.0f} evaluations/s over {args.seconds:g} s ({bad} non-200), "
                  f"{args.clients} client processes x 16 connections; load average {os.getloadavg()}")
            procs = [mp.Process(target=_open_proc, args=(port, args.rate / args.clients, args.seconds, out))
                     for _ in range(args.clients)]
            for p in procs:
                p.start()
            latencies = sorted(x for _ in procs for x in out.get())
            for p in procs:
                p.join()
            p50 = statistics.median(latencies) * 1000
            p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
            print(f"at {args.rate:,.0f} requests/s offered for {args.seconds:g} s: {len(latencies)} requests, "
                  f"p50 {p50:.2f} ms, p99 {p99:.2f} ms; load average {os.getloadavg()}")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
