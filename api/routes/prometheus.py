"""GET /metrics: Prometheus text for the scraper (public unless METRICS_TOKEN is set)."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.errors import ApiError
from core.security import constant_time_equal

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    operation_id="health-metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not constant_time_equal(given, token):
            raise ApiError(401, "GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`")
    body = generate_latest(request.app.state.metrics_registry)
    return Response(content=body, media_type=CONTENT_TYPE_LATEST)
