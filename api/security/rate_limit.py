"""In-process token buckets keyed by client IP, for login and the public link endpoints.

One bucket per (rule, IP): `per_minute` requests may arrive at once, then they refill evenly over
the minute. Each API process keeps its own buckets, so N replicas allow N times the rate; that is
the intended trade-off for a limit whose job is to stop guessing and floods, not to meter usage.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

# Enough for every client of a busy instance; the least recently seen IPs are forgotten first.
MAX_TRACKED_CLIENTS = 50_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_TRACKED_CLIENTS,
    ):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """Take one token for `key`: 0 when allowed, else the seconds until one is available."""
        now = self.clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(tokens=self.capacity, updated=now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        self._buckets[key] = bucket  # most recently used last
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


@dataclass
class RateRule:
    name: str
    matches: Callable[[str, str], bool]  # (method, path) -> applies?
    buckets: TokenBuckets


class RateLimitMiddleware:
    """Answers 429 with Retry-After once a client IP has used up its bucket for a rule.

    Rules match on method and path before routing, so routes added later under the same paths
    are covered without registering anything.
    """

    def __init__(self, app: ASGIApp, rules: list[RateRule]):
        self.app = app
        self.rules = rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            method, path = scope["method"], scope["path"]
            for rule in self.rules:
                if not rule.matches(method, path):
                    continue
                client = scope.get("client")
                wait = rule.buckets.take(client[0] if client else "unknown")
                if wait > 0:
                    retry_after = max(1, math.ceil(wait))
                    response = JSONResponse(
                        {"detail": f"too many requests; retry in {retry_after} s"},
                        status_code=429,
                        headers={"Retry-After": str(retry_after)},
                    )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _is_login(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/") == "/api/auth/login"


def _is_public_link(_method: str, path: str) -> bool:
    return path.startswith(("/t/", "/u/"))


def default_rules(login_per_minute: int, public_per_minute: int) -> list[RateRule]:
    """The rules built from settings; a limit of 0 turns its rule off."""
    rules = []
    if login_per_minute > 0:
        rules.append(RateRule("login", _is_login, TokenBuckets(login_per_minute)))
    if public_per_minute > 0:
        rules.append(RateRule("public_links", _is_public_link, TokenBuckets(public_per_minute)))
    return rules
