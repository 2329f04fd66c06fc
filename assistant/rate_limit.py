"""Per-client token buckets on /api: a client over its rate gets 429 with Retry-After.

Hand-rolled because the usual libraries (slowapi, limits) offer fixed or sliding windows,
not a token bucket that allows a burst and then a steady rate.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_CLIENTS = 10_000  # buckets kept before full ones are forgotten


class TokenBuckets:
    """One bucket per client key: `capacity` tokens, refilled at `per_minute` per minute."""

    def __init__(
        self, per_minute: int, capacity: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(capacity)
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self.lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is back."""
        now = self.clock()
        with self.lock:
            tokens, when = self.buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.rate)
            if tokens >= 1:
                self.buckets[key] = (tokens - 1, now)
                self._forget_full(now)
                return 0.0
            self.buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        if len(self.buckets) <= MAX_CLIENTS:
            return
        for key, (tokens, when) in list(self.buckets.items()):
            if tokens + (now - when) * self.rate >= self.capacity:
                del self.buckets[key]


class RateLimit:
    """ASGI middleware applying `buckets` to requests under `prefix`, keyed by client address."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets, prefix: str = "/api") -> None:
        self.app = app
        self.buckets = buckets
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("unknown", 0)
        wait = self.buckets.take(str(client[0]))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = str(max(1, math.ceil(wait)))
        body = json.dumps(
            {"detail": f"too many requests from this client; retry after {retry} s"}
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", retry.encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
