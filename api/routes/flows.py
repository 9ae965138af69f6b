"""Flows: the draft, its versions and status (activate / pause / archive), enrolment, runs."""

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlmodel import Session, func, select

from api.deps import SessionDep, SettingsDep, get_temporal_client
from api.errors import ApiError, validation_message
from api.pagination import decode_cursor, page_of
from core.flows import schedule as segment_schedule
from core.flows.cohorts import blocked_by_cohorts
from core.flows.entry import enter_flow, start_cohort
from core.flows.run_io import FINISHED_STATUSES
from core.flows.signals import exit_runs, signal_runs
from core.flows.store import (
    FlowStateError,
    activate,
    create_flow,
    current_version,
    draft_definition,
    set_status,
    update_flow,
    version_ref,
)
from core.models import Customer, Flow, FlowRun, FlowVersion, Segment
from core.schemas.common import Page
from core.schemas.flow import (
    EnrollRequest,
    EnrollResult,
    FlowCreate,
    FlowPublic,
    FlowRunPublic,
    FlowUpdate,
)
from core.temporal_names import temporal_ui_link

router = APIRouter(prefix="/flows", tags=["flows"])

Limit = Annotated[int, Query(ge=1, le=500)]
MAX_SEGMENT_ENROLMENT = 10_000  # per-customer runs; larger audiences are for cohort runs
_START_CONCURRENCY = 50


def get_flow_or_404(session: Session, flow_id: int) -> Flow:
    flow = session.get(Flow, flow_id)
    if flow is None:
        raise ApiError(404, f"flow {flow_id} not found")
    return flow


def flow_public(session: Session, flow: Flow) -> FlowPublic:
    version = current_version(session, flow)
    draft = draft_definition(session, flow)
    return FlowPublic(
        id=flow.id,
        name=flow.name,
        description=flow.description,
        status=flow.status,
        trigger=flow.trigger,
        reentry=flow.reentry,
        exit_events=list(flow.exit_events or []),
        quiet_hours=flow.quiet_hours,
        steps=draft["steps"],
        version=version.version if version else None,
        created_at=flow.created_at,
        updated_at=flow.updated_at,
    )


def run_public(run: FlowRun, version: int, settings) -> FlowRunPublic:
    return FlowRunPublic(
        id=run.id,
        flow_id=run.flow_id,
        flow_version=version,
        customer_id=run.customer_id,
        workflow_id=run.workflow_id,
        cohort_id=run.cohort_id,
        entered_via=run.entered_via,
        status=run.status,
        current_step=run.current_step,
        next_wake_at=run.next_wake_at,
        exit_reason=run.exit_reason,
        started_at=run.started_at,
        finished_at=run.finished_at,
        temporal_url=temporal_ui_link(
            settings.temporal_ui_url,
            settings.temporal_namespace,
            run.workflow_id,
            run.temporal_run_id,
        ),
    )


def _state_error(exc: FlowStateError) -> ApiError:
    return ApiError(409, str(exc), field="status")


def _invalid(exc: ValidationError) -> ApiError:
    return ApiError(422, validation_message(exc.errors()))


@router.get("", operation_id="flows-list", response_model=Page[FlowPublic])
def list_flows(
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^(draft|active|paused|archived)$")] = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    stmt = select(Flow).order_by(Flow.id).limit(limit + 1)
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Flow.id > after)
    if status:
        stmt = stmt.where(Flow.status == status)
    rows, next_cursor = page_of(list(session.exec(stmt)), limit)
    return Page(data=[flow_public(session, f) for f in rows], next_cursor=next_cursor)


@router.post("", operation_id="flows-create", status_code=201, response_model=FlowPublic)
def create(body: FlowCreate, session: SessionDep):
    _check_segment(session, body.trigger)
    flow = create_flow(session, body)
    session.commit()
    return flow_public(session, flow)


@router.get("/{flow_id}", operation_id="flows-get", response_model=FlowPublic)
def get(flow_id: int, session: SessionDep):
    return flow_public(session, get_flow_or_404(session, flow_id))


@router.patch("/{flow_id}", operation_id="flows-update", response_model=FlowPublic)
async def update(
    flow_id: int, body: FlowUpdate, session: SessionDep, settings: SettingsDep, request: Request
):
    flow = get_flow_or_404(session, flow_id)
    changes = body.model_dump(mode="json", exclude_unset=True)
    if "trigger" in changes:
        _check_segment(session, body.trigger)
    try:
        version = update_flow(session, flow, changes)
    except FlowStateError as exc:
        raise _state_error(exc) from exc
    except ValidationError as exc:
        raise _invalid(exc) from exc
    if version is not None and flow.status == "active" and segment_schedule.wanted(flow):
        client = await get_temporal_client(request)
        await segment_schedule.sync(client, settings, flow, version)
    session.commit()
    return flow_public(session, flow)


@router.delete("/{flow_id}", operation_id="flows-delete", status_code=204)
async def delete(flow_id: int, session: SessionDep, settings: SettingsDep, request: Request):
    flow = get_flow_or_404(session, flow_id)
    if _unfinished_runs(session, flow_id):
        raise ApiError(409, "the flow has runs in progress: archive it first (that ends them)")
    if flow.status in ("active", "paused") and segment_schedule.wanted(flow):
        await segment_schedule.remove(await get_temporal_client(request), flow.id)
    session.delete(flow)
    session.commit()


@router.post("/{flow_id}/activate", operation_id="flows-activate", response_model=FlowPublic)
async def activate_flow(flow_id: int, session: SessionDep, settings: SettingsDep, request: Request):
    flow = get_flow_or_404(session, flow_id)
    was_paused = flow.status == "paused"
    try:
        version = activate(session, flow)
    except FlowStateError as exc:
        raise _state_error(exc) from exc
    except ValidationError as exc:
        raise _invalid(exc) from exc
    if segment_schedule.wanted(flow) or was_paused:
        client = await get_temporal_client(request)
        await segment_schedule.sync(client, settings, flow, version)
    session.commit()
    if was_paused:  # runs held at a send go on now rather than at their next check
        runs = _unfinished_runs(session, flow_id)
        await signal_runs(client, [(r.workflow_id, r.temporal_run_id) for r in runs], "resume")
    return flow_public(session, flow)


@router.post("/{flow_id}/pause", operation_id="flows-pause", response_model=FlowPublic)
async def pause(flow_id: int, session: SessionDep, request: Request):
    """No new entries; runs hold at their next send until the flow is activated again."""
    flow = get_flow_or_404(session, flow_id)
    try:
        set_status(session, flow, "paused")
    except FlowStateError as exc:
        raise _state_error(exc) from exc
    if segment_schedule.wanted(flow):
        await segment_schedule.pause(await get_temporal_client(request), flow.id)
    session.commit()
    return flow_public(session, flow)


@router.post("/{flow_id}/archive", operation_id="flows-archive", response_model=FlowPublic)
async def archive(flow_id: int, session: SessionDep, request: Request):
    """No new entries ever; every run in progress ends (before its next send)."""
    flow = get_flow_or_404(session, flow_id)
    if flow.status == "archived":
        return flow_public(session, flow)
    runs = _unfinished_runs(session, flow_id)
    client = None
    if runs or segment_schedule.wanted(flow):
        client = await get_temporal_client(request)
    flow.status = "archived"
    session.add(flow)
    if client is not None and segment_schedule.wanted(flow):
        await segment_schedule.remove(client, flow.id)
    session.commit()
    if runs:
        await exit_runs(client, [(r.workflow_id, r.temporal_run_id) for r in runs], "flow archived")
    return flow_public(session, flow)


@router.post("/{flow_id}/enroll", operation_id="flows-enroll", response_model=EnrollResult)
async def enroll(
    flow_id: int, body: EnrollRequest, session: SessionDep, settings: SettingsDep, request: Request
):
    flow = get_flow_or_404(session, flow_id)
    if flow.status != "active":
        raise ApiError(409, f"the flow is {flow.status}: only an active flow takes entries")
    version = version_ref(current_version(session, flow))
    if body.customer_ids is not None:
        ids = list(dict.fromkeys(body.customer_ids))
        found = set(session.exec(select(Customer.id).where(Customer.id.in_(ids))))
        missing = [i for i in ids if i not in found]
        if missing:
            raise ApiError(
                404, f"no customer with id {', '.join(map(str, missing[:20]))}", "customer_ids"
            )
    else:
        ids = _segment_members(session, body.segment_id)
    client = await get_temporal_client(request)
    queue = settings.temporal_task_queue
    if len(ids) >= settings.flow_cohort_threshold:  # many at once: one cohort run
        engine = request.app.state.engine
        cohort = await start_cohort(client, queue, engine, version, "manual", customer_ids=ids)
        return EnrollResult(
            enrolled=cohort.size,
            skipped=len(ids) - cohort.size,
            workflow_ids=[cohort.workflow_id] if cohort.workflow_id else [],
            cohort_id=cohort.cohort_id,
        )
    reentry = version.definition.get("reentry", "once_at_a_time")
    blocked = blocked_by_cohorts(session.connection(), flow_id, reentry, ids)
    result = await enroll_customers(
        client, queue, version, [i for i in ids if i not in blocked], "manual"
    )
    result.skipped += len(blocked)
    return result


async def enroll_customers(client, task_queue, version, customer_ids, via) -> EnrollResult:
    gate = asyncio.Semaphore(_START_CONCURRENCY)
    request_key = uuid.uuid4().hex[:12]

    async def one(customer_id: int):
        async with gate:
            return await enter_flow(
                client, task_queue, version, customer_id, via, entry_key=f"m{request_key}"
            )

    results = await asyncio.gather(*(one(c) for c in customer_ids))
    started = [r for r in results if r.started]
    return EnrollResult(
        enrolled=len(started),
        skipped=len(results) - len(started),
        workflow_ids=[r.workflow_id for r in started][:1000],
    )


@router.get("/{flow_id}/runs", operation_id="flows-runs", response_model=Page[FlowRunPublic])
def runs(
    flow_id: int,
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    customer_id: Annotated[int | None, Query(gt=0, le=2_147_483_647)] = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    get_flow_or_404(session, flow_id)
    stmt = (
        select(FlowRun, FlowVersion.version)
        .join(FlowVersion, FlowVersion.id == FlowRun.flow_version_id)
        .where(FlowRun.flow_id == flow_id)
        .order_by(FlowRun.id.desc())
        .limit(limit + 1)
    )
    before = decode_cursor(cursor)
    if before is not None:
        stmt = stmt.where(FlowRun.id < before)
    if status:
        stmt = stmt.where(FlowRun.status == status.lower())
    if customer_id:
        stmt = stmt.where(FlowRun.customer_id == customer_id)
    rows, next_cursor = page_of(list(session.exec(stmt)), limit, key=lambda row: row[0].id)
    return Page(data=[run_public(r, v, settings) for r, v in rows], next_cursor=next_cursor)


def _unfinished_runs(session: Session, flow_id: int) -> list[FlowRun]:
    return list(
        session.exec(
            select(FlowRun).where(
                FlowRun.flow_id == flow_id, FlowRun.status.not_in(FINISHED_STATUSES)
            )
        )
    )


def _check_segment(session: Session, trigger) -> None:
    segment_id = getattr(trigger, "segment_id", None)
    if segment_id is not None and session.get(Segment, segment_id) is None:
        raise ApiError(404, f"segment {segment_id} not found", field="trigger.segment_id")


def _segment_members(session: Session, segment_id: int) -> list[int]:
    from core.segments import members_select, parse_criteria
    from core.timeutil import utcnow

    segment = session.get(Segment, segment_id)
    if segment is None:
        raise ApiError(404, f"segment {segment_id} not found", field="segment_id")
    members = members_select(parse_criteria(segment.criteria), utcnow()).subquery()
    count = session.exec(select(func.count()).select_from(members)).one()
    if count > MAX_SEGMENT_ENROLMENT:
        raise ApiError(
            422,
            f"segment {segment_id} has {count} members; enrol at most "
            f"{MAX_SEGMENT_ENROLMENT} at once",
            field="segment_id",
        )
    return list(session.exec(select(members.c[0])))
