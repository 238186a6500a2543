"""The Starlette application of `pf serve`: evaluate, product listing, health, and RFC 9457 problems.

Starlette (not FastAPI) is used directly: the engine's pydantic models already give the JSON and the
schemas, and a thinner framework leaves more of each request's time to the engine."""
from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import date
from typing import Any, Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from engine.catalog import Catalog
from engine.core.dates import parse_day
from engine.core.errors import DocumentError, Problem, ProductFactoryError, UnknownProductError, UsageError, format_doc_path
from engine.documents.applicant import Record, flatten
from engine.evaluate.interpreter import evaluate as run
from engine.ledger import DecisionLog, LogRecord
from engine.results.build import to_decision
from engine.service.appender import Appender
from engine.service.keys import ApiKey, Gate, KeysFile

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


class Metrics:
    """Prometheus series of one app (its own registry, so several apps in one process do not collide)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("pf_requests", "HTTP requests", ["route", "status"], registry=self.registry)
        self.latency = Histogram("pf_request_seconds", "request latency", ["route"], registry=self.registry,
                                 buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1.0))
        self.decisions = Counter("pf_decisions", "decisions", ["product", "outcome"], registry=self.registry)
        self.log_append = Histogram("pf_log_append_seconds", "decision log append latency", registry=self.registry,
                                    buckets=(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05))


class Service:
    """The catalog in service and the decision log; the catalog is swapped whole, so a request keeps the one it started with."""

    def __init__(self, load: Callable[[], Catalog], log: DecisionLog | None, keys: KeysFile | None = None):
        self.load = load
        self.catalog = self._validated(load())
        self.log = log
        self.gate = Gate(keys) if keys is not None else None  # None: no keys file, every caller may use everything
        self.metrics = Metrics()
        self.appender = Appender(log, self.metrics.log_append.observe) if log is not None else None
        self._lock = threading.Lock()  # SQLite appends from the worker's threads are serialised

    @staticmethod
    def _validated(catalog: Catalog) -> Catalog:
        catalog.products  # a pack with problems raises DocumentError here
        return catalog

    def reload(self) -> None:
        """Load, validate and swap in the packs; on any problem the old catalog keeps serving."""
        self.catalog = self._validated(self.load())

    def _request_id(self, request: Request) -> str:
        given = request.headers.get("x-request-id", "")
        return given if 0 < len(given) <= 200 else str(uuid.uuid4())

    def _guard(self, request: Request, operation: str, product: str | None, request_id: str) -> Response | None:
        """401 without a valid key, 403 outside its scope, 429 with Retry-After past its rate."""
        if self.gate is None:
            return None
        header = request.headers.get("authorization", "")
        key: ApiKey | None = self.gate.find(header[7:] if header.lower().startswith("bearer ") else request.headers.get("x-api-key"))
        if key is None:
            return problem(401, "Unauthorized", "give a valid API key: Authorization: Bearer <key>", request_id)
        if not key.allows(operation, product):
            return problem(403, "Forbidden", f"the key of channel {key.channel!r} may not {operation}"
                           + (f" product {product!r}" if product else ""), request_id)
        wait = self.gate.take(key)
        if wait > 0:
            response = problem(429, "Too Many Requests", f"channel {key.channel!r} is over {key.rate_per_s:g} requests/s", request_id)
            response.headers["Retry-After"] = str(max(1, int(wait + 0.999)))
            return response
        request.state.channel = key.channel
        return None

    async def evaluate(self, request: Request) -> Response:
        started = time.perf_counter()
        response = await self._evaluate(request)
        self.metrics.requests.labels("evaluate", str(response.status_code)).inc()
        self.metrics.latency.labels("evaluate").observe(time.perf_counter() - started)
        return response

    async def _evaluate(self, request: Request) -> Response:
        request_id = self._request_id(request)
        catalog = self.catalog  # this request's catalog, whatever a reload does meanwhile
        denied = self._guard(request, "evaluate", request.path_params["code"], request_id)
        if denied is not None:
            return denied
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
            channel = getattr(request.state, "channel", "service")
            assert self.appender is not None
            await self.appender.append(LogRecord.from_decision(decision, record, request_id=request_id, channel=channel))
        self.metrics.decisions.labels(decision.product.code, decision.decision).inc()
        return Response(decision.model_dump_json(exclude_none=False), media_type="application/json", headers={
            "X-Request-ID": request_id, "X-Product-Version": decision.product.version,
            "X-Content-Hash": decision.product.content_hash})

    async def products(self, request: Request) -> Response:
        request_id = self._request_id(request)
        denied = self._guard(request, "read", None, request_id)
        if denied is not None:
            return denied
        listing = [{"code": e.code, "name": e.header.name, "version": e.version, "pack": e.pack.name} for e in self.catalog.products.values()]
        return JSONResponse({"products": listing}, headers={"X-Request-ID": request_id})

    async def evaluate_batch(self, request: Request) -> Response:
        """JSON Lines in, JSON Lines out, streamed: a decision per line, or a problem naming the line."""
        request_id = self._request_id(request)
        catalog = self.catalog
        code = request.path_params["code"]
        denied = self._guard(request, "evaluate", code, request_id)
        if denied is not None:
            return denied
        if request.headers.get("content-type", "").split(";")[0].strip() not in ("application/jsonl", "application/x-ndjson"):
            return problem(415, "Unsupported Media Type", "send JSON Lines as application/jsonl", request_id)
        raw = await request.body()
        if len(raw) > MAX_BODY * 10:
            return problem(413, "Content Too Large", f"the body is {len(raw)} bytes; the limit is {MAX_BODY * 10}", request_id)
        try:
            day = parse_day(request.query_params.get("date"))
            compiled = catalog.compiled(code, day)
        except UnknownProductError as exc:
            return problem(404, "Not Found", exc.render(), request_id)
        except UsageError as exc:
            return problem(400, "Bad Request", exc.render(), request_id)
        channel = getattr(request.state, "channel", "service")

        def lines() -> Any:
            for number, text in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
                if not text.strip():
                    continue
                try:
                    record = applicant_from_data(catalog, json.loads(text))
                except (ValueError, DocumentError) as exc:
                    located = _located(exc) if isinstance(exc, DocumentError) else []
                    yield json.dumps({"line": number, "status": 422 if located else 400, "detail": str(exc) if not located else
                                      "the applicant fails the data dictionary", "errors": located}, ensure_ascii=False) + "\n"
                    continue
                decision = to_decision(run(compiled, record, day))
                if self.log is not None:
                    with self._lock:
                        self.log.append([LogRecord.from_decision(decision, record, request_id=f"{request_id}#{number}", channel=channel)])
                self.metrics.decisions.labels(decision.product.code, decision.decision).inc()
                yield decision.model_dump_json(exclude_none=False) + "\n"

        return StreamingResponse(lines(), media_type="application/jsonl", headers={
            "X-Request-ID": request_id, "X-Product-Version": compiled.doc.version, "X-Content-Hash": compiled.content_hash})

    async def product(self, request: Request) -> Response:
        """The resolved product with the file and pack each part comes from (pf show --resolved --format json)."""
        from engine.authoring.describe import provenance_json

        request_id = self._request_id(request)
        catalog = self.catalog
        code = request.path_params["code"]
        denied = self._guard(request, "read", code, request_id)
        if denied is not None:
            return denied
        try:
            day = parse_day(request.query_params.get("date"))
            compiled = catalog.compiled(code, day)
            loaded = catalog.resolve(catalog.select(code, day), day)
        except UnknownProductError as exc:
            return problem(404, "Not Found", exc.render(), request_id)
        except UsageError as exc:
            return problem(400, "Bad Request", exc.render(), request_id)
        data = {"product": compiled.doc.model_dump(mode="json", by_alias=True), "provenance": provenance_json(loaded, catalog, day)}
        return Response(json.dumps(data, ensure_ascii=False, default=str), media_type="application/json",
                        headers={"X-Request-ID": request_id, "X-Product-Version": compiled.doc.version})

    async def applicant_schema(self, request: Request) -> Response:
        """The JSON Schema of an applicant, from the data dictionary the product is evaluated with."""
        from engine.authoring.schema_export import applicant_schema

        request_id = self._request_id(request)
        catalog = self.catalog
        code = request.path_params["code"]
        denied = self._guard(request, "read", code, request_id)
        if denied is not None:
            return denied
        try:
            catalog.select(code, parse_day(request.query_params.get("date")))
        except UnknownProductError as exc:
            return problem(404, "Not Found", exc.render(), request_id)
        except UsageError as exc:
            return problem(400, "Bad Request", exc.render(), request_id)
        return JSONResponse(applicant_schema(catalog.dictionary), headers={"X-Request-ID": request_id})

    async def admin_reload(self, request: Request) -> Response:
        request_id = self._request_id(request)
        denied = self._guard(request, "admin", None, request_id)
        if denied is not None:
            return denied
        try:
            self.reload()
        except ProductFactoryError as exc:
            return problem(422, "Unprocessable Content", "the packs were refused; the previous ones keep serving",
                           request_id, _located(exc) or [{"field": "", "message": exc.render()}])
        return JSONResponse({"reloaded": True, "products": len(self.catalog.products)}, headers={"X-Request-ID": request_id})

    async def metrics_text(self, request: Request) -> Response:
        return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "time": time.time()})

    async def readyz(self, request: Request) -> Response:
        return JSONResponse({"status": "ready", "products": len(self.catalog.products)})


def build_app(load: Callable[[], Catalog], log: DecisionLog | None, keys: KeysFile | None = None) -> Starlette:
    """The app; `load` builds a fresh catalog from the packs, at start and at every reload."""
    service = Service(load, log, keys)
    app = Starlette(routes=[
        Route("/v1/products/{code}/evaluate", service.evaluate, methods=["POST"]),
        Route("/v1/products/{code}/evaluate-batch", service.evaluate_batch, methods=["POST"]),
        Route("/v1/products", service.products, methods=["GET"]),
        Route("/v1/products/{code}", service.product, methods=["GET"]),
        Route("/v1/products/{code}/applicant-schema", service.applicant_schema, methods=["GET"]),
        Route("/healthz", service.healthz, methods=["GET"]),
        Route("/readyz", service.readyz, methods=["GET"]),
        Route("/metrics", service.metrics_text, methods=["GET"]),
        Route("/admin/reload", service.admin_reload, methods=["POST"]),
    ])
    app.state.service = service
    return app
