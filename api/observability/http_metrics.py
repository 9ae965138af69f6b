"""API latency: a histogram by method, route template and status, measured around the whole app."""

import time

from prometheus_client import CollectorRegistry, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Latencies of a thin API: most answers take milliseconds, imports and AI calls take seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def request_histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram(
        "nudge_http_request_duration_seconds",
        "Time to answer an HTTP request, by method, route template and status code.",
        ["method", "route", "status"],
        buckets=BUCKETS,
        registry=registry,
    )


class HttpMetricsMiddleware:
    """Labels use the matched route's template (`/api/customers/{customer_id}`), never the raw
    path, so the number of series stays bounded whatever URLs clients send."""

    def __init__(self, app: ASGIApp, histogram: Histogram):
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # an exception escaping the app becomes a 500

        async def send_and_record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record_status)
        finally:
            self.histogram.labels(scope["method"], route_template(scope), str(status)).observe(
                time.perf_counter() - start
            )


def route_template(scope: Scope) -> str:
    """The full template of the route that answered. FastAPI keeps included routers nested, so
    `scope["route"]` holds the router-relative path; its effective context holds the full one."""
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    template = getattr(context, "path_format", None)
    template = template or getattr(scope.get("route"), "path_format", None)
    return template or "unmatched"
