"""The campaigns API against a real dev server and worker: lifecycle, progress, stats, and the
bad-input cases (a clear 4xx, and no workflow started or changed)."""

import asyncio
import uuid

import httpx
import pytest
from temporalio.service import RPCError

from tests.conftest import TEST_API_KEY
from tests.test_campaigns_fixtures import (
    FRANCE,
    add_customers,
    add_segment,
    assert_one_message_each,
    campaign_row,
    unique_ids,
)
from worker import build_worker


@pytest.fixture
def settings(settings):
    settings.temporal_task_queue = f"campaigns-api-{uuid.uuid4()}"
    return settings


@pytest.fixture
async def api(app, engine, settings, dev_server_env):
    """An async client on the app, its Temporal client the dev server's, and a worker."""
    unique_ids(engine)
    client = dev_server_env.client
    async with app.router.lifespan_context(app):
        app.state.temporal_client = client
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(
                transport=transport,
                base_url="http://test",
                headers={"Authorization": f"Bearer {TEST_API_KEY}"},
            ) as http,
            build_worker(client, settings, engine, task_queue=settings.temporal_task_queue),
        ):
            yield http


def _simple(segment_id, **extra):
    return {
        "name": "Spring sale",
        "segment_id": segment_id,
        "channel": "email",
        "subject": "Hello {{ customer.first_name }}",
        "html": "<p>Sale!</p><a href='https://shop.example.com'>Shop</a>",
        **extra,
    }


async def _wait_status(http, campaign_id, statuses, timeout=30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        body = (await http.get(f"/api/campaigns/{campaign_id}")).json()
        if body["status"] in statuses:
            return body
        assert asyncio.get_running_loop().time() < deadline, body
        await asyncio.sleep(0.1)


async def _workflow_exists(dev_server_env, campaign_id) -> bool:
    try:
        await dev_server_env.client.get_workflow_handle(f"campaign-{campaign_id}").describe()
    except RPCError:
        return False
    return True


async def test_create_launch_complete_progress_and_stats(api, engine, dev_server_env):
    members = add_customers(engine, 250, opt_out_every=5)
    add_customers(engine, 20, country="US")
    segment_id = add_segment(engine, FRANCE)
    created = await api.post("/api/campaigns", json=_simple(segment_id))
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["status"] == "draft" and campaign["kind"] == "standard"
    assert campaign["workflow_id"] == f"campaign-{campaign['id']}"
    assert campaign["temporal_url"].endswith(f"/workflows/campaign-{campaign['id']}")
    assert campaign["steps"][0]["subject"] == "Hello {{ customer.first_name }}"

    launched = await api.post(f"/api/campaigns/{campaign['id']}/launch")
    assert launched.status_code == 200, launched.text
    assert launched.json()["status"] in ("sending", "completed")
    done = await _wait_status(api, campaign["id"], {"completed"})
    assert (done["total"], done["sent"], done["skipped"], done["failed"]) == (250, 200, 50, 0)
    assert done["completed_at"] is not None
    assert_one_message_each(engine, campaign["id"], members)

    progress = (await api.get(f"/api/campaigns/{campaign['id']}/progress")).json()
    assert progress["source"] == "database" and progress["status"] == "completed"
    assert progress["sent"] + progress["skipped"] + progress["failed"] == progress["total"] == 250
    assert progress["remaining"] == 0

    stats = (await api.get(f"/api/campaigns/{campaign['id']}/stats")).json()
    assert (stats["sent"], stats["delivered"], stats["skipped"], stats["opened"]) == (
        200,
        200,
        50,
        0,
    )
    assert stats["delivery_rate"] == 1.0

    described = await dev_server_env.client.get_workflow_handle(campaign["workflow_id"]).describe()
    from core.temporal_names import CAMPAIGN_ID, KIND, STATUS

    attrs = described.typed_search_attributes
    assert (attrs.get(CAMPAIGN_ID), attrs.get(KIND), attrs.get(STATUS)) == (
        campaign["id"],
        "campaign",
        "completed",
    )
    # a completed campaign cannot be resumed, edited or launched again
    resumed = await api.post(f"/api/campaigns/{campaign['id']}/resume")
    assert resumed.status_code == 409 and "completed" in resumed.json()["detail"]
    edited = await api.patch(f"/api/campaigns/{campaign['id']}", json={"html": "<p>new</p>"})
    assert edited.status_code == 409
    assert (await api.patch(f"/api/campaigns/{campaign['id']}", json={"name": "Old"})).json()[
        "name"
    ] == "Old"
    listed = (await api.get("/api/campaigns", params={"status": "completed"})).json()
    assert campaign["id"] in [c["id"] for c in listed["data"]]
    assert {c["status"] for c in listed["data"]} == {"completed"}


async def test_pause_resume_and_live_progress_through_the_api(api, engine):
    members = add_customers(engine, 400)
    body = _simple(add_segment(engine), send_rate_per_second=100)
    campaign = (await api.post("/api/campaigns", json=body)).json()
    await api.post(f"/api/campaigns/{campaign['id']}/launch")
    live = (await api.get(f"/api/campaigns/{campaign['id']}/progress")).json()
    assert live["source"] == "workflow" and live["status"] == "sending"
    await asyncio.sleep(1.2)
    paused = await api.post(f"/api/campaigns/{campaign['id']}/pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    edit = await api.patch(f"/api/campaigns/{campaign['id']}", json={"subject": "changed"})
    assert edit.status_code == 409 and "paused" in edit.json()["detail"]
    before = campaign_row(engine, campaign["id"]).sent
    await asyncio.sleep(1.5)
    progress = (await api.get(f"/api/campaigns/{campaign['id']}/progress")).json()
    assert progress["status"] == "paused" and progress["sent"] == before < 400
    assert progress["sent"] + progress["remaining"] == 400
    resumed = await api.post(f"/api/campaigns/{campaign['id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "sending"
    done = await _wait_status(api, campaign["id"], {"completed"})
    assert done["sent"] == 400
    assert_one_message_each(engine, campaign["id"], members)


async def test_schedule_reschedule_and_cancel(api, engine, dev_server_env):
    add_customers(engine, 5)
    campaign = (await api.post("/api/campaigns", json=_simple(add_segment(engine)))).json()
    cid = campaign["id"]
    scheduled = await api.post(
        f"/api/campaigns/{cid}/schedule",
        json={"date": "2099-06-01", "time": "09:30", "timezone": "Europe/Paris"},
    )
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["scheduled_at"] == "2099-06-01T07:30:00Z"
    moved = await api.post(
        f"/api/campaigns/{cid}/schedule", json={"send_at": "2099-07-01T10:00:00Z"}
    )
    assert moved.status_code == 200 and moved.json()["scheduled_at"] == "2099-07-01T10:00:00Z"
    paused = await api.post(f"/api/campaigns/{cid}/pause")
    assert paused.status_code == 409 and "scheduled" in paused.json()["detail"]
    cancelled = await api.post(f"/api/campaigns/{cid}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    result = await dev_server_env.client.get_workflow_handle(f"campaign-{cid}").result()
    assert result["status"] == "cancelled" and result["sent"] == 0
    assert (await api.delete(f"/api/campaigns/{cid}")).status_code == 204
    assert (await api.get(f"/api/campaigns/{cid}")).status_code == 404


async def test_bad_input_is_a_clear_4xx_and_starts_nothing(api, engine, dev_server_env):
    segment_id = add_segment(engine)
    no_segment = (await api.post("/api/campaigns", json=_simple(None))).json()
    r = await api.post(f"/api/campaigns/{no_segment['id']}/launch")
    assert r.status_code == 422 and "segment_id" in r.json()["detail"]

    empty = await api.post("/api/campaigns", json={"name": "Empty", "segment_id": segment_id})
    r = await api.post(f"/api/campaigns/{empty.json()['id']}/launch")
    assert r.status_code == 422 and "content" in r.json()["detail"]

    bad_template = _simple(segment_id, html="<p>{{ customer.password }}</p>")
    bad = (await api.post("/api/campaigns", json=bad_template)).json()
    r = await api.post(f"/api/campaigns/{bad['id']}/launch")
    assert r.status_code == 422 and "customer.password" in r.json()["detail"]

    ok = (await api.post("/api/campaigns", json=_simple(segment_id))).json()
    past = await api.post(
        f"/api/campaigns/{ok['id']}/schedule", json={"send_at": "2020-01-01T00:00:00Z"}
    )
    assert past.status_code == 422 and "past" in past.json()["detail"]
    tz = await api.post(
        f"/api/campaigns/{ok['id']}/schedule",
        json={"date": "2099-01-01", "time": "09:00", "timezone": "Mars/Olympus"},
    )
    assert tz.status_code == 422 and "timezone" in tz.json()["message"]
    r = await api.post(f"/api/campaigns/{ok['id']}/pause")
    assert r.status_code == 409 and "draft" in r.json()["detail"]
    r = await api.post(f"/api/campaigns/{ok['id']}/resume")
    assert r.status_code == 409

    for campaign in (no_segment, empty.json(), bad, ok):
        assert campaign_row(engine, campaign["id"]).status == "draft"
        assert not await _workflow_exists(dev_server_env, campaign["id"])

    r = await api.post("/api/campaigns", json=_simple(999999))
    assert r.status_code == 422 and r.json()["field"] == "segment_id"
    r = await api.post("/api/campaigns", json={**_simple(segment_id), "channel": "fax"})
    assert r.status_code == 422 and "channel" in r.json()["message"]
    ab = {
        "name": "AB",
        "segment_id": segment_id,
        "steps": [
            {"variant": "A", "split_percent": 60, "subject": "a", "html": "<p>a</p>"},
            {"variant": "B", "split_percent": 30, "subject": "b", "html": "<p>b</p>"},
        ],
        "ab_test": {"test_percent": 20},
    }
    r = await api.post("/api/campaigns", json=ab)
    assert r.status_code == 422 and "add up to 100" in r.json()["message"]
    assert (await api.get("/api/campaigns/424242")).status_code == 404


async def test_test_send_and_ab_create(api, engine):
    add_customers(engine, 3)
    segment_id = add_segment(engine)
    ab = {
        "name": "AB",
        "segment_id": segment_id,
        "steps": [
            {"variant": "A", "split_percent": 50, "subject": "a", "html": "<p>a</p>"},
            {"variant": "B", "split_percent": 50, "subject": "b", "html": "<p>b</p>"},
        ],
        "ab_test": {"test_percent": 20, "winner_metric": "click", "wait_seconds": 3600},
    }
    created = await api.post("/api/campaigns", json=ab)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["kind"] == "ab_test" and body["ab_test"]["winner_metric"] == "click"
    assert [s["variant"] for s in body["steps"]] == ["A", "B"]
    from sqlmodel import Session, select

    from core.models import Customer, Message

    with Session(engine) as session:
        email = session.exec(select(Customer.email)).first()
    sent = await api.post(
        f"/api/campaigns/{body['id']}/test-send", json={"emails": [email], "variant": "B"}
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["sent"] == 1
    with Session(engine) as session:
        message = session.exec(select(Message).where(Message.to_address == email)).one()
    assert message.subject == "b" and message.campaign_id is None  # not in the stats
    unknown = await api.post(
        f"/api/campaigns/{body['id']}/test-send", json={"emails": ["nobody@example.com"]}
    )
    assert unknown.status_code == 422 and "nobody@example.com" in unknown.json()["detail"]
    assert campaign_row(engine, body["id"]).status == "draft"


async def test_flow_campaign_enrols_the_audience_in_the_flow(api, engine):
    from sqlmodel import Session, select

    from core.models import FlowRun
    from tests.test_flows_support import publish_flow

    members = add_customers(engine, 6)
    flow = publish_flow(
        engine,
        {
            "name": "Welcome",
            "trigger": {"type": "manual"},
            "steps": [{"type": "SEND_EMAIL", "subject": "Hi", "html": "<p>Hi</p>"}],
        },
    )
    body = {"name": "Into the flow", "segment_id": add_segment(engine), "flow_id": flow.flow_id}
    created = await api.post("/api/campaigns", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["kind"] == "flow"
    with_content = await api.post("/api/campaigns", json={**body, "subject": "x", "html": "<p/>"})
    assert with_content.status_code == 422  # a flow campaign sends the flow's messages
    launched = await api.post(f"/api/campaigns/{created.json()['id']}/launch")
    assert launched.status_code == 200, launched.text
    done = await _wait_status(api, created.json()["id"], {"completed", "failed"})
    assert (done["status"], done["total"], done["sent"]) == ("completed", 6, 6), done

    def entered() -> set[int]:  # each run writes its row from its first activity
        with Session(engine) as session:
            stmt = select(FlowRun.customer_id).where(FlowRun.flow_id == flow.flow_id)
            return set(session.exec(stmt))

    deadline = asyncio.get_running_loop().time() + 20
    while entered() != set(members):
        assert asyncio.get_running_loop().time() < deadline, entered()
        await asyncio.sleep(0.1)


async def test_push_campaign_uses_the_simple_push_form(api, engine):
    from sqlmodel import Session

    from core.models import PushDevice

    members = add_customers(engine, 4)
    with Session(engine) as session:
        for cid in members[:3]:
            session.add(PushDevice(customer_id=cid, token=f"tok-{uuid.uuid4().hex}"))
        session.commit()
    body = {
        "name": "Flash sale",
        "segment_id": add_segment(engine),
        "channel": "push",
        "title": "Hi {{ customer.first_name }}",
        "body": "Flash sale today",
    }
    created = await api.post("/api/campaigns", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["steps"][0]["title"] == "Hi {{ customer.first_name }}"
    await api.post(f"/api/campaigns/{created.json()['id']}/launch")
    done = await _wait_status(api, created.json()["id"], {"completed"})
    assert (done["sent"], done["skipped"]) == (3, 1)  # one customer has no device
    stats = (await api.get(f"/api/campaigns/{created.json()['id']}/stats")).json()
    assert (stats["sent"], stats["skipped"]) == (3, 1)
