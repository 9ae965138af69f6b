"""Email through a real SMTP server (aiosmtpd, in-process): headers, parts, 4xx/5xx, no resends."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from core.customers import create_customer
from core.messaging import MessageContent, MessageSender, Recipient
from core.messaging.smtp import SmtpEmail
from core.models import Message
from core.schemas.customer import CustomerCreate

CONTENT = MessageContent(
    channel="email",
    subject="Hi {{ customer.first_name }} — 20% off",
    preheader="Only this week",
    html=(
        "<html><body><h1>Hello {{ customer.first_name }}</h1>"
        '<p>Your city: {{ customer.city }}</p><a href="https://shop.example.com/x">Shop</a>'
        "</body></html>"
    ),
)


class Sink:
    """An aiosmtpd handler that stores messages and can answer RCPT with scripted codes."""

    def __init__(self):
        self.messages: list[tuple[str, bytes]] = []
        self.script: dict[str, list[str]] = {}  # address -> replies to give before accepting

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.script.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.messages.append((rcpt, envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[bytes]:
        return [raw for rcpt, raw in self.messages if rcpt == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
async def smtp_sender(engine, settings, smtp_sink):
    _, port = smtp_sink
    channel = SmtpEmail("127.0.0.1", port, settings.email_from, connections=2)
    sender = MessageSender(engine, settings, email_channel=channel)
    yield sender
    await channel.aclose()


def make_customers(engine, count: int, **extra) -> list[int]:
    ids = []
    with Session(engine) as session:
        for i in range(count):
            body = {"first_name": f"Ada{i}", "last_name": "L", "city": "<London>", **extra}
            ids.append(
                create_customer(session, CustomerCreate(email=f"p{i}@example.com", **body)).id
            )
        session.commit()
    return ids


def recipients(ids: list[int], tag: str = "smtp") -> list[Recipient]:
    return [Recipient(customer_id=cid, idempotency_key=f"test:{tag}:{cid}") for cid in ids]


def rows(engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.exec(select(Message).order_by(Message.customer_id)).all())


async def test_headers_parts_and_personalisation(engine, smtp_sink, smtp_sender):
    sink, _ = smtp_sink
    (cid,) = make_customers(engine, 1)
    outcome = await smtp_sender.send_batch(CONTENT, recipients([cid]))
    assert outcome.sent == 1
    (raw,) = sink.to("p0@example.com")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    (row,) = rows(engine)
    assert msg["Subject"] == "Hi Ada0 — 20% off"
    assert msg["Message-ID"] == row.provider_message_id
    assert msg["List-Unsubscribe"].startswith("<http://localhost:8000/u/")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Hello Ada0" in text and "Your city: <London>" in text and "Unsubscribe" in text
    assert "Hello Ada0" in html and "&lt;London&gt;" in html and "<London>" not in html
    assert "Only this week" in html and "/t/o/" in html and "/t/c/" in html


async def test_batch_twice_delivers_once_per_recipient(engine, smtp_sink, smtp_sender):
    sink, _ = smtp_sink
    ids = make_customers(engine, 7)
    first = await smtp_sender.send_batch(CONTENT, recipients(ids))
    second = await smtp_sender.send_batch(CONTENT, recipients(ids))
    assert (first.sent, second.sent, second.already_done) == (7, 0, 7)
    assert sorted(rcpt for rcpt, _ in sink.messages) == sorted(
        f"p{i}@example.com" for i in range(7)
    )


async def test_transient_4xx_then_250_delivers_once(engine, smtp_sink, smtp_sender):
    sink, _ = smtp_sink
    ids = make_customers(engine, 2)
    sink.script["p1@example.com"] = ["451 4.7.1 Greylisted, try again later"]
    first = await smtp_sender.send_batch(CONTENT, recipients(ids))
    assert (first.sent, first.retry_later) == (1, 1)
    pending = rows(engine)[1]
    assert (pending.status, pending.attempts) == ("pending", 1)
    assert "451" in pending.last_error
    second = await smtp_sender.send_batch(CONTENT, recipients(ids))
    assert (second.sent, second.already_done, second.retry_later) == (1, 1, 0)
    assert len(sink.to("p0@example.com")) == 1 and len(sink.to("p1@example.com")) == 1
    done = rows(engine)[1]
    assert (done.status, done.attempts, done.last_error) == ("sent", 2, None)


async def test_permanent_5xx_fails_and_is_not_retried(engine, smtp_sink, smtp_sender):
    sink, _ = smtp_sink
    (cid,) = make_customers(engine, 1)
    sink.script["p0@example.com"] = ["550 5.1.1 No such user", "550 5.1.1 No such user"]
    first = await smtp_sender.send_batch(CONTENT, recipients([cid]))
    again = await smtp_sender.send_batch(CONTENT, recipients([cid]))
    assert (first.failed, first.retry_later, again.already_done) == (1, 0, 1)
    (row,) = rows(engine)
    assert row.status == "failed" and "550" in row.last_error and row.attempts == 1
    assert sink.messages == [] and sink.script["p0@example.com"]  # second reply never asked


async def test_invalid_address_fails_with_the_reason_without_contacting_the_server(
    engine, smtp_sink, smtp_sender
):
    sink, _ = smtp_sink
    (cid,) = make_customers(engine, 1)
    with Session(engine) as session:
        session.get(Message, 1)  # no row yet
        from core.models import Customer

        customer = session.get(Customer, cid)
        customer.email = "ada@example.com\r\nBcc: victim@example.com"
        session.add(customer)
        session.commit()
    outcome = await smtp_sender.send_batch(CONTENT, recipients([cid]))
    assert outcome.failed == 1 and sink.messages == []
    (row,) = rows(engine)
    assert row.status == "failed" and row.last_error.startswith("invalid email address")


async def test_server_down_leaves_messages_pending(engine, settings):
    (cid,) = make_customers(engine, 1)
    channel = SmtpEmail("127.0.0.1", free_port(), settings.email_from, timeout=2)
    sender = MessageSender(engine, settings, email_channel=channel)
    outcome = await sender.send_batch(CONTENT, recipients([cid]))
    assert (outcome.sent, outcome.retry_later) == (0, 1)
    (row,) = rows(engine)
    assert row.status == "pending" and "connection" in row.last_error.lower()


async def test_the_ambiguous_resend_carries_the_same_message_id(engine, smtp_sink, smtp_sender):
    """The documented soft spot: the server accepted a message but the worker died before the
    row was marked sent. The row is still pending, so it is sent again — with the same
    Message-ID, which lets receivers drop the duplicate."""
    sink, _ = smtp_sink
    (cid,) = make_customers(engine, 1)
    await smtp_sender.send_batch(CONTENT, recipients([cid]))
    with Session(engine) as session:  # as if the outcome had never been recorded
        row = session.exec(select(Message)).one()
        row.status, row.sent_at = "pending", None
        session.add(row)
        session.commit()
    again = await smtp_sender.send_batch(CONTENT, recipients([cid]))
    assert again.sent == 1
    first, second = (email.message_from_bytes(raw) for raw in sink.to("p0@example.com"))
    assert first["Message-ID"] == second["Message-ID"] == rows(engine)[0].provider_message_id
