"""Entries and exits through the API on a real (dev) Temporal server: event triggers with
re-entry rules under concurrent duplicates, exit events, run state and cancel, segment entry."""

import asyncio

from sqlmodel import Session

from tests.test_flows_support import (
    api_with_temporal,
    make_customer,
    messages_of,
    runs_of,
    wait_for,
)

SHORT = [
    {"type": "SEND_EMAIL", "subject": "Hi", "html": "<p>Hi</p>"},
    {"type": "WAIT", "duration_seconds": 1},
    {"type": "SEND_PUSH", "title": "Hey", "body": "Back?"},
]


async def _flow(http, **fields) -> dict:
    body = {"name": "f", "trigger": {"type": "manual"}, "steps": SHORT, **fields}
    created = await http.post("/api/flows", json=body)
    assert created.status_code == 201, created.text
    activated = await http.post(f"/api/flows/{created.json()['id']}/activate")
    assert activated.status_code == 200, activated.text
    return activated.json()


async def _events(http, customer: int, name: str, n: int, **properties):
    body = {"customer_id": customer, "name": name, "properties": properties}
    responses = await asyncio.gather(*(http.post("/api/events", json=body) for _ in range(n)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]


def _finished(engine, flow_id, count):
    def check():
        runs = runs_of(engine, flow_id)
        done = [r for r in runs if r.status in ("completed", "exited", "cancelled")]
        return len(done) >= count and runs

    return check


async def test_event_trigger_reentry_rules_under_concurrent_duplicates(
    dev_server_env, settings, engine
):
    async with api_with_temporal(settings, engine, dev_server_env.client) as (http, _):
        trigger = {"type": "event", "event": "signed_up", "properties": {"plan": "pro"}}
        at_a_time = await _flow(http, trigger=trigger, reentry="once_at_a_time")
        ever = await _flow(http, trigger=trigger, reentry="once_ever")
        every = await _flow(http, trigger=trigger, reentry="every_time")
        customer = make_customer(engine)
        await _events(http, customer, "signed_up", 1, plan="free")  # filter does not match
        await _events(http, customer, "signed_up", 5, plan="pro")  # five at once
        await wait_for(_finished(engine, every["id"], 5))
        await wait_for(_finished(engine, at_a_time["id"], 1))
        await wait_for(_finished(engine, ever["id"], 1))
        assert len(runs_of(engine, at_a_time["id"])) == 1
        assert len(runs_of(engine, ever["id"])) == 1
        assert len(runs_of(engine, every["id"])) == 5
        # After the runs finished: once_at_a_time enters again, once_ever never does.
        client = dev_server_env.client
        await wait_for(lambda: _closed(client, runs_of(engine, at_a_time["id"])))
        await wait_for(lambda: _closed(client, runs_of(engine, ever["id"])))
        await _events(http, customer, "signed_up", 3, plan="pro")
        await wait_for(_finished(engine, at_a_time["id"], 2))
        await wait_for(_finished(engine, every["id"], 8))
        await asyncio.sleep(0.5)
        assert len(runs_of(engine, at_a_time["id"])) == 2
        assert len(runs_of(engine, ever["id"])) == 1
        # One message per run and step: 2 + 1 + 8 runs, two messages each.
        messages = messages_of(engine, customer)
        assert len(messages) == 2 * (2 + 1 + 8)
        assert len({m.idempotency_key for m in messages}) == len(messages)


async def test_exit_event_ends_waiting_run_and_run_api(dev_server_env, settings, engine):
    async with api_with_temporal(settings, engine, dev_server_env.client) as (http, _):
        steps = [SHORT[0], {"type": "WAIT", "duration_seconds": 3600}, SHORT[2]]
        flow = await _flow(http, steps=steps, exit_events=["placed_order"])
        customer, other = make_customer(engine), make_customer(engine)
        enrolled = await http.post(
            f"/api/flows/{flow['id']}/enroll", json={"customer_ids": [customer, other]}
        )
        assert enrolled.json()["enrolled"] == 2, enrolled.text
        runs = await wait_for(
            lambda: (
                [r for r in runs_of(engine, flow["id"]) if r.status == "waiting"] == 2
                or len([r for r in runs_of(engine, flow["id"]) if r.status == "waiting"]) == 2
            )
        )
        assert runs
        by_customer = {r.customer_id: r for r in runs_of(engine, flow["id"])}
        detail = (await http.get(f"/api/flow-runs/{by_customer[customer].id}")).json()
        assert detail["status"] == "waiting" and detail["live"] is True
        assert detail["current_step"] == "s2" and detail["next_wake_at"]
        assert detail["temporal_url"].endswith("/history")
        assert f"flow-{flow['id']}-customer-{customer}" in detail["temporal_url"]
        assert [m["step_key"] for m in detail["messages"]] == ["s1"]

        await _events(http, customer, "placed_order", 1)
        await wait_for(lambda: _status(engine, by_customer[customer].id) == "exited")
        cancelled = await http.post(f"/api/flow-runs/{by_customer[other].id}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        await wait_for(lambda: _status(engine, by_customer[other].id) == "cancelled")
        again = await http.post(f"/api/flow-runs/{by_customer[other].id}/cancel")
        assert again.status_code == 409
        listed = (await http.get(f"/api/flows/{flow['id']}/runs")).json()["data"]
        assert {r["status"] for r in listed} == {"exited", "cancelled"}
        assert [m.step_key for m in messages_of(engine, customer)] == ["s1"]
        assert [m.step_key for m in messages_of(engine, other)] == ["s1"]


async def _closed(client, runs) -> bool:
    from temporalio.client import WorkflowExecutionStatus

    for run in runs:
        described = await client.get_workflow_handle(run.workflow_id).describe()
        if described.status == WorkflowExecutionStatus.RUNNING:
            return False
    return True


def _status(engine, run_id):
    from core.models import FlowRun

    with Session(engine) as session:
        return session.get(FlowRun, run_id).status


async def test_segment_entry_schedule_starts_only_new_members(dev_server_env, settings, engine):
    client = dev_server_env.client
    async with api_with_temporal(settings, engine, client) as (http, _):
        criteria = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "FR"}]}
        trigger = {"type": "segment", "criteria": criteria, "check_interval_seconds": 3600}
        flow = await _flow(http, trigger=trigger, steps=SHORT[:1])
        french = [make_customer(engine, country="FR") for _ in range(3)]
        make_customer(engine, country="DE")
        schedule = client.get_schedule_handle(f"flow-{flow['id']}-segment-entry")
        await schedule.trigger()
        await wait_for(_finished(engine, flow["id"], 3))
        await schedule.trigger()  # nobody new
        newcomer = make_customer(engine, country="FR")
        await schedule.trigger()
        await wait_for(_finished(engine, flow["id"], 4))
        await asyncio.sleep(1)
        runs = runs_of(engine, flow["id"])
        assert sorted(r.customer_id for r in runs) == sorted([*french, newcomer])
        assert {r.entered_via for r in runs} == {"segment"}
        # Pausing pauses the schedule; archiving removes it.
        await http.post(f"/api/flows/{flow['id']}/pause")
        assert (await schedule.describe()).schedule.state.paused
        await http.post(f"/api/flows/{flow['id']}/archive")
        listed = [s.id async for s in await client.list_schedules()]
        assert schedule.id not in listed


async def test_enrol_segment_and_campaign_audience(dev_server_env, settings, engine):
    """`POST /enroll {"segment_id"}` and the campaigns' `enroll_audience_in_flow` activity."""
    import dataclasses

    from temporalio.testing import ActivityEnvironment

    from activities.flow_entry import FlowEntryActivities
    from core.flows.run_io import EnrollAudienceInput
    from core.models import Segment
    from core.segments import snapshot_audience
    from core.timeutil import utcnow

    client = dev_server_env.client
    async with api_with_temporal(settings, engine, client) as (http, queue):
        flow = await _flow(http, steps=SHORT[:1], reentry="once_at_a_time")
        members = [make_customer(engine, country="JP") for _ in range(3)]
        make_customer(engine, country="US")
        criteria = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "JP"}]}
        with Session(engine, expire_on_commit=False) as session:
            segment = Segment(name="jp", criteria=criteria)
            session.add(segment)
            session.commit()
        missing = await http.post(f"/api/flows/{flow['id']}/enroll", json={"segment_id": 99999})
        assert missing.status_code == 404
        enrolled = await http.post(
            f"/api/flows/{flow['id']}/enroll", json={"segment_id": segment.id}
        )
        assert enrolled.json()["enrolled"] == 3, enrolled.text
        await wait_for(_finished(engine, flow["id"], 3))
        # The row says completed a moment before the workflow closes: wait for the close.
        await wait_for(lambda: _closed(client, runs_of(engine, flow["id"])))

        # A campaign enrols its audience: the same customers enter again (once_at_a_time).
        with Session(engine) as session:
            audience = snapshot_audience(session, criteria, utcnow())
            session.commit()
            audience_id = audience.id
        activities = FlowEntryActivities(engine, settings)
        env = ActivityEnvironment(client=client)
        env.info = dataclasses.replace(env.info, task_queue=queue)  # runs start on our worker
        result = await env.run(
            activities.enroll_audience_in_flow,
            EnrollAudienceInput(flow_id=flow["id"], audience_id=audience_id, campaign_id=5),
        )
        assert result["enrolled"] == 3
        await wait_for(_finished(engine, flow["id"], 6))
        runs = runs_of(engine, flow["id"])
        assert sorted(r.customer_id for r in runs) == sorted(members * 2)
        assert sorted(r.entered_via for r in runs) == ["campaign"] * 3 + ["manual"] * 3


async def test_campaign_audience_becomes_one_cohort_once_under_retries(
    dev_server_env, settings, engine
):
    import dataclasses

    from temporalio.testing import ActivityEnvironment

    from activities.flow_entry import FlowEntryActivities
    from core.flows.run_io import EnrollAudienceInput
    from core.segments import snapshot_audience
    from core.timeutil import utcnow

    client = dev_server_env.client
    async with api_with_temporal(settings, engine, client) as (http, queue):
        flow = await _flow(http, steps=SHORT[:1], reentry="every_time")
        members = [make_customer(engine, country="NZ") for _ in range(5)]
        criteria = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "NZ"}]}
        with Session(engine) as session:
            audience_id = snapshot_audience(session, criteria, utcnow()).id
            session.commit()
        local = settings.model_copy(update={"flow_cohort_threshold": 3})
        activities = FlowEntryActivities(engine, local)
        env = ActivityEnvironment(client=client)
        env.info = dataclasses.replace(env.info, task_queue=queue)
        body = EnrollAudienceInput(flow_id=flow["id"], audience_id=audience_id, campaign_id=9)
        first = await env.run(activities.enroll_audience_in_flow, body)
        again = await env.run(activities.enroll_audience_in_flow, body)  # a retried activity
        assert first["enrolled"] == again["enrolled"] == 5
        assert first["cohort_id"] == again["cohort_id"]
        await wait_for(_finished(engine, flow["id"], 5))
    runs = runs_of(engine, flow["id"])
    assert sorted(r.customer_id for r in runs) == sorted(members)  # every_time, yet once each
    assert {r.cohort_id for r in runs} == {first["cohort_id"]}
    assert all(len(messages_of(engine, c)) == 1 for c in members)
