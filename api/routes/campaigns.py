"""Campaigns: CRUD, and steering their workflows (schedule, launch, pause, resume, cancel).

The API never sends: it starts `campaign-{id}` and talks to it through validated updates. The
database row mirrors what the workflow reports; the API writes a status only before a start.
"""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import SessionDep, SettingsDep, TemporalClient, get_temporal_client
from api.errors import ApiError
from api.pagination import decode_cursor, page_of
from core.campaigns import lifecycle
from core.campaigns.content import campaign_steps, launch_problems
from core.campaigns.service import CampaignInputError, create_campaign, update_campaign
from core.campaigns.stats import campaign_stats
from core.config import Settings
from core.models import Campaign, CampaignStep, Customer
from core.schemas.campaign import (
    AbTestPublic,
    CampaignCreate,
    CampaignPublic,
    CampaignUpdate,
    ProgressPublic,
    ScheduleIn,
    StatsPublic,
    StepPublic,
    TestSendIn,
    TestSendResult,
)
from core.schemas.common import Page
from core.temporal_names import CAMPAIGN_ID, KIND, STATUS, campaign_workflow_id, temporal_ui_link
from core.timeutil import utcnow
from workflows.campaign import CampaignWorkflow
from workflows.campaign_test_send import CampaignTestSendWorkflow
from workflows.campaign_types import (
    CampaignProgress,
    CampaignWorkflowInput,
    RescheduleInput,
    TestSendInput,
)

router = APIRouter(prefix="/campaigns", tags=["campaigns"])

# Batches of this many recipients; a run continues-as-new after this many batches (far below
# Temporal's history limits: about 10 events per batch).
BATCH_SIZE = 1000
BATCHES_PER_RUN = 200
LANES = 2  # batches in flight at once (see CampaignWorkflowInput.lanes)
FLOW_ENROL_ACTIVITY = "enroll_audience_in_flow"


# --- helpers ---------------------------------------------------------------------------------


def _get(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise ApiError(404, f"campaign {campaign_id} not found")
    return campaign


def _public(campaign: Campaign, steps: list[CampaignStep], settings: Settings) -> CampaignPublic:
    workflow_id = campaign.workflow_id or campaign_workflow_id(campaign.id)
    ab = None
    if campaign.kind == "ab_test":
        ab = AbTestPublic(
            test_percent=campaign.ab_test_percent or 0,
            winner_metric=campaign.ab_winner_metric or "open",
            wait_seconds=campaign.ab_wait_seconds or 0,
            winner_step_id=campaign.ab_winner_step_id,
        )
    return CampaignPublic.model_validate(
        {
            **campaign.model_dump(),
            "steps": [StepPublic.model_validate(s) for s in steps],
            "ab_test": ab,
            "workflow_id": workflow_id,
            "temporal_url": temporal_ui_link(
                settings.temporal_ui_url, settings.temporal_namespace, workflow_id
            ),
        }
    )


def _respond(session: Session, campaign: Campaign, settings: Settings) -> CampaignPublic:
    session.refresh(campaign)
    return _public(campaign, campaign_steps(session, campaign.id), settings)


def _check(action: str, campaign: Campaign) -> None:
    try:
        lifecycle.check(action, campaign.status)
    except lifecycle.IllegalTransition as exc:
        raise ApiError(409, str(exc)) from None


def _input_error(exc: CampaignInputError) -> ApiError:
    return ApiError(exc.status, str(exc), field=exc.field)


_activity_names: set[str] | None = None


def _registered_activities(settings: Settings, engine) -> set[str]:
    """The activity names the worker registers (same code base as the API)."""
    global _activity_names
    if _activity_names is None:
        from temporalio import activity

        from activities import build_activities

        names = set()
        for fn in build_activities(settings, engine):
            defn = activity._Definition.from_callable(fn)
            if defn and defn.name:
                names.add(defn.name)
        _activity_names = names
    return _activity_names


async def _start(client, settings: Settings, session: Session, campaign: Campaign, send_at):
    """Record the new status, then start the run; undo the record if the start fails."""
    previous = campaign.status
    workflow_id = campaign_workflow_id(campaign.id)
    status = lifecycle.SCHEDULED if send_at else lifecycle.SENDING
    campaign.status = status
    campaign.workflow_id = workflow_id
    campaign.scheduled_at = send_at
    campaign.updated_at = utcnow()
    session.add(campaign)
    session.commit()
    data = CampaignWorkflowInput(
        campaign_id=campaign.id,
        kind=campaign.kind,
        send_at=send_at,
        flow_id=campaign.flow_id,
        rate_per_second=campaign.send_rate_per_second,
        batch_size=BATCH_SIZE,
        lanes=LANES,
        max_batches_per_run=BATCHES_PER_RUN,
        ab_test_percent=campaign.ab_test_percent,
        ab_wait_seconds=campaign.ab_wait_seconds,
        ab_winner_metric=campaign.ab_winner_metric or "open",
    )
    when = f"at {send_at.isoformat()}" if send_at else "now"
    try:
        await client.start_workflow(
            CampaignWorkflow.run,
            data,
            id=workflow_id,
            task_queue=settings.temporal_task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(CAMPAIGN_ID, campaign.id),
                    SearchAttributePair(KIND, "campaign"),
                    SearchAttributePair(STATUS, status),
                ]
            ),
            memo={
                "campaign_name": campaign.name,
                "channel": campaign.channel,
                "segment_id": campaign.segment_id,
            },
            static_summary=f"Campaign {campaign.id}: {campaign.name}"[:200],
            static_details=(
                f"**{campaign.kind}** {campaign.channel} campaign to segment "
                f"{campaign.segment_id}, sending {when}"
            ),
        )
    except BaseException as exc:
        campaign.status = previous
        campaign.scheduled_at = None
        session.add(campaign)
        session.commit()
        if isinstance(exc, WorkflowAlreadyStartedError):
            raise ApiError(409, "this campaign's workflow is already running") from exc
        if isinstance(exc, RPCError):
            raise ApiError(503, f"Temporal refused to start the campaign: {exc}") from exc
        raise


async def _update(client, campaign: Campaign, name: str, arg=None) -> CampaignProgress:
    handle = client.get_workflow_handle(campaign.workflow_id or campaign_workflow_id(campaign.id))
    try:
        args = [] if arg is None else [arg]
        return await handle.execute_update(name, args=args, result_type=CampaignProgress)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        message = cause.message if isinstance(cause, ApplicationError) else str(cause or exc)
        raise ApiError(409, message) from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise ApiError(
                409, f"the campaign's workflow is not running (status {campaign.status})"
            ) from exc
        raise ApiError(503, f"Temporal is unavailable: {exc.message}") from exc


def _launchable(request: Request, session: Session, campaign: Campaign) -> None:
    problems = launch_problems(campaign, campaign_steps(session, campaign.id))
    if problems:
        raise ApiError(
            422, "cannot launch: " + "; ".join(problems), field=problems[0].split(":")[0]
        )
    if campaign.kind == "flow":
        names = _registered_activities(request.app.state.settings, request.app.state.engine)
        if FLOW_ENROL_ACTIVITY not in names:
            raise ApiError(
                409,
                "flow campaigns cannot be launched yet: the worker has no "
                f"'{FLOW_ENROL_ACTIVITY}' activity (the flows engine is not installed)",
            )


# --- CRUD --------------------------------------------------------------------------------------


@router.get("", operation_id="campaigns-list", response_model=Page[CampaignPublic])
def list_campaigns(
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[str | None, Query(description="filter: draft, sending, ...")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    if status is not None and status not in lifecycle.STATUSES:
        raise ApiError(422, f"status: use one of {', '.join(lifecycle.STATUSES)}", "status")
    stmt = select(Campaign).order_by(Campaign.id.desc()).limit(limit + 1)
    before = decode_cursor(cursor)
    if before is not None:
        stmt = stmt.where(Campaign.id < before)
    if status:
        stmt = stmt.where(Campaign.status == status)
    rows, next_cursor = page_of(list(session.exec(stmt)), limit)
    steps: dict[int, list[CampaignStep]] = {}
    if rows:
        for step in session.exec(
            select(CampaignStep)
            .where(CampaignStep.campaign_id.in_([c.id for c in rows]))
            .order_by(CampaignStep.position)
        ):
            steps.setdefault(step.campaign_id, []).append(step)
    data = [_public(c, steps.get(c.id, []), settings) for c in rows]
    return Page[CampaignPublic](data=data, next_cursor=next_cursor)


@router.post("", operation_id="campaigns-create", status_code=201, response_model=CampaignPublic)
async def create(
    body: CampaignCreate, request: Request, session: SessionDep, settings: SettingsDep
):
    try:
        campaign = create_campaign(session, body)
    except CampaignInputError as exc:
        session.rollback()
        raise _input_error(exc) from None
    if body.schedule is not None:
        send_at = _future(body.schedule)
        _launchable(request, session, campaign)
        session.commit()
        client = await get_temporal_client(request)
        campaign.schedule_timezone = body.schedule.timezone
        await _start(client, settings, session, campaign, send_at)
    session.commit()
    return _respond(session, campaign, settings)


@router.get("/{campaign_id}", operation_id="campaigns-get", response_model=CampaignPublic)
def get(campaign_id: int, session: SessionDep, settings: SettingsDep):
    return _respond(session, _get(session, campaign_id), settings)


@router.patch("/{campaign_id}", operation_id="campaigns-update", response_model=CampaignPublic)
def update(campaign_id: int, body: CampaignUpdate, session: SessionDep, settings: SettingsDep):
    campaign = _get(session, campaign_id)
    try:
        update_campaign(session, campaign, body)
    except CampaignInputError as exc:
        session.rollback()
        raise _input_error(exc) from None
    session.commit()
    return _respond(session, campaign, settings)


@router.delete("/{campaign_id}", operation_id="campaigns-delete", status_code=204)
def delete(campaign_id: int, session: SessionDep) -> None:
    campaign = _get(session, campaign_id)
    _check("delete", campaign)
    session.execute(sa_delete(CampaignStep).where(CampaignStep.campaign_id == campaign_id))
    session.delete(campaign)
    session.commit()


# --- lifecycle ---------------------------------------------------------------------------------


def _future(schedule: ScheduleIn):
    send_at = schedule.utc()
    if send_at <= utcnow() + timedelta(seconds=5):
        field = "send_at" if schedule.send_at is not None else "date"
        raise ApiError(
            422, f"{field}: the send time {send_at.isoformat()} is in the past", field=field
        )
    return send_at


@router.post(
    "/{campaign_id}/schedule", operation_id="campaigns-schedule", response_model=CampaignPublic
)
async def schedule(
    campaign_id: int,
    body: ScheduleIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: TemporalClient,
):
    """Send at a date and time in a timezone (or at `send_at`); moves the timer if scheduled."""
    campaign = _get(session, campaign_id)
    _check("schedule", campaign)
    send_at = _future(body)
    _launchable(request, session, campaign)
    if campaign.status == lifecycle.SCHEDULED:
        await _update(client, campaign, "reschedule", RescheduleInput(send_at=send_at))
        campaign.schedule_timezone = body.timezone
        session.add(campaign)
        session.commit()
    else:
        campaign.schedule_timezone = body.timezone
        await _start(client, settings, session, campaign, send_at)
    return _respond(session, campaign, settings)


@router.post(
    "/{campaign_id}/launch", operation_id="campaigns-launch", response_model=CampaignPublic
)
async def launch(
    campaign_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: TemporalClient,
):
    """Send now (a scheduled campaign's timer fires at once)."""
    campaign = _get(session, campaign_id)
    _check("launch", campaign)
    _launchable(request, session, campaign)
    if campaign.status == lifecycle.SCHEDULED:
        await _update(client, campaign, "reschedule", RescheduleInput(send_at=None))
    else:
        await _start(client, settings, session, campaign, None)
    return _respond(session, campaign, settings)


async def _steer(action: str, campaign_id: int, session, settings, client) -> CampaignPublic:
    campaign = _get(session, campaign_id)
    _check(action, campaign)
    await _update(client, campaign, action)
    return _respond(session, campaign, settings)


@router.post("/{campaign_id}/pause", operation_id="campaigns-pause", response_model=CampaignPublic)
async def pause(
    campaign_id: int, session: SessionDep, settings: SettingsDep, client: TemporalClient
):
    """Stop sending after the batch in flight; nothing is sent until resumed."""
    return await _steer("pause", campaign_id, session, settings, client)


@router.post(
    "/{campaign_id}/resume", operation_id="campaigns-resume", response_model=CampaignPublic
)
async def resume(
    campaign_id: int, session: SessionDep, settings: SettingsDep, client: TemporalClient
):
    """Continue from where the campaign was paused (no one gets the message twice)."""
    return await _steer("resume", campaign_id, session, settings, client)


@router.post(
    "/{campaign_id}/cancel", operation_id="campaigns-cancel", response_model=CampaignPublic
)
async def cancel(
    campaign_id: int, session: SessionDep, settings: SettingsDep, client: TemporalClient
):
    return await _steer("cancel", campaign_id, session, settings, client)


@router.post(
    "/{campaign_id}/test-send", operation_id="campaigns-test-send", response_model=TestSendResult
)
async def test_send(
    campaign_id: int,
    body: TestSendIn,
    session: SessionDep,
    settings: SettingsDep,
    client: TemporalClient,
):
    """Send the content now to customers with these addresses (rendered with their data)."""
    campaign = _get(session, campaign_id)
    steps = campaign_steps(session, campaign_id)
    if campaign.kind == "flow" or not steps:
        raise ApiError(422, "content: the campaign has no message to test", field="content")
    if body.variant is not None and body.variant not in {s.variant for s in steps}:
        raise ApiError(422, f"variant: no variant {body.variant!r}", field="variant")
    emails = sorted({e.lower() for e in body.emails})
    known = set(
        session.execute(sa_select(Customer.email).where(Customer.email.in_(emails))).scalars()
    )
    unknown = [e for e in emails if e not in known]
    if unknown:
        raise ApiError(
            422,
            f"emails: no customer with address {', '.join(unknown)} (test sends render with a "
            "customer's data: add them as customers first)",
            field="emails",
        )
    run_key = uuid.uuid4().hex[:12]
    workflow_id = f"{campaign_workflow_id(campaign_id)}-test-{run_key}"
    result = await client.execute_workflow(
        CampaignTestSendWorkflow.run,
        TestSendInput(
            campaign_id=campaign_id, emails=emails, variant=body.variant, run_key=run_key
        ),
        id=workflow_id,
        task_queue=settings.temporal_task_queue,
        execution_timeout=timedelta(minutes=2),
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(CAMPAIGN_ID, campaign_id),
                SearchAttributePair(KIND, "campaign_test"),
            ]
        ),
    )
    return TestSendResult(workflow_id=workflow_id, **result)


# --- progress and stats ------------------------------------------------------------------------


def _progress_from_row(campaign: Campaign) -> ProgressPublic:
    done = campaign.sent + campaign.failed + campaign.skipped
    remaining = 0 if campaign.status == lifecycle.COMPLETED else max(0, campaign.total - done)
    rate = 0.0
    if campaign.started_at is not None and done:
        end = campaign.completed_at or utcnow()
        elapsed = (end - campaign.started_at).total_seconds()
        rate = round(done / elapsed, 1) if elapsed > 0 else 0.0
    return ProgressPublic(
        campaign_id=campaign.id,
        status=campaign.status,
        total=campaign.total,
        sent=campaign.sent,
        failed=campaign.failed,
        skipped=campaign.skipped,
        remaining=remaining,
        rate_per_second=rate,
        eta_seconds=None,
        source="database",
    )


@router.get(
    "/{campaign_id}/progress", operation_id="campaigns-progress", response_model=ProgressPublic
)
async def progress(campaign_id: int, request: Request, session: SessionDep):
    """Live from the workflow while it runs; from the database once the run is closed."""
    campaign = _get(session, campaign_id)
    if campaign.status in lifecycle.RUNNING and campaign.workflow_id:
        client = await get_temporal_client(request)
        handle = client.get_workflow_handle(campaign.workflow_id)
        try:
            live = await handle.query(CampaignWorkflow.progress)
        except RPCError:
            live = None  # closed or unreachable: the mirrored row is the answer
        if live is not None:
            return ProgressPublic(**vars(live), source="workflow")
    return _progress_from_row(campaign)


@router.get("/{campaign_id}/stats", operation_id="campaigns-stats", response_model=StatsPublic)
def stats(campaign_id: int, session: SessionDep):
    """Sent, delivered, failed, opened, clicked and unsubscribed, with rates, from the log."""
    _get(session, campaign_id)
    return campaign_stats(session, campaign_id)
