"""The decision service over real HTTP on 127.0.0.1: uvicorn in a thread on a free port, a real SQLite decision log."""
from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import uvicorn
import yaml

from engine.api import catalog_from_folders
from engine.ledger import DecisionLog
from engine.service import build_app

ROOT = Path(__file__).resolve().parents[1]
APPROVE = json.loads(json.dumps(yaml.safe_load((ROOT / "examples/applicants/shuiqitong-xw-approve.yaml").read_text(encoding="utf-8")), default=str))
DATE = "2026-01-15"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DecisionLog]]:
    db = tmp_path_factory.mktemp("svc") / "log.db"
    log = DecisionLog.open(str(db))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(build_app(catalog_from_folders, log), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", log
    server.should_exit = True
    thread.join(10)


def _code() -> str:
    return "shuiqitong-xw"


def test_evaluate_returns_the_cli_decision_and_logs_it(served: tuple[str, DecisionLog]) -> None:
    base, log = served
    before = log.size()
    r = httpx.post(f"{base}/v1/products/{_code()}/evaluate", params={"date": DATE}, json=APPROVE, headers={"X-Request-ID": "req-1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"] == "approve"
    assert r.headers["x-request-id"] == "req-1"
    assert r.headers["x-product-version"] == body["product"]["version"]
    assert r.headers["x-content-hash"] == body["product"]["content_hash"]
    assert log.size() == before + 1
    assert log.records(before + 1)[0][1].request_id == "req-1"


@pytest.mark.parametrize("content, ctype, status", [
    (b"{not json", "application/json", 400),
    (b"{}", "text/plain", 415),
    (b"[" + b"1," * 600_000 + b"1]", "application/json", 413),
])
def test_bad_bodies_are_problems_and_not_logged(served: tuple[str, DecisionLog], content: bytes, ctype: str, status: int) -> None:
    base, log = served
    before = log.size()
    r = httpx.post(f"{base}/v1/products/{_code()}/evaluate", params={"date": DATE}, content=content, headers={"content-type": ctype})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == status and "Traceback" not in r.text
    assert log.size() == before


def test_unknown_product_is_404(served: tuple[str, DecisionLog]) -> None:
    base, _ = served
    r = httpx.post(f"{base}/v1/products/no-such-product/evaluate", params={"date": DATE}, json=APPROVE)
    assert r.status_code == 404 and r.json()["title"] == "Not Found"


def test_applicant_failing_the_dictionary_is_422_with_the_field(served: tuple[str, DecisionLog]) -> None:
    base, log = served
    before = log.size()
    bad = json.loads(json.dumps(APPROVE))
    bad["applicant"]["age"] = "forty-two"
    r = httpx.post(f"{base}/v1/products/{_code()}/evaluate", params={"date": DATE}, json=bad)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert any(e["field"] == "$.applicant.age" and "expected a number" in e["message"] for e in errors), errors
    assert log.size() == before


def test_products_and_health(served: tuple[str, DecisionLog]) -> None:
    base, _ = served
    codes = [p["code"] for p in httpx.get(f"{base}/v1/products").json()["products"]]
    assert _code() in codes
    assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{base}/readyz").json()["products"] == len(codes)


def _serve(app: object) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    return f"http://127.0.0.1:{port}", server, thread


def test_keys_scope_rate_limit_and_metrics(tmp_path: Path) -> None:
    from engine.service.keys import add_key, load_keys

    keys = tmp_path / "keys.json"
    mobile = add_key(keys, "mobile-banking", ["shuiqitong-xw"], ["evaluate"], 3)
    reader = add_key(keys, "portal", [], ["read"], 100)
    assert mobile not in keys.read_text(encoding="utf-8")  # only the hash is stored
    log = DecisionLog.open(str(tmp_path / "log.db"))
    base, server, thread = _serve(build_app(catalog_from_folders, log, load_keys(keys)))
    try:
        url = f"{base}/v1/products/shuiqitong-xw/evaluate"
        assert httpx.post(url, params={"date": DATE}, json=APPROVE).status_code == 401
        assert httpx.post(url, params={"date": DATE}, json=APPROVE, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.post(url, params={"date": DATE}, json=APPROVE, headers={"Authorization": f"Bearer {reader}"}).status_code == 403
        other = httpx.post(f"{base}/v1/products/fangdidai-xw/evaluate", params={"date": DATE}, json=APPROVE,
                           headers={"Authorization": f"Bearer {mobile}"})
        assert other.status_code == 403 and "fangdidai-xw" in other.json()["detail"]
        assert httpx.get(f"{base}/v1/products", headers={"Authorization": f"Bearer {reader}"}).status_code == 200
        statuses = [httpx.post(url, params={"date": DATE}, json=APPROVE, headers={"Authorization": f"Bearer {mobile}"})
                    for _ in range(6)]
        assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited and int(limited[0].headers["retry-after"]) >= 1
        assert log.size() == sum(r.status_code == 200 for r in statuses)
        metrics = httpx.get(f"{base}/metrics").text
        assert 'pf_decisions_total{outcome="approve",product="shuiqitong-xw"}' in metrics
        assert "pf_log_append_seconds_count" in metrics and 'pf_requests_total{route="evaluate",status="429"}' in metrics
    finally:
        server.should_exit = True
        thread.join(10)


def test_reload_refuses_a_failing_pack_and_swaps_a_good_one(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "haian"
    shutil.copytree(ROOT / "examples/packs/haian-rcb", pack)
    packs = [pack]
    base, server, thread = _serve(build_app(lambda: catalog_from_folders(None, packs), None))
    try:
        before = {p["code"] for p in httpx.get(f"{base}/v1/products").json()["products"]}
        product = next((pack / "products").glob("*.yaml"))
        good = product.read_text(encoding="utf-8")
        product.write_text(good + "\nnot: [valid\n", encoding="utf-8")
        refused = httpx.post(f"{base}/admin/reload")
        assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
        assert {p["code"] for p in httpx.get(f"{base}/v1/products").json()["products"]} == before  # the old packs serve on
        product.write_text(good, encoding="utf-8")
        packs.clear()
        assert httpx.post(f"{base}/admin/reload").json()["reloaded"] is True
        after = {p["code"] for p in httpx.get(f"{base}/v1/products").json()["products"]}
        assert after < before
    finally:
        server.should_exit = True
        thread.join(10)


def test_product_detail_and_applicant_schema(served: tuple[str, DecisionLog]) -> None:
    base, _ = served
    detail = httpx.get(f"{base}/v1/products/shuiqitong-xw", params={"date": DATE})
    assert detail.status_code == 200, detail.text
    assert detail.json()["product"]["code"] == "shuiqitong-xw" and detail.json()["provenance"]
    schema = httpx.get(f"{base}/v1/products/shuiqitong-xw/applicant-schema").json()
    assert "applicant" in schema["properties"]
    assert httpx.get(f"{base}/v1/products/nope").status_code == 404
    assert httpx.get(f"{base}/v1/products/nope/applicant-schema").status_code == 404


def test_evaluate_batch_streams_a_line_per_applicant(served: tuple[str, DecisionLog]) -> None:
    base, log = served
    before = log.size()
    bad = json.loads(json.dumps(APPROVE))
    bad["applicant"]["age"] = "old"
    body = "\n".join([json.dumps(APPROVE), "{oops", json.dumps(bad), json.dumps(APPROVE)]) + "\n"
    with httpx.stream("POST", f"{base}/v1/products/shuiqitong-xw/evaluate-batch", params={"date": DATE}, content=body,
                      headers={"content-type": "application/jsonl", "X-Request-ID": "batch-1"}) as r:
        assert r.status_code == 200 and r.headers["x-request-id"] == "batch-1"
        out = [json.loads(line) for line in r.iter_lines() if line]
    assert [o.get("decision") for o in out] == ["approve", None, None, "approve"]
    assert out[1]["line"] == 2 and out[1]["status"] == 400
    assert out[2]["status"] == 422 and out[2]["errors"][0]["field"] == "$.applicant.age"
    assert log.size() == before + 2
    wrong = httpx.post(f"{base}/v1/products/shuiqitong-xw/evaluate-batch", content=body, headers={"content-type": "application/json"})
    assert wrong.status_code == 415


def test_a_version_pin_and_an_unknown_version(served: tuple[str, DecisionLog]) -> None:
    base, _ = served
    pinned = httpx.post(f"{base}/v1/products/shuiqitong-xw@1.0/evaluate", params={"date": DATE}, json=APPROVE)
    assert pinned.status_code == 200 and pinned.headers["x-product-version"] == "1.0"
    missing = httpx.post(f"{base}/v1/products/shuiqitong-xw@9.9/evaluate", params={"date": DATE}, json=APPROVE)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
