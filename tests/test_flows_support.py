"""Helpers for the flow tests (no tests here): customers, published flows, a worker."""

import random
import uuid
from contextlib import asynccontextmanager

import pytest
from sqlmodel import Session, select

from core.flows.definition import FlowDefinition
from core.flows.entry import enter_flow
from core.flows.store import activate, create_flow, version_ref
from core.models import Customer, CustomerPreferences, Message, PushDevice


def unique_id() -> int:
    """Ids unique across tests: the Temporal servers are shared by the session while every test
    has a fresh database, and workflow ids are built from database ids."""
    return random.randint(10_000_000, 2_000_000_000)


def make_customer(engine, tz: str | None = None, email_opt_in: bool = True, **fields) -> int:
    with Session(engine) as session:
        customer = Customer(
            id=fields.pop("id", unique_id()),
            email=fields.pop("email", f"c-{uuid.uuid4().hex[:10]}@example.com"),
            first_name=fields.pop("first_name", "Ada"),
            timezone=tz,
            **fields,
        )
        session.add(customer)
        session.flush()
        session.add(CustomerPreferences(customer_id=customer.id, email_opt_in=email_opt_in))
        session.add(PushDevice(customer_id=customer.id, token=f"tok-{uuid.uuid4().hex}"))
        session.commit()
        return customer.id


def publish_flow(engine, definition: dict):
    """An active flow with its first version; returns the version reference for entries."""
    with Session(engine, expire_on_commit=False) as session:
        flow = create_flow(session, FlowDefinition.model_validate(definition), flow_id=unique_id())
        version = activate(session, flow)
        session.commit()
        return version_ref(version)


def messages_of(engine, customer_id: int) -> list[Message]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Message).where(Message.customer_id == customer_id).order_by(Message.id)
            )
        )


@asynccontextmanager
async def flow_worker(client, settings, engine):
    """A worker on a fresh task queue; yields the queue name."""
    from worker import build_worker

    queue = f"flows-{uuid.uuid4().hex[:8]}"
    async with build_worker(client, settings, engine, task_queue=queue):
        yield queue


async def start(client, queue, version, customer_id, via="manual", key=None, event_id=None):
    return await enter_flow(client, queue, version, customer_id, via, key, event_id)


WELCOME = {
    "name": "Welcome",
    "trigger": {"type": "manual"},
    "steps": [
        {"type": "SEND_EMAIL", "subject": "Welcome {{ customer.first_name }}", "html": "<p>Hi</p>"},
        {"type": "WAIT", "duration_seconds": 3 * 24 * 3600},
        {"type": "SEND_PUSH", "title": "Still there?", "body": "Come back"},
        {"type": "EXIT"},
    ],
}


async def register_search_attributes(client) -> None:
    """The time-skipping server starts without Nudge's search attributes (and cannot list them):
    add each, tolerating "already registered"."""
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
    from temporalio.service import RPCError

    from core.temporal_names import ALL_SEARCH_ATTRIBUTES

    for key in ALL_SEARCH_ATTRIBUTES:
        try:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(
                    namespace=client.namespace,
                    search_attributes={key.name: int(key.indexed_value_type)},
                )
            )
        except RPCError:
            pass


@pytest.fixture
async def ts_env(time_skipping_env):
    await register_search_attributes(time_skipping_env.client)
    return time_skipping_env
