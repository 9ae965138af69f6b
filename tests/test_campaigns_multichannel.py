"""A campaign with an email step and a push step: each consenting customer gets both, once per
channel, on the time-skipping server with the real worker, database and sender (outbox + the
offline push gateway); a re-run batch doubles nothing; and the API's richer form validates."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlmodel import Session
from temporalio.testing import ActivityEnvironment

from activities.campaign import CampaignActivities
from core.models import CampaignStep, CustomerPreferences, Message, PushDevice
from tests.test_campaigns_fixtures import (
    add_campaign,
    add_customers,
    add_segment,
    campaign_row,
    unique_ids,
)
from worker import build_worker
from workflows.campaign import CampaignWorkflow
from workflows.campaign_types import CampaignWorkflowInput, SendBatchInput, SnapshotInput


def _add_push_step(engine, campaign_id: int) -> None:
    with Session(engine) as session:
        session.add(
            CampaignStep(
                campaign_id=campaign_id,
                position=1,
                channel="push",
                variant="A",
                title="Sale for {{ customer.first_name }}",
                body="Everything -20 % today",
            )
        )
        session.commit()


def _setup(engine, count: int = 30):
    """Customers with a push device each; every 5th has no push consent (email consent kept)."""
    unique_ids(engine)
    ids = add_customers(engine, count)
    no_push = set(ids[::5])
    with Session(engine) as session:
        session.execute(
            insert(PushDevice),
            [{"customer_id": cid, "token": f"tok-{uuid.uuid4().hex}"} for cid in ids],
        )
        for cid in no_push:
            prefs = session.get(CustomerPreferences, cid)
            prefs.push_opt_in = False
            session.add(prefs)
        session.commit()
    campaign_id = add_campaign(engine, add_segment(engine))
    _add_push_step(engine, campaign_id)
    return ids, no_push, campaign_id


def _messages(engine, campaign_id: int) -> list[tuple[int, str, str, str]]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                Message.customer_id, Message.channel, Message.status, Message.idempotency_key
            ).where(Message.campaign_id == campaign_id)
        ).all()
    return [tuple(r) for r in rows]


async def test_email_and_push_each_sent_once_per_channel(engine, settings, time_skipping_env):
    env = time_skipping_env
    ids, no_push, campaign_id = _setup(engine)
    queue = f"campaigns-mc-{uuid.uuid4()}"
    async with build_worker(env.client, settings, engine, task_queue=queue):
        handle = await env.client.start_workflow(
            CampaignWorkflow.run,
            CampaignWorkflowInput(campaign_id=campaign_id, batch_size=7),
            id=f"campaign-{campaign_id}",
            task_queue=queue,
        )
        result = await handle.result()
    rows = _messages(engine, campaign_id)
    pairs = [(cid, ch) for cid, ch, _, _ in rows]
    assert len(pairs) == len(set(pairs)) == 2 * len(ids)  # one per customer and channel
    assert sorted(pairs) == sorted([(c, ch) for c in ids for ch in ("email", "push")])
    for cid, channel, status, key in rows:
        if channel == "email":
            assert key == f"campaign:{campaign_id}:{cid}"  # the primary channel's key is unchanged
            assert status == "sent"
        else:
            assert key == f"campaign:{campaign_id}:{cid}:push"
            assert status == ("skipped" if cid in no_push else "sent")
    # Progress counts messages: recipients x channels.
    n = len(ids)
    assert (result.total, result.sent, result.skipped, result.remaining) == (
        2 * n,
        2 * n - len(no_push),
        len(no_push),
        0,
    )
    row = campaign_row(engine, campaign_id)
    assert (row.status, row.total, row.sent, row.skipped) == (
        "completed",
        2 * n,
        2 * n - len(no_push),
        len(no_push),
    )


async def test_rerun_batch_doubles_nothing_and_counts_from_the_log(engine, settings):
    ids, no_push, campaign_id = _setup(engine, count=12)
    acts = CampaignActivities(settings, engine)
    snap = acts.snapshot_audience(SnapshotInput(campaign_id=campaign_id, as_of=datetime.now(UTC)))
    assert snap.total == 2 * len(ids)
    batch = SendBatchInput(
        campaign_id=campaign_id, audience_id=snap.audience_id, after_customer_id=0, limit=100
    )
    first = await ActivityEnvironment().run(acts.send_batch, batch)
    again = await ActivityEnvironment().run(
        acts.send_batch, batch
    )  # e.g. a retry after a lost completion
    assert len(_messages(engine, campaign_id)) == 2 * len(ids)
    for res in (first, again):
        assert (res.sent, res.skipped, res.failed) == (2 * len(ids) - len(no_push), len(no_push), 0)


@pytest.fixture
def segment_id(engine):
    return add_segment(engine)


def test_api_creates_email_and_push_steps_and_reports_stats_per_channel(client, segment_id):
    body = {
        "name": "Both",
        "segment_id": segment_id,
        "steps": [
            {"channel": "email", "subject": "Hi {{ customer.first_name }}", "html": "<p>Hi</p>"},
            {"channel": "push", "title": "Hi", "body": "Sale today"},
        ],
    }
    r = client.post("/api/campaigns", json=body)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["channel"] == "email"
    assert [s["channel"] for s in got["steps"]] == ["email", "push"]
    stats = client.get(f"/api/campaigns/{got['id']}/stats")
    assert stats.status_code == 200 and stats.json()["channels"] == []


@pytest.mark.parametrize(
    "steps, message",
    [
        ([{"channel": "email", "subject": "s", "html": "<p>x</p>"}, {"channel": "push"}], "title"),
        (
            [
                {"channel": "email", "subject": "s", "html": "<p>x</p>"},
                {"channel": "push", "title": "t", "body": "b"},
                {"channel": "push", "title": "t2", "body": "b2", "variant": "B"},
            ],
            "one step per channel",
        ),
    ],
)
def test_api_rejects_bad_multichannel_steps(client, segment_id, steps, message):
    r = client.post("/api/campaigns", json={"name": "x", "segment_id": segment_id, "steps": steps})
    assert r.status_code == 422, r.text
    assert message in r.text
    assert client.get("/api/campaigns").json()["data"] == []  # nothing half-written


def test_api_edit_adds_keeps_and_removes_the_push_step(client, segment_id):
    simple = {"name": "E", "segment_id": segment_id, "subject": "S", "html": "<p>x</p>"}
    cid = client.post("/api/campaigns", json=simple).json()["id"]
    email = {"channel": "email", "subject": "S", "html": "<p>x</p>"}
    push = {"channel": "push", "title": "T", "body": "B"}
    r = client.patch(f"/api/campaigns/{cid}", json={"steps": [email, push]})
    assert r.status_code == 200, r.text
    assert [s["channel"] for s in r.json()["steps"]] == ["email", "push"]
    r = client.patch(f"/api/campaigns/{cid}", json={"subject": "New"})  # the simple form
    assert [(s["channel"], s["subject"]) for s in r.json()["steps"]] == [
        ("email", "New"),
        ("push", ""),
    ]
    r = client.patch(f"/api/campaigns/{cid}", json={"steps": [email]})
    assert [s["channel"] for s in r.json()["steps"]] == ["email"]
