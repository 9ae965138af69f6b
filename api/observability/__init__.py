"""Prometheus metrics for the API: latency per route and business counts from the database.

Each app gets its own registry (app.state.metrics_registry), served by GET /metrics.
"""

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from api.observability.db_metrics import DatabaseCollector
from api.observability.http_metrics import HttpMetricsMiddleware, request_histogram
from core.config import Settings


def install_observability(app: FastAPI, settings: Settings) -> None:
    registry = CollectorRegistry()
    registry.register(
        DatabaseCollector(
            lambda: getattr(app.state, "engine", None), settings.metrics_refresh_seconds
        )
    )
    app.state.metrics_registry = registry
    # Added last, so it is the outermost middleware: it times 429s and CORS answers too.
    app.add_middleware(HttpMetricsMiddleware, histogram=request_histogram(registry))
