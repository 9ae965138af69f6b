"""Liveness and readiness: public, for load balancers and the run command."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from core.temporal_client import connect_temporal

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="health-live")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", operation_id="health-ready")
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    checks: dict[str, dict] = {}
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "backend": state.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - readiness reports every failure
        checks["database"] = {"ok": False, "error": str(exc).splitlines()[0]}
    try:
        client = getattr(state, "temporal_client", None)
        if client is None:
            client = await asyncio.wait_for(connect_temporal(state.settings), timeout=3)
            state.temporal_client = client
        await asyncio.wait_for(client.service_client.check_health(), timeout=3)
        checks["temporal"] = {"ok": True, "address": state.settings.temporal_address}
    except Exception as exc:  # noqa: BLE001
        checks["temporal"] = {
            "ok": False,
            "address": state.settings.temporal_address,
            "error": str(exc) or type(exc).__name__,
        }
    ready = all(check["ok"] for check in checks.values())
    return JSONResponse(
        status_code=200 if ready else 503,
        content={"status": "ready" if ready else "unavailable", "checks": checks},
    )
