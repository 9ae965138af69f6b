"""One flow run: its state (live from the workflow while it runs), messages, and cancel."""

from fastapi import APIRouter, Request
from sqlmodel import Session, select
from temporalio.service import RPCError

from api.deps import SessionDep, SettingsDep, get_temporal_client
from api.errors import ApiError
from api.routes.flows import run_public
from core.flows.cohorts import exit_members
from core.flows.run_io import FINISHED_STATUSES, FlowRunView
from core.flows.signals import exit_runs
from core.models import FlowRun, FlowVersion, Message
from core.schemas.flow import FlowRunDetail, FlowRunMessage, FlowRunStep

router = APIRouter(prefix="/flow-runs", tags=["flow-runs"])


def get_run_or_404(session: Session, run_id: int) -> FlowRun:
    run = session.get(FlowRun, run_id)
    if run is None:
        raise ApiError(404, f"flow run {run_id} not found")
    return run


async def _live_state(request: Request, run: FlowRun) -> FlowRunView | None:
    """The workflow's own view (current step, next wake-up, steps done); None if unreachable."""
    try:
        client = await get_temporal_client(request)
        handle = client.get_workflow_handle(run.workflow_id, run_id=run.temporal_run_id)
        return await handle.query("state", result_type=FlowRunView)
    except (RPCError, Exception):  # noqa: BLE001 - the database row is the fallback
        return None


async def run_detail(request: Request, session: Session, run: FlowRun, settings) -> FlowRunDetail:
    version = session.get(FlowVersion, run.flow_version_id)
    detail = FlowRunDetail(**run_public(run, version.version, settings).model_dump())
    messages = session.exec(
        select(Message).where(Message.flow_run_id == run.id).order_by(Message.id)
    ).all()
    detail.messages = [FlowRunMessage.model_validate(m) for m in messages]
    view = await _live_state(request, run)
    if view is not None:
        detail.live = run.status not in FINISHED_STATUSES
        detail.steps_done = [FlowRunStep(**s.model_dump()) for s in view.steps_done]
        if detail.live:
            detail.status = view.status
            detail.current_step = view.current_step
            detail.next_wake_at = view.next_wake_at
    return detail


@router.get("/{run_id}", operation_id="flow-runs-get", response_model=FlowRunDetail)
async def get(run_id: int, session: SessionDep, settings: SettingsDep, request: Request):
    return await run_detail(request, session, get_run_or_404(session, run_id), settings)


@router.post("/{run_id}/cancel", operation_id="flow-runs-cancel", response_model=FlowRunDetail)
async def cancel(run_id: int, session: SessionDep, settings: SettingsDep, request: Request):
    """End the run before its next step; it records status `cancelled`."""
    run = get_run_or_404(session, run_id)
    if run.status in FINISHED_STATUSES:
        raise ApiError(409, f"the run is already {run.status}", field="status")
    if run.cohort_id is not None:  # one member of a cohort: its next step skips it
        exit_members(session.connection(), [run.id], "cancelled", status="cancelled")
        session.commit()
        session.refresh(run)
        return await run_detail(request, session, run, settings)
    client = await get_temporal_client(request)
    signalled = await exit_runs(
        client, [(run.workflow_id, run.temporal_run_id)], "cancelled", status="cancelled"
    )
    if not signalled:
        raise ApiError(409, "the run has already finished")
    return await run_detail(request, session, run, settings)
