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
    if checks["temporal"]["ok"]:
        checks["workers"] = await _workers(client, state.settings)
    if state.settings.smtp_enabled:
        checks["smtp"] = await _smtp(state.settings)
    # Workers and SMTP are reported for ops but do not gate the API: it serves without them.
    ready = all(check["ok"] for check in checks.values() if check.get("required", True))
    return JSONResponse(
        status_code=200 if ready else 503,
        content={"status": "ready" if ready else "unavailable", "checks": checks},
    )


async def _workers(client, settings) -> dict:
    """Workers polling Nudge's task queue in the last minutes (Temporal's own view)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    request = DescribeTaskQueueRequest(
        namespace=settings.temporal_namespace,
        task_queue=TaskQueue(name=settings.temporal_task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    try:
        response = await asyncio.wait_for(
            client.workflow_service.describe_task_queue(request), timeout=3
        )
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "required": False, "error": str(exc) or type(exc).__name__}
    pollers = len(response.pollers)
    return {
        "ok": pollers > 0,
        "required": False,
        "task_queue": settings.temporal_task_queue,
        "pollers": pollers,
    }


async def _smtp(settings) -> dict:
    """The SMTP server accepts connections (no login, no mail)."""
    target = {"required": False, "address": f"{settings.smtp_host}:{settings.smtp_port}"}
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(settings.smtp_host, settings.smtp_port), timeout=3
        )
        writer.close()
        return {"ok": True, **target}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, **target, "error": str(exc) or type(exc).__name__}
