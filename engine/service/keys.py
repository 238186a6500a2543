"""API keys per channel, stored as SHA-256 hashes in a JSON keys file, each with its scope, and a
per-key token bucket for flow control (流控)."""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

OPERATIONS = ("evaluate", "read", "admin")


class ApiKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str = Field(description="the channel this key belongs to, e.g. mobile-banking")
    key_hash: str = Field(description="SHA-256 of the key, hex: the key itself is never stored")
    products: list[str] = Field(default_factory=lambda: ["*"], description="product codes it may use; * for all")
    operations: list[str] = Field(default_factory=lambda: ["evaluate", "read"], description="evaluate, read, admin")
    rate_per_s: float = Field(100.0, gt=0, description="sustained requests per second (the bucket holds one second)")

    def allows(self, operation: str, product: str | None) -> bool:
        in_products = product is None or "*" in self.products or product.split("@")[0] in self.products
        return operation in self.operations and in_products


class KeysFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keys: list[ApiKey] = Field(default_factory=list)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def load_keys(path: Path) -> KeysFile:
    return KeysFile.model_validate_json(path.read_text(encoding="utf-8")) if path.exists() else KeysFile()


def add_key(path: Path, channel: str, products: list[str], operations: list[str], rate_per_s: float) -> str:
    """Create a key, store its hash and return the key (shown once)."""
    key = "pf_" + secrets.token_urlsafe(24)
    keys = load_keys(path)
    keys.keys.append(ApiKey(channel=channel, key_hash=digest(key), products=products or ["*"],
                            operations=operations or ["evaluate", "read"], rate_per_s=rate_per_s))
    path.write_text(keys.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return key


class Gate:
    """Who may call: the key's lookup by hash and its token bucket."""

    def __init__(self, keys: KeysFile):
        self.by_hash = {k.key_hash: k for k in keys.keys}
        self._buckets: dict[str, tuple[float, float]] = {}  # hash -> (tokens, last time)
        self._lock = threading.Lock()

    def find(self, key: str | None) -> ApiKey | None:
        return self.by_hash.get(digest(key)) if key else None

    def take(self, key: ApiKey) -> float:
        """0 when the request may go ahead, else the seconds until a token is free (Retry-After)."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key.key_hash, (key.rate_per_s, now))
            tokens = min(key.rate_per_s, tokens + (now - last) * key.rate_per_s)
            if tokens >= 1:
                self._buckets[key.key_hash] = (tokens - 1, now)
                return 0.0
            self._buckets[key.key_hash] = (tokens, now)
            return (1 - tokens) / key.rate_per_s
