"""Tracking events. An event may start runs of flows it triggers and end runs it exits."""

import logging

from fastapi import APIRouter, Request
from sqlmodel import select

from api.deps import SessionDep, SettingsDep, get_temporal_client
from api.errors import ApiError
from core.flows.cohorts import blocked_by_cohorts, exit_members
from core.flows.entry import enter_flow
from core.flows.signals import exit_runs
from core.flows.triggers import flows_started_by, flows_with_exit_event, runs_ended_by
from core.models import Customer, Event
from core.schemas.event import EventCreate, EventPublic
from core.temporal_names import flow_run_workflow_id
from core.timeutil import utcnow

log = logging.getLogger("nudge.events")

router = APIRouter(prefix="/events", tags=["events"])


def resolve_customer(session, body: EventCreate) -> Customer:
    if body.customer_id is not None:
        customer = session.get(Customer, body.customer_id)
        if customer is None:
            raise ApiError(404, f"customer {body.customer_id} not found", field="customer_id")
        if body.email and customer.email != body.email.lower():
            raise ApiError(422, "customer_id and email name different customers", field="email")
        return customer
    customer = session.exec(select(Customer).where(Customer.email == body.email.lower())).first()
    if customer is None:
        raise ApiError(404, f"no customer with email {body.email}", field="email")
    return customer


@router.post("", operation_id="events-track", status_code=201, response_model=EventPublic)
async def track(body: EventCreate, session: SessionDep, settings: SettingsDep, request: Request):
    customer = resolve_customer(session, body)
    starts = [
        version
        for version in flows_started_by(session, body.name, body.properties)
        if not blocked_by_cohorts(
            session.connection(),
            version.flow_id,
            version.definition.get("reentry", "once_at_a_time"),
            [customer.id],
        )
    ]
    ended = runs_ended_by(session, customer.id, body.name)
    # Cohort members leave their cohort in the database (its next step filters them out);
    # single runs get a signal.
    members = [r.id for r in ended if r.cohort_id is not None]
    exits = [(r.workflow_id, r.temporal_run_id) for r in ended if r.cohort_id is None]
    # Runs that have not written their row yet are reached by their deterministic id.
    exits += [
        (flow_run_workflow_id(flow.id, customer.id), None)
        for flow in flows_with_exit_event(session, body.name)
    ]
    # Reach Temporal before writing anything: an event that should start or end runs is not
    # recorded half-way (503, nothing written, the caller retries).
    client = await get_temporal_client(request) if starts or exits else None
    event = Event(
        customer_id=customer.id,
        name=body.name,
        properties=body.properties,
        occurred_at=body.occurred_at or utcnow(),
    )
    session.add(event)
    exit_members(session.connection(), members, f"event {body.name}")
    session.commit()
    if exits:
        await exit_runs(client, exits, f"event {body.name}")
    for version in starts:
        result = await enter_flow(
            client,
            settings.temporal_task_queue,
            version,
            customer.id,
            "event",
            entry_key=f"e{event.id}",
            event_id=event.id,
        )
        log.info("event %s → flow %s: %s", event.id, version.flow_id, result)
    return event
