"""The one interface every channel implements, and what goes through it.

The sender renders and records; a channel only delivers. The outbox channels deliver by doing
nothing: the rendered message is already stored on its Message row, like a local mail catcher.
"""

from dataclasses import dataclass, field
from typing import Literal, Protocol

DeliveryStatus = Literal["sent", "failed", "retry"]


@dataclass(slots=True)
class EmailEnvelope:
    message_key: str  # the Message row's idempotency key
    to_address: str
    subject: str
    html: str
    text: str
    headers: dict[str, str]  # Message-ID, List-Unsubscribe, ... (From/To/Subject are added)


@dataclass(slots=True)
class PushEnvelope:
    message_key: str
    tokens: list[str]
    title: str
    body: str
    deep_link: str | None = None
    data: dict = field(default_factory=dict)


@dataclass(slots=True)
class DeliveryResult:
    status: DeliveryStatus  # retry: transient, leave the row pending for a later attempt
    error: str | None = None
    provider_message_id: str | None = None


SENT = DeliveryResult("sent")


class EmailChannel(Protocol):
    name: str
    chunk_size: int  # outcomes are recorded after each chunk: the most that can be ambiguous

    async def deliver(self, envelopes: list[EmailEnvelope]) -> list[DeliveryResult]: ...

    async def aclose(self) -> None: ...


class PushChannel(Protocol):
    name: str
    chunk_size: int

    async def deliver(self, envelopes: list[PushEnvelope]) -> list[DeliveryResult]: ...

    async def aclose(self) -> None: ...


class OutboxEmail:
    """Offline default: the message is stored on its row and viewable via GET /api/messages."""

    name = "outbox"
    chunk_size = 5000

    async def deliver(self, envelopes: list[EmailEnvelope]) -> list[DeliveryResult]:
        return [SENT] * len(envelopes)

    async def aclose(self) -> None:
        return None


class OutboxPush:
    name = "outbox"
    chunk_size = 5000

    async def deliver(self, envelopes: list[PushEnvelope]) -> list[DeliveryResult]:
        return [SENT] * len(envelopes)

    async def aclose(self) -> None:
        return None
