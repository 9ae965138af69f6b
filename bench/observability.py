"""What the security and observability layers cost.

1. Per-request overhead of the middleware (metrics, security headers, rate limits, CORS): the
   same app with and without it, GET /healthz and an authenticated GET /api/customers, requests
   interleaved in rounds so both variants see the same machine load.
2. The cost of a Prometheus scrape (GET /metrics, which counts messages, campaigns and flow runs
   in the database) as the message log grows, next to a bare `SELECT count(*)` on the same table.

    .venv/bin/python -m bench.observability [--requests 3000] [--messages 10000,100000,1000000]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test ...   # scrape on PostgreSQL
"""

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, text
from sqlmodel import SQLModel

import core.models  # noqa: F401 - registers every table
from api.main import create_app
from api.observability.http_metrics import HttpMetricsMiddleware
from api.security.headers import SecurityHeadersMiddleware
from api.security.rate_limit import RateLimitMiddleware
from core.config import Settings
from core.db import make_engine
from core.models import Customer, Message

KEY = "nk_bench_" + "k" * 32
OURS = (HttpMetricsMiddleware, SecurityHeadersMiddleware, RateLimitMiddleware)


def _settings(url: str, **overrides) -> Settings:
    return Settings(
        _env_file=None,
        environment="test",
        database_url=url,
        nudge_api_key=KEY,
        temporal_address="127.0.0.1:1",
        rate_limit_public_per_minute=10**9,
        rate_limit_login_per_minute=10**9,
        **overrides,
    )


def _app(settings: Settings, engine, with_layers: bool):
    app = create_app(settings, engine=engine)
    if not with_layers:  # the middleware stack is built at startup, so removing entries works
        app.user_middleware = [m for m in app.user_middleware if m.cls not in OURS]
    return app


async def _call(app, path: str, headers: list) -> int:
    """One request straight into the ASGI app: no client, no thread, no socket."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }
    status = 0

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _overhead(requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        settings = _settings(url)
        full, bare = _app(settings, engine, True), _app(settings, engine, False)
        headers = [(b"authorization", f"Bearer {KEY}".encode()), (b"host", b"bench")]
        async with full.router.lifespan_context(full), bare.router.lifespan_context(bare):
            for app in (full, bare):  # build the middleware stacks, warm up
                assert await _call(app, "/api/customers?limit=1", headers) == 200
            print(f"\n1. middleware overhead ({requests} requests per variant and path)")
            print(f"{'path':<26}{'without (µs)':>14}{'with (µs)':>12}{'overhead':>12}{'ratio':>8}")
            for path in ("/healthz", "/api/customers?limit=1"):
                times = {"bare": [], "full": []}
                rounds = 20
                for i in range(rounds):
                    order = (("bare", bare), ("full", full))
                    for name, app in order if i % 2 else order[::-1]:
                        start = time.perf_counter()
                        for _ in range(requests // rounds):
                            await _call(app, path, headers)
                        times[name].append((time.perf_counter() - start) / (requests // rounds))
                b = statistics.median(times["bare"]) * 1e6
                f = statistics.median(times["full"]) * 1e6
                print(f"{path:<26}{b:>14.0f}{f:>12.0f}{f - b:>9.0f} µs{f / b:>8.2f}")
        engine.dispose()


def middleware_overhead(requests: int) -> None:
    asyncio.run(_overhead(requests))


def scrape_cost(sizes: list[int]) -> None:
    base_url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        if base_url:
            schema = "bench_" + uuid.uuid4().hex[:8]
            admin = make_engine(base_url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            engine = make_engine(base_url, connect_args={"options": f"-csearch_path={schema}"})
            url = base_url
        else:
            url = f"sqlite:///{Path(tmp) / 'scrape.db'}"
            engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                insert(Customer),
                [{"email": f"c{i}@example.com", "attributes": {}} for i in range(1000)],
            )
        live = create_app(_settings(url, metrics_refresh_seconds=0), engine=engine)
        cached = create_app(_settings(url, metrics_refresh_seconds=3600), engine=engine)
        print(f"\n2. GET /metrics as the message log grows ({engine.dialect.name})")
        print(
            f"{'messages':>10}{'count(*) (ms)':>15}{'counting scrape (ms)':>22}{'ratio':>8}"
            f"{'snapshot scrape (ms)':>22}"
        )
        have = 0
        channels, statuses = ("email", "push"), ("sent", "sent", "sent", "failed", "skipped")
        with TestClient(live) as client, TestClient(cached) as snapshot:
            snapshot.get("/metrics")  # takes the snapshot once
            for size in sizes:
                with engine.begin() as conn:
                    for start in range(have, size, 50_000):
                        rows = [
                            {
                                "idempotency_key": f"campaign:1:{i}",
                                "customer_id": 1 + i % 1000,
                                "channel": channels[i % 2],
                                "status": statuses[i % 5],
                            }
                            for i in range(start, min(size, start + 50_000))
                        ]
                        conn.execute(insert(Message), rows)
                have = size
                if engine.dialect.name == "postgresql":
                    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                        c.exec_driver_sql("VACUUM ANALYZE message")
                count_ms, scrape_ms, cached_ms = [], [], []
                for _ in range(5):
                    start = time.perf_counter()
                    with engine.connect() as conn:
                        conn.execute(select(func.count()).select_from(Message)).scalar()
                    count_ms.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    assert client.get("/metrics").status_code == 200
                    scrape_ms.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    assert snapshot.get("/metrics").status_code == 200
                    cached_ms.append((time.perf_counter() - start) * 1000)
                c, s = statistics.median(count_ms), statistics.median(scrape_ms)
                k = statistics.median(cached_ms)
                print(f"{size:>10,}{c:>15.1f}{s:>22.1f}{s / c:>8.1f}{k:>22.1f}")
        engine.dispose()
        if base_url:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--messages", default="10000,100000,1000000")
    args = parser.parse_args()
    middleware_overhead(args.requests)
    scrape_cost([int(n) for n in args.messages.split(",")])


if __name__ == "__main__":
    main()
