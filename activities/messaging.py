"""The send activity: one batch of messages through the exactly-once sender."""

from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.messaging.sender import MessageContent, MessageSender, Recipient, SendOutcome


@dataclass
class SendMessagesInput:
    content: MessageContent
    recipients: list[Recipient] = field(default_factory=list)


class MessagingActivities:
    def __init__(self, sender: MessageSender):
        self.sender = sender

    @activity.defn(name="send_messages")
    async def send_messages(self, data: SendMessagesInput) -> SendOutcome:
        """Safe to retry: finished rows are skipped as `already_done`. Transient failures are
        recorded first, then raised as a retryable error so Temporal retries only what is
        still pending. Give it a heartbeat_timeout: it heartbeats the count processed."""
        if data.content.channel not in ("email", "push"):
            raise ApplicationError(
                f"unknown channel {data.content.channel!r}",
                type="InvalidContent",
                non_retryable=True,
            )
        outcome = await self.sender.send_batch(
            data.content, data.recipients, heartbeat=lambda done: activity.heartbeat(done)
        )
        if outcome.retry_later > 0:
            raise ApplicationError(
                f"{outcome.retry_later} of {len(data.recipients)} messages hit a transient "
                "failure and are still pending; retrying sends only those",
                outcome,
                type="MessagesPending",
            )
        return outcome
