"""The Starlette application of `pf serve`: evaluate, product listing, health, and RFC 9457 problems.

Starlette (not FastAPI) is used directly: the engine's pydantic models already give the JSON and the
schemas, and a thinner framework leaves more of each request's time to the engine."""
from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine.catalog import Catalog
from engine.core.dates import parse_day
from engine.core.errors import DocumentError, Problem, ProductFactoryError, UnknownProductError, UsageError, format_doc_path
from engine.documents.applicant import Record, flatten
from engine.evaluate.interpreter import evaluate as run
from engine.ledger import DecisionLog, LogRecord
from engine.results.build import to_decision

PROBLEM = "application/problem+json"
MAX_BODY = 1_000_000  # bytes: an applicant is a few kilobytes; anything far larger is refused with 413


def problem(status: int, title: str, detail: str, request_id: str, errors: list[dict[str, Any]] | None = None) -> Response:
    """An RFC 9457 problem document; never a stack trace."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail, "request_id": request_id}
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=PROBLEM,
                    headers={"X-Request-ID": request_id})


def applicant_from_data(catalog: Catalog, data: Any) -> Record:
    """The JSON applicant checked against the data dictionary, every problem located (as engine.api does)."""
    problems: list[Problem] = []

    def report(path: tuple, message: str, hint: str | None = None, key: bool = False) -> None:
        problems.append(Problem("<request body>", None, None, tuple(path), message, hint))

    record = flatten(data, catalog.dictionary, report)
    if problems:
        raise DocumentError(problems)
    return record


def _located(exc: ProductFactoryError) -> list[dict[str, Any]]:
    return [{"field": format_doc_path(p.doc_path), "message": p.message, **({"expected": p.hint} if p.hint else {})}
            for p in exc.problems]


class Service:
    """The catalog in service and the decision log; the catalog is swapped whole, so a request keeps the one it started with."""

    def __init__(self, catalog: Catalog, log: DecisionLog | None):
        catalog.products  # validated before serving: a pack with problems raises here
        self.catalog = catalog
        self.log = log
        self._lock = threading.Lock()  # SQLite appends from the worker's threads are serialised

    def _request_id(self, request: Request) -> str:
        given = request.headers.get("x-request-id", "")
        return given if 0 < len(given) <= 200 else str(uuid.uuid4())

    async def evaluate(self, request: Request) -> Response:
        request_id = self._request_id(request)
        catalog = self.catalog  # this request's catalog, whatever a reload does meanwhile
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return problem(415, "Unsupported Media Type", "send the applicant as application/json", request_id)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return problem(413, "Content Too Large", f"the body is {len(raw)} bytes; the limit is {MAX_BODY}", request_id)
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return problem(400, "Bad Request", f"the body is not JSON: {exc}", request_id)
        try:
            day: date = parse_day(request.query_params.get("date"))
            trace = request.query_params.get("trace", "false").lower() in ("1", "true", "yes")
            compiled = catalog.compiled(request.path_params["code"], day)
        except UnknownProductError as exc:
            return problem(404, "Not Found", exc.render(), request_id)
        except UsageError as exc:
            return problem(400, "Bad Request", exc.render(), request_id)
        try:
            record = applicant_from_data(catalog, data)
        except DocumentError as exc:
            return problem(422, "Unprocessable Content", "the applicant fails the data dictionary", request_id, _located(exc))
        decision = to_decision(run(compiled, record, day, trace=trace))
        if self.log is not None:
            # Logged before it is answered: a decision the log could not keep is never handed out.
            with self._lock:
                self.log.append([LogRecord.from_decision(decision, record, request_id=request_id, channel="service")])
        return Response(decision.model_dump_json(exclude_none=False), media_type="application/json", headers={
            "X-Request-ID": request_id, "X-Product-Version": decision.product.version,
            "X-Content-Hash": decision.product.content_hash})

    async def products(self, request: Request) -> Response:
        request_id = self._request_id(request)
        listing = [{"code": e.code, "name": e.header.name, "version": e.version, "pack": e.pack.name} for e in self.catalog.products.values()]
        return JSONResponse({"products": listing}, headers={"X-Request-ID": request_id})

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "time": time.time()})

    async def readyz(self, request: Request) -> Response:
        return JSONResponse({"status": "ready", "products": len(self.catalog.products)})


def build_app(catalog: Catalog, log: DecisionLog | None) -> Starlette:
    service = Service(catalog, log)
    app = Starlette(routes=[
        Route("/v1/products/{code}/evaluate", service.evaluate, methods=["POST"]),
        Route("/v1/products", service.products, methods=["GET"]),
        Route("/healthz", service.healthz, methods=["GET"]),
        Route("/readyz", service.readyz, methods=["GET"]),
    ])
    app.state.service = service
    return app
