"""The send_messages activity: heartbeats, records before raising, and under Temporal's retries
delivers exactly once per recipient (real SMTP server, time-skipping Temporal server)."""

import uuid
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from temporalio import workflow
from temporalio.client import WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.messaging import MessagingActivities, SendMessagesInput
from core.messaging import MessageSender, SendOutcome
from core.messaging.smtp import SmtpEmail
from tests.test_messaging_smtp import CONTENT, Sink, free_port, make_customers, recipients, rows


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@workflow.defn(sandboxed=False)
class SendOnceWorkflow:
    """Test-only: one batch through the activity with a real retry policy."""

    @workflow.run
    async def run(self, data: SendMessagesInput) -> SendOutcome:
        return await workflow.execute_activity_method(
            MessagingActivities.send_messages,
            data,
            start_to_close_timeout=timedelta(seconds=30),
            heartbeat_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=5),
        )


@pytest.fixture
async def activities(engine, settings, smtp_sink):
    _, port = smtp_sink
    channel = SmtpEmail("127.0.0.1", port, settings.email_from, connections=2)
    yield MessagingActivities(MessageSender(engine, settings, email_channel=channel))
    await channel.aclose()


async def test_activity_records_then_raises_retryable_and_heartbeats(engine, smtp_sink, activities):
    sink, _ = smtp_sink
    ids = make_customers(engine, 3)
    sink.script["p2@example.com"] = ["421 4.7.0 Try again later"]
    env = ActivityEnvironment()
    beats: list = []
    env.on_heartbeat = lambda *details: beats.append(details)
    data = SendMessagesInput(content=CONTENT, recipients=recipients(ids))
    with pytest.raises(ApplicationError) as raised:
        await env.run(activities.send_messages, data)
    assert raised.value.non_retryable is False and raised.value.type == "MessagesPending"
    assert beats and beats[-1] == (3,)
    assert [r.status for r in rows(engine)] == ["sent", "sent", "pending"]
    outcome = await env.run(activities.send_messages, data)
    assert (outcome.sent, outcome.already_done) == (1, 2)
    assert sorted(r for r, _ in sink.messages) == [f"p{i}@example.com" for i in range(3)]


async def test_temporal_retries_only_what_is_pending(
    engine, settings, smtp_sink, activities, time_skipping_env
):
    sink, _ = smtp_sink
    ids = make_customers(engine, 5)
    sink.script["p3@example.com"] = ["451 4.3.0 Busy", "451 4.3.0 Still busy"]
    sink.script["p4@example.com"] = ["550 5.1.1 No such user"]
    client = time_skipping_env.client
    queue = f"test-messaging-{uuid.uuid4()}"
    data = SendMessagesInput(content=CONTENT, recipients=recipients(ids))
    async with Worker(
        client,
        task_queue=queue,
        workflows=[SendOnceWorkflow],
        activities=[activities.send_messages],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        outcome = await client.execute_workflow(
            SendOnceWorkflow.run, data, id=f"send-{uuid.uuid4()}", task_queue=queue
        )
        # The third attempt sent the greylisted one; the rest were done by earlier attempts.
        assert (outcome.sent, outcome.already_done, outcome.retry_later) == (1, 4, 0)
        # The whole batch again (a replayed or duplicated workflow): nothing is resent.
        again = await client.execute_workflow(
            SendOnceWorkflow.run, data, id=f"send-{uuid.uuid4()}", task_queue=queue
        )
        assert again.already_done == 5 and again.sent == 0
    delivered = sorted(r for r, _ in sink.messages)
    assert delivered == [f"p{i}@example.com" for i in range(4)]  # p4 refused permanently
    final = rows(engine)
    assert [r.status for r in final] == ["sent"] * 4 + ["failed"]
    assert final[3].attempts == 3 and final[4].attempts == 1


async def test_a_batch_that_keeps_failing_gives_up(
    engine, settings, smtp_sink, activities, time_skipping_env
):
    sink, _ = smtp_sink
    (cid,) = make_customers(engine, 1)
    sink.script["p0@example.com"] = ["451 4.3.0 Busy"] * 10
    client = time_skipping_env.client
    queue = f"test-messaging-{uuid.uuid4()}"
    async with Worker(
        client,
        task_queue=queue,
        workflows=[SendOnceWorkflow],
        activities=[activities.send_messages],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        with pytest.raises(WorkflowFailureError):
            await client.execute_workflow(
                SendOnceWorkflow.run,
                SendMessagesInput(content=CONTENT, recipients=recipients([cid])),
                id=f"send-{uuid.uuid4()}",
                task_queue=queue,
            )
    (row,) = rows(engine)
    assert (row.status, row.attempts) == ("pending", 5)  # still pending: a later run may send it
    assert sink.messages == []
