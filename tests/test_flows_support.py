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


def bump_flow_ids(engine) -> None:
    """Start this database's flow ids at a random point, so the workflow ids of flows created
    through the API do not collide with other tests' on the shared Temporal server."""
    from sqlalchemy import text

    start = unique_id()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"ALTER SEQUENCE flow_id_seq RESTART WITH {start}"))
        else:
            conn.execute(
                text(
                    "INSERT INTO flow (id, name, description, status, trigger, reentry, "
                    "exit_events, created_at, updated_at) VALUES (:id, 'id floor', '', "
                    "'archived', '{}', 'once_ever', '[]', :now, :now)"
                ),
                {"id": start, "now": "2026-01-01 00:00:00.000000"},
            )


@asynccontextmanager
async def api_with_temporal(settings, engine, temporal_client):
    """An async API client (same event loop as the Temporal client) and a worker; yields
    (http, queue)."""
    import httpx
    from sqlmodel import Session

    from api.main import create_app
    from core.auth_bootstrap import ensure_admin
    from tests.conftest import TEST_API_KEY

    bump_flow_ids(engine)
    async with flow_worker(temporal_client, settings, engine) as queue:
        local = settings.model_copy(update={"temporal_task_queue": queue})
        app = create_app(local, engine=engine)
        app.state.engine = engine
        app.state.temporal_client = temporal_client
        with Session(engine) as session:
            ensure_admin(session, local)
            session.commit()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {TEST_API_KEY}"},
        ) as http:
            yield http, queue


async def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    """Poll `predicate` (sync or async) until it returns something truthy."""
    import asyncio
    import inspect

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        await asyncio.sleep(interval)


def runs_of(engine, flow_id: int) -> list:
    from core.models import FlowRun

    with Session(engine) as session:
        return list(
            session.exec(select(FlowRun).where(FlowRun.flow_id == flow_id).order_by(FlowRun.id))
        )
