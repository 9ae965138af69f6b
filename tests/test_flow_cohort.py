"""Cohort runs on the time-skipping server (exits during a WAIT, mixed time zones, conditions,
the automatic choice through the API) and continue-as-new on a dev server of their own."""

import asyncio
from zoneinfo import ZoneInfo

from sqlmodel import Session, select
from temporalio.api.testservice.v1 import UnlockTimeSkippingRequest

from core.flows.entry import start_cohort
from core.flows.run_io import FlowRunView
from core.models import FlowCohort, FlowRun
from tests import test_flows_support as support
from tests.test_flows_support import (
    WELCOME,
    api_with_temporal,
    flow_worker,
    make_customer,
    messages_of,
    publish_flow,
    wait_for,
)

ts_env = support.ts_env


def _runs(engine, flow_id):
    with Session(engine) as session:
        return {
            r.customer_id: r
            for r in session.exec(select(FlowRun).where(FlowRun.flow_id == flow_id))
        }


async def test_member_exit_during_cohort_wait_gets_no_more_messages(ts_env, settings, engine):
    """Through the API: a big enrolment becomes one cohort; an order during its WAIT removes
    that member, the others get every message."""
    client = ts_env.client
    local = settings.model_copy(update={"flow_cohort_threshold": 3})
    async with api_with_temporal(local, engine, client) as (http, _):
        body = {**WELCOME, "exit_events": ["placed_order"]}
        flow = (await http.post("/api/flows", json=body)).json()
        await http.post(f"/api/flows/{flow['id']}/activate")
        members = [make_customer(engine) for _ in range(4)]
        enrolled = (
            await http.post(f"/api/flows/{flow['id']}/enroll", json={"customer_ids": members})
        ).json()
        assert enrolled["enrolled"] == 4 and enrolled["cohort_id"], enrolled
        assert enrolled["workflow_ids"] == [f"flow-{flow['id']}-cohort-{enrolled['cohort_id']}"]
        await wait_for(
            lambda: {r.status for r in _runs(engine, flow["id"]).values()} == {"waiting"}
        )
        leaver = members[1]
        ordered = await http.post(
            "/api/events", json={"customer_id": leaver, "name": "placed_order"}
        )
        assert ordered.status_code == 201
        run = _runs(engine, flow["id"])[leaver]
        detail = (await http.get(f"/api/flow-runs/{run.id}")).json()
        assert detail["status"] == "exited" and detail["cohort_id"] == enrolled["cohort_id"]
        handle = client.get_workflow_handle(enrolled["workflow_ids"][0], result_type=FlowRunView)
        async with ts_env.time_skipping_unlocked():
            view = await handle.result()
    assert view.status == "completed"
    runs = _runs(engine, flow["id"])
    for customer in members:
        channels = [m.channel for m in messages_of(engine, customer)]
        if customer == leaver:
            assert channels == ["email"] and runs[customer].status == "exited"
        else:
            assert channels == ["email", "push"] and runs[customer].status == "completed"
            keys = [m.idempotency_key for m in messages_of(engine, customer)]
            assert keys == [f"flow:{runs[customer].id}:s1", f"flow:{runs[customer].id}:s3"]


async def test_mixed_time_zones_wake_at_their_own_local_time(ts_env, settings, engine):
    """One cohort, three zones: split into one cohort per wake-up instant, each waiting until
    09:30 in its members' zone, then every cohort runs to completion and each member gets one
    message at (virtual) 09:30 in its own zone. Time does not skip while nobody awaits a result,
    so every cohort's timer is inspected before it fires."""
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
    zones = ["Asia/Tokyo", "Europe/Paris", "America/Los_Angeles", "Asia/Tokyo"]
    members = [make_customer(engine, tz=tz) for tz in zones]
    async with flow_worker(client, settings, engine) as queue:
        cohort = await start_cohort(client, queue, engine, version, "manual", customer_ids=members)
        assert cohort.size == 4
        await wait_for(
            lambda: [r.status for r in _runs(engine, version.flow_id).values()] == ["waiting"] * 4
        )
        runs = _runs(engine, version.flow_id)
        assert len({r.cohort_id for r in runs.values()}) == 3  # one per wake-up instant
        for customer, tz in zip(members, zones, strict=True):
            local = runs[customer].next_wake_at.astimezone(ZoneInfo(tz))
            assert (local.hour, local.minute) == (9, 30), (tz, runs[customer].next_wake_at)
        assert runs[members[0]].cohort_id == runs[members[3]].cohort_id  # same zone
        # The original cohort keeps the zone that wakes first.
        earliest = min(r.next_wake_at for r in runs.values())
        kept = [c for c in members if runs[c].cohort_id == cohort.cohort_id]
        assert kept and all(runs[c].next_wake_at == earliest for c in kept)
        with Session(engine) as session:
            cohort_ids = {c.id: c.workflow_id for c in session.exec(select(FlowCohort))}
        assert set(cohort_ids) == {r.cohort_id for r in runs.values()}
        # Run every cohort to completion, in wake-up order, with the virtual clock unlocked (the
        # split-off cohorts are child workflows: their handles do not unlock it). Observed on the
        # time-skipping test server: each completion of a child whose parent has already closed
        # leaves time skipping locked once more, so unlock once after each such completion.
        wake_of = {r.cohort_id: r.next_wake_at for r in runs.values()}
        views = {}
        async with ts_env.time_skipping_unlocked():
            for cohort_id in sorted(cohort_ids, key=wake_of.__getitem__):
                handle = client.get_workflow_handle(cohort_ids[cohort_id], result_type=FlowRunView)
                views[cohort_id] = await asyncio.wait_for(handle.result(), 30)
                if cohort_id != cohort.cohort_id:
                    await client.test_service.unlock_time_skipping(UnlockTimeSkippingRequest())
    final = _runs(engine, version.flow_id)
    for customer, tz in zip(members, zones, strict=True):
        view = views[runs[customer].cohort_id]
        assert view.status == "completed" and final[customer].status == "completed"
        waited = next(s for s in view.steps_done if s.type == "WAIT")
        sent = next(s for s in view.steps_done if s.type == "SEND_EMAIL")
        assert abs((waited.at - runs[customer].next_wake_at).total_seconds()) < 1
        local = sent.at.astimezone(ZoneInfo(tz))
        assert (local.hour, local.minute) == (9, 30), (tz, sent.at)
        together = sum(runs[c].cohort_id == runs[customer].cohort_id for c in members)
        assert sent.outcome == f"sent {together}, skipped 0"
        assert [m.status for m in messages_of(engine, customer)] == ["sent"]
        assert messages_of(engine, customer)[0].subject == "Good morning"


async def test_condition_splits_cohort_in_sql(ts_env, settings, engine):
    from tests.test_replay import BRANCHES

    client = ts_env.client
    # No timers: the split-off cohort runs at once (the test server only skips time for the
    # results a test awaits).
    version = publish_flow(
        engine, {**BRANCHES, "quiet_hours": None, "steps": BRANCHES["steps"][1:]}
    )
    french = [make_customer(engine, tz="Europe/Paris", country="FR") for _ in range(2)]
    german = [make_customer(engine, tz="Europe/Paris", country="DE") for _ in range(2)]
    async with flow_worker(client, settings, engine) as queue:
        cohort = await start_cohort(
            client, queue, engine, version, "manual", customer_ids=french + german
        )
        await cohort.handle.result()
        await wait_for(
            lambda: {r.status for r in _runs(engine, version.flow_id).values()} == {"completed"}
        )
        with Session(engine) as session:
            assert len(session.exec(select(FlowCohort)).all()) == 2  # the false branch split off
    for customer in french:
        assert [m.subject for m in messages_of(engine, customer)] == ["Bonjour", "Only FR", "Bye"]
    for customer in german:
        assert [m.subject for m in messages_of(engine, customer)] == ["Bye"]


async def test_cohort_respects_reentry_rules(ts_env, settings, engine):
    client = ts_env.client
    version = publish_flow(
        engine, {**WELCOME, "reentry": "once_ever", "steps": WELCOME["steps"][:1]}
    )
    members = [make_customer(engine) for _ in range(3)]
    async with flow_worker(client, settings, engine) as queue:
        first = await start_cohort(client, queue, engine, version, "manual", customer_ids=members)
        await first.handle.result()
        again = await start_cohort(client, queue, engine, version, "manual", customer_ids=members)
    assert first.size == 3 and again.size == 0 and again.handle is None
    assert all(len(messages_of(engine, c)) == 1 for c in members)


async def test_cohort_continues_as_new_and_sends_once_per_member_per_step(settings, engine):
    """A dev server told to suggest continue-as-new after a few history events: the cohort walks
    seven steps over several runs, each run's history stays small, and every member gets exactly
    one message per send step."""
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from core.temporal_names import ALL_SEARCH_ATTRIBUTES
    from tests.conftest import temporal_binary

    send_email = {"type": "SEND_EMAIL", "subject": "Hello", "html": "<p>Hi</p>"}
    send_push = {"type": "SEND_PUSH", "title": "Hi", "body": "Again"}
    pause = {"type": "WAIT", "duration_seconds": 1}
    steps = [send_email, pause, send_push, pause, send_email, pause, send_push]
    version = publish_flow(engine, {"name": "Long", "trigger": {"type": "manual"}, "steps": steps})
    members = [make_customer(engine) for _ in range(3)]
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary("temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=ALL_SEARCH_ATTRIBUTES,
        ui=False,
        dev_server_extra_args=[
            "--dynamic-config-value",
            "limit.historyCount.suggestContinueAsNew=10",
        ],
    )
    try:
        client = env.client
        async with flow_worker(client, settings, engine) as queue:
            cohort = await start_cohort(
                client, queue, engine, version, "manual", customer_ids=members
            )
            view = await asyncio.wait_for(cohort.handle.result(), 60)
            latest = (await cohort.handle.describe()).raw_description.workflow_execution_info
            # Walk the chain of runs from the first one, counting each run's events.
            sizes = []
            run_id = cohort.handle.first_execution_run_id or cohort.handle.result_run_id
            while run_id:
                handle = client.get_workflow_handle(cohort.workflow_id, run_id=run_id)
                events = [e async for e in handle.fetch_history_events()]
                sizes.append(len(events))
                last = events[-1]
                run_id = (
                    last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
                    if last.HasField("workflow_execution_continued_as_new_event_attributes")
                    else None
                )
    finally:
        await env.shutdown()
    assert latest.status == 2  # the last run completed
    assert view.status == "completed"
    assert len(sizes) >= 3, sizes  # continued as new more than once
    assert max(sizes) <= 20, sizes  # each run's history stays small (45 in one run)
    runs = _runs(engine, version.flow_id)
    for customer in members:
        sent = messages_of(engine, customer)
        assert [m.channel for m in sent] == ["email", "push", "email", "push"]
        assert [m.idempotency_key for m in sent] == [
            f"flow:{runs[customer].id}:s{n}" for n in (1, 3, 5, 7)
        ]
        assert runs[customer].status == "completed"
