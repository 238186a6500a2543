"""The test cluster itself: a real server on loopback, one fresh database per test."""
from __future__ import annotations

import subprocess


def test_the_cluster_answers_on_loopback(postgres_cluster, postgres_url: str) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    out = subprocess.run(
        [str(postgres_cluster.bindir / "psql"), "-h", "127.0.0.1", "-p", str(postgres_cluster.port), "-U", "postgres",
         "-d", database, "-tAc", "select current_database(), inet_server_addr()"],
        capture_output=True, text=True, timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{database}|127.0.0.1"
