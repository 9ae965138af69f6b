"""Flow runs on the time-skipping server: steps, waits at the right virtual times, exits."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from core.flows.run_io import ExitSignal, FlowRunView
from core.models import FlowRun
from tests import test_flows_support as support
from tests.test_flows_support import (
    WELCOME,
    flow_worker,
    make_customer,
    messages_of,
    publish_flow,
    start,
)

ts_env = support.ts_env  # the time-skipping server with Nudge's search attributes


async def test_email_wait_three_days_push(ts_env, settings, engine):
    client = ts_env.client
    version = publish_flow(engine, WELCOME)
    customer = make_customer(engine)
    async with flow_worker(client, settings, engine) as queue:
        entry = await start(client, queue, version, customer)
        assert entry.workflow_id == f"flow-{version.flow_id}-customer-{customer}"
        view = await entry.handle.result()
    assert view.status == "completed"
    done = {step.key: step for step in view.steps_done}
    assert [s.outcome for s in view.steps_done] == ["sent", "waited", "sent", "exit"]
    gap = done["s3"].at - done["s1"].at
    assert timedelta(days=3) <= gap < timedelta(days=3, minutes=1)
    messages = messages_of(engine, customer)
    assert [(m.channel, m.status, m.step_key) for m in messages] == [
        ("email", "sent", "s1"),
        ("push", "sent", "s3"),
    ]
    run_id = view.run_id
    assert [m.idempotency_key for m in messages] == [f"flow:{run_id}:s1", f"flow:{run_id}:s3"]
    assert messages[0].subject == "Welcome Ada"
    with Session(engine) as session:
        run = session.get(FlowRun, run_id)
        assert run.status == "completed" and run.finished_at is not None
        assert run.flow_version_id == version.flow_version_id


@pytest.mark.parametrize("tz", ["Asia/Tokyo", "America/Los_Angeles"])
async def test_wait_until_local_time_honours_timezone(ts_env, settings, engine, tz):
    from zoneinfo import ZoneInfo

    client = ts_env.client
    version = publish_flow(
        engine,
        {
            "name": "Morning",
            "trigger": {"type": "manual"},
            "steps": [
                {"type": "WAIT", "until_local_time": "09:30"},
                {"type": "SEND_EMAIL", "subject": "Good morning", "html": "<p>Hi</p>"},
            ],
        },
    )
    customer = make_customer(engine, tz=tz)
    async with flow_worker(client, settings, engine) as queue:
        entry = await start(client, queue, version, customer)
        view = await entry.handle.result()
    sent = next(s for s in view.steps_done if s.key == "s2")
    local = sent.at.astimezone(ZoneInfo(tz))
    assert (local.hour, local.minute) == (9, 30)
    assert sent.at - view.steps_done[0].at <= timedelta(hours=24)
    assert [m.status for m in messages_of(engine, customer)] == ["sent"]


async def test_exit_event_during_wait_ends_run_without_more_messages(ts_env, settings, engine):
    client = ts_env.client
    version = publish_flow(engine, {**WELCOME, "exit_events": ["placed_order"]})
    customer = make_customer(engine)
    async with flow_worker(client, settings, engine) as queue:
        entry = await start(client, queue, version, customer)
        handle = entry.handle
        # Time only skips while a result is awaited: the run sits in its 3-day WAIT.
        for _ in range(200):
            state = await handle.query("state", result_type=FlowRunView)
            if state.status == "waiting":
                break
            await _sleep(0.05)
        assert state.status == "waiting" and state.next_wake_at > datetime.now(UTC)
        assert state.current_step == "s2"
        await handle.signal("exit", ExitSignal(reason="event placed_order"))
        view = await handle.result()
    assert view.status == "exited" and view.exit_reason == "event placed_order"
    assert [m.channel for m in messages_of(engine, customer)] == ["email"]


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def test_quiet_hours_and_condition_branches(ts_env, settings, engine):
    """A send due in quiet hours waits for their end (customer's zone); CONDITION picks the
    branch by segment criteria; a key branch jumps forward."""
    from zoneinfo import ZoneInfo

    from tests.test_replay import BRANCHES

    client = ts_env.client
    version = publish_flow(engine, BRANCHES)
    french = make_customer(engine, tz="Europe/Paris", country="FR")
    german = make_customer(engine, tz="Europe/Berlin", country="DE")
    async with flow_worker(client, settings, engine) as queue:
        fr = await (await start(client, queue, version, french)).handle.result()
        de = await (await start(client, queue, version, german)).handle.result()
    # 23:00 local is inside 22:00-07:00 quiet hours: the first send waits until 07:00.
    first_fr = next(s for s in fr.steps_done if s.type == "SEND_EMAIL")
    local = first_fr.at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute) == (7, 0)
    assert [m.subject for m in messages_of(engine, french)] == ["Bonjour", "Only FR", "Bye"]
    assert [m.subject for m in messages_of(engine, german)] == ["Bye"]  # jumped to "last"
    assert [s.outcome for s in de.steps_done if s.type == "CONDITION"] == ["false"]


async def test_paused_flow_holds_runs_at_their_next_send(ts_env, settings, engine):
    from core.models import Flow

    client = ts_env.client
    version = publish_flow(engine, WELCOME)
    customer = make_customer(engine)

    def set_status(status):
        with Session(engine) as session:
            flow = session.get(Flow, version.flow_id)
            flow.status = status
            session.add(flow)
            session.commit()

    set_status("paused")
    async with flow_worker(client, settings, engine) as queue:
        entry = await start(client, queue, version, customer)
        handle = entry.handle
        for _ in range(200):
            state = await handle.query("state", result_type=FlowRunView)
            if state.status == "paused":
                break
            await _sleep(0.05)
        assert state.status == "paused" and messages_of(engine, customer) == []
        set_status("active")
        await handle.signal("resume")
        view = await handle.result()
    assert view.status == "completed"
    assert [m.channel for m in messages_of(engine, customer)] == ["email", "push"]
