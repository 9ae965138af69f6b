"""The campaign workflow on the time-skipping server: schedule, pause/resume, continue-as-new,
A/B winner, and progress that adds up. Real worker, real database, real sender (outbox).

`RECORD_HISTORIES=1 pytest tests/test_campaigns_workflow.py -k sqlite` rewrites the recorded
histories in tests/histories/campaign_*.json (only when a change is meant to break replay, i.e.
a new workflow type); otherwise they are replayed against the current code.
"""

import asyncio
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlmodel import Session
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.worker import Replayer

from core.campaigns import ab
from core.models import Audience, CampaignStep, Message
from tests.test_campaigns_fixtures import (
    add_campaign,
    add_customers,
    add_segment,
    assert_one_message_each,
    campaign_row,
    message_counts,
    unique_ids,
)
from worker import build_worker
from workflows import ALL_WORKFLOWS
from workflows.campaign import CampaignWorkflow
from workflows.campaign_types import CampaignWorkflowInput, RescheduleInput

HISTORIES = Path(__file__).parent / "histories"


async def _record(handle, name: str) -> None:
    if os.environ.get("RECORD_HISTORIES") == "1":
        history = await handle.fetch_history()
        (HISTORIES / f"campaign_{name}.json").write_text(history.to_json())


@pytest.mark.parametrize("name", ["scheduled", "pause_resume", "ab_test"])
async def test_recorded_campaign_history_replays(name):
    path = HISTORIES / f"campaign_{name}.json"
    history = WorkflowHistory.from_json(f"campaign-{name}", path.read_text())
    replayer = Replayer(workflows=ALL_WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)  # raises on any non-determinism


@pytest.fixture
def queue() -> str:
    return f"campaigns-{uuid.uuid4()}"


async def _start(client, queue, campaign_id, **fields):
    return await client.start_workflow(
        CampaignWorkflow.run,
        CampaignWorkflowInput(campaign_id=campaign_id, **fields),
        id=f"campaign-{campaign_id}",
        task_queue=queue,
    )


async def _wait_for(predicate, timeout=20.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def test_scheduled_in_three_days_sends_nothing_before_and_everything_after(
    engine, settings, time_skipping_env, queue
):
    env = time_skipping_env
    unique_ids(engine)
    members = add_customers(engine, 120, opt_out_every=10)
    add_customers(engine, 30, country="US")  # outside the segment
    campaign_id = add_campaign(engine, add_segment(engine))
    send_at = await env.get_current_time() + timedelta(days=3)
    async with build_worker(env.client, settings, engine, task_queue=queue):
        handle = await _start(env.client, queue, campaign_id, send_at=send_at, batch_size=50)
        await env.sleep(timedelta(days=2, hours=23, minutes=59))
        before = await handle.query(CampaignWorkflow.progress)
        assert before.status == "scheduled"
        assert message_counts(engine, campaign_id) == {}
        assert campaign_row(engine, campaign_id).status == "scheduled"
        result = await handle.result()
        await _record(handle, "scheduled")
    assert result.status == "completed"
    assert (result.total, result.sent, result.skipped, result.failed) == (120, 108, 12, 0)
    assert result.remaining == 0
    assert_one_message_each(engine, campaign_id, members)
    row = campaign_row(engine, campaign_id)
    assert (row.status, row.total, row.sent, row.skipped) == ("completed", 120, 108, 12)
    with Session(engine) as session:
        audience = session.get(Audience, row.audience_id)
    assert audience.as_of >= send_at  # the audience was taken at send time, not at start
    assert row.completed_at is not None


async def test_reschedule_moves_the_timer_and_cancel_stops_it(
    engine, settings, time_skipping_env, queue
):
    env = time_skipping_env
    unique_ids(engine)
    add_customers(engine, 10)
    campaign_id = add_campaign(engine, add_segment(engine))
    now = await env.get_current_time()
    async with build_worker(env.client, settings, engine, task_queue=queue):
        handle = await _start(env.client, queue, campaign_id, send_at=now + timedelta(days=1))
        await handle.execute_update(
            CampaignWorkflow.reschedule, RescheduleInput(send_at=now + timedelta(days=5))
        )
        await env.sleep(timedelta(days=2))  # past the first time: nothing
        assert message_counts(engine, campaign_id) == {}
        assert campaign_row(engine, campaign_id).scheduled_at == now + timedelta(days=5)
        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update(CampaignWorkflow.pause)
        assert "cannot pause a scheduled campaign" in rejected.value.cause.message
        await handle.execute_update(CampaignWorkflow.cancel)
        result = await handle.result()
    assert result.status == "cancelled"
    assert message_counts(engine, campaign_id) == {}
    assert campaign_row(engine, campaign_id).status == "cancelled"


async def test_pause_sends_nothing_and_resume_finishes_without_duplicates(
    engine, settings, time_skipping_env, queue
):
    env = time_skipping_env
    unique_ids(engine)
    members = add_customers(engine, 600)
    campaign_id = add_campaign(engine, add_segment(engine))
    async with build_worker(env.client, settings, engine, task_queue=queue):
        # 100 messages/s: six one-second batches, so the pause lands mid-send.
        handle = await _start(env.client, queue, campaign_id, rate_per_second=100)
        await _wait_for(lambda: sum(message_counts(engine, campaign_id).values()) >= 100)
        paused = await handle.execute_update(CampaignWorkflow.pause)
        assert paused.status == "paused"
        assert campaign_row(engine, campaign_id).status == "paused"
        frozen = message_counts(engine, campaign_id)
        assert 0 < frozen.get("sent", 0) < 600
        assert paused.sent == frozen["sent"]  # the query agrees with the log
        await env.sleep(timedelta(hours=6))  # a long pause: still nothing sent
        await asyncio.sleep(1.5)
        assert message_counts(engine, campaign_id) == frozen
        assert (await handle.query(CampaignWorkflow.progress)).status == "paused"
        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update(CampaignWorkflow.pause)
        assert "cannot pause a paused campaign" in rejected.value.cause.message
        resumed = await handle.execute_update(CampaignWorkflow.resume)
        assert resumed.status == "sending"
        result = await handle.result()
        await _record(handle, "pause_resume")
    assert (result.status, result.sent, result.remaining) == ("completed", 600, 0)
    assert result.sent + result.failed + result.skipped == result.total
    assert_one_message_each(engine, campaign_id, members)
    with pytest.raises(RPCError):  # a closed run takes no more updates
        await handle.execute_update(CampaignWorkflow.resume)


async def test_continue_as_new_carries_the_cursor_and_counts(
    engine, settings, time_skipping_env, queue
):
    env = time_skipping_env
    unique_ids(engine)
    members = add_customers(engine, 95)
    campaign_id = add_campaign(engine, add_segment(engine))
    async with build_worker(env.client, settings, engine, task_queue=queue):
        handle = await _start(env.client, queue, campaign_id, batch_size=10, max_batches_per_run=3)
        result = await handle.result()
    assert (result.status, result.total, result.sent) == ("completed", 95, 95)
    assert_one_message_each(engine, campaign_id, members)
    first = env.client.get_workflow_handle(handle.id, run_id=handle.result_run_id)
    history = await first.fetch_history()
    assert history.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    assert len(history.events) < 80  # three batches per run: a small history per run


async def test_ab_test_sends_variants_to_the_test_share_then_the_winner_to_the_rest(
    engine, settings, time_skipping_env, queue
):
    env = time_skipping_env
    unique_ids(engine)
    members = add_customers(engine, 300)
    campaign_id = add_campaign(
        engine,
        add_segment(engine),
        variants=[("A", 50), ("B", 50)],
        kind="ab_test",
        ab_test_percent=40,
        ab_winner_metric="click",
        ab_wait_seconds=3600,
    )
    test_group = [c for c in members if ab.in_test_group(campaign_id, c, 40)]
    with Session(engine) as session:
        steps = {
            s.variant: s.id
            for s in session.exec(
                select(CampaignStep).where(CampaignStep.campaign_id == campaign_id)
            ).scalars()
        }
    async with build_worker(env.client, settings, engine, task_queue=queue):
        handle = await _start(
            env.client,
            queue,
            campaign_id,
            kind="ab_test",
            ab_test_percent=40,
            ab_wait_seconds=3600,
            ab_winner_metric="click",
            batch_size=100,
        )
        await _wait_for(
            lambda: sum(message_counts(engine, campaign_id).values()) == len(test_group)
        )
        # B's readers click: B must win, and everyone outside the test group gets B.
        with engine.begin() as conn:
            conn.execute(
                update(Message)
                .where(Message.campaign_id == campaign_id, Message.campaign_step_id == steps["B"])
                .values(click_count=1, first_clicked_at=Message.created_at)
            )
        result = await handle.result()
        await _record(handle, "ab_test")
    assert (result.status, result.sent) == ("completed", 300)
    assert_one_message_each(engine, campaign_id, members)
    assert campaign_row(engine, campaign_id).ab_winner_step_id == steps["B"]
    with Session(engine) as session:
        got = dict(
            session.execute(
                select(Message.customer_id, Message.campaign_step_id).where(
                    Message.campaign_id == campaign_id
                )
            ).all()
        )
    rest = [c for c in members if c not in set(test_group)]
    assert {got[c] for c in rest} == {steps["B"]}
    assert {got[c] for c in test_group} == {steps["A"], steps["B"]}
    assert 0.25 < len(test_group) / len(members) < 0.55
