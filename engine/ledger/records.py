"""One logged decision and its canonical bytes (what the hash chain covers)."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.results.decision import Decision

GENESIS = "0" * 64  # the "previous hash" of record 1


def engine_version() -> str:
    try:
        return version("product-factory")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


class LogRecord(BaseModel):
    """What the log keeps of one decision: enough to replay it and to explain it."""

    model_config = ConfigDict(frozen=True)

    request_id: str = Field(description="the caller's id for the request (unique per channel is advised)")
    channel: str = Field(description="who asked: 'cli', 'batch', 'http', …")
    logged_at: str = Field(description="UTC time of the decision, ISO 8601 with seconds")
    input: dict[str, Any] = Field(description="the applicant data as given")
    product_code: str
    product_version: str
    content_hash: str = Field(description="the resolved product's content hash (replay needs a pack of this hash)")
    engine_version: str = Field(default_factory=engine_version)
    decision: str = Field(description="approve, refer or decline")
    reasons: list[str] = Field(default_factory=list, description="the finding codes, in evaluation order")
    limit: str | None = Field(None, description="the limit offered, money with two decimals")
    rate_bp: int | None = Field(None, description="the final rate in basis points")

    @classmethod
    def from_decision(cls, decision: Decision, data: dict[str, Any], *, request_id: str, channel: str,
                      at: datetime | None = None) -> LogRecord:
        when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        return cls(
            request_id=request_id, channel=channel, logged_at=when.isoformat(timespec="seconds"),
            input=json.loads(json.dumps(data, default=str)),  # the JSON form is what is stored and hashed
            product_code=decision.product.code, product_version=decision.product.version,
            content_hash=decision.product.content_hash, decision=decision.decision,
            reasons=[f.code for f in decision.findings],
            limit=str(decision.limit.amount) if decision.limit is not None else None,
            rate_bp=decision.rate.final_bp if decision.rate is not None else None,
        )

    def canonical(self) -> bytes:
        """Sorted keys, no spaces, UTF-8: the same record always gives the same bytes."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8")


def record_hash(seq: int, previous: str, body: bytes) -> str:
    """SHA-256 over the sequence number, the previous record's hash and the record's canonical bytes."""
    h = hashlib.sha256()
    h.update(f"pf-log-v1\n{seq}\n{previous}\n".encode())
    h.update(body)
    return h.hexdigest()
