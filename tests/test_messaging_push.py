"""Push through the HTTP provider, against a real local HTTP server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import Session, select

from core.customers import create_customer
from core.messaging import MessageContent, MessageSender, Recipient
from core.messaging.push_http import HttpPush, parse_auth_header
from core.models import Message, PushDevice
from core.schemas.customer import CustomerCreate

PUSH = MessageContent(
    channel="push",
    title="Hi {{ customer.first_name }}",
    body="Your cart misses you, {{ customer.first_name }}",
    deep_link="app://cart?c={{ customer.id }}",
)


class Provider(ThreadingHTTPServer):
    """Records requests; answers each token's scripted statuses first, then 200."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict, dict]] = []
        self.script: dict[str, list[int]] = {}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        server: Provider = self.server  # type: ignore[assignment]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        statuses = server.script.get(body["tokens"][0])
        status = statuses.pop(0) if statuses else 200
        if status == 200:
            server.requests.append((dict(self.headers), body))
        payload = json.dumps({"id": f"push-{len(server.requests)}"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    server = Provider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _customers_with_devices(engine, count):
    ids = []
    with Session(engine) as session:
        for i in range(count):
            body = CustomerCreate(email=f"p{i}@example.com", first_name=f"P{i}", last_name="L")
            cid = create_customer(session, body).id
            session.add(PushDevice(customer_id=cid, token=f"tok-{i}", platform="ios"))
            ids.append(cid)
        session.commit()
    return ids


async def test_http_push_body_auth_retries_and_no_resend(engine, settings, provider):
    ids = _customers_with_devices(engine, 3)
    provider.script = {"tok-1": [503], "tok-2": [400]}
    channel = HttpPush(
        f"http://127.0.0.1:{provider.server_port}/send", "Authorization: Bearer push-secret"
    )
    sender = MessageSender(engine, settings, push_channel=channel)
    recipients = [Recipient(customer_id=c, idempotency_key=f"flow:9:{c}:push") for c in ids]
    try:
        first = await sender.send_batch(PUSH, recipients)
        assert (first.sent, first.retry_later, first.failed) == (1, 1, 1)
        second = await sender.send_batch(PUSH, recipients)
        assert (second.sent, second.already_done) == (1, 2)
    finally:
        await channel.aclose()
    assert [body["tokens"] for _, body in provider.requests] == [["tok-0"], ["tok-1"]]
    headers, body = provider.requests[0]
    assert headers["Authorization"] == "Bearer push-secret"
    assert headers["Idempotency-Key"] == f"flow:9:{ids[0]}:push"
    assert body == {
        "message_id": f"flow:9:{ids[0]}:push",
        "tokens": ["tok-0"],
        "title": "Hi P0",
        "body": "Your cart misses you, P0",
        "deep_link": f"app://cart?c={ids[0]}",
    }
    with Session(engine) as session:
        messages = session.exec(select(Message).order_by(Message.customer_id)).all()
    assert [m.status for m in messages] == ["sent", "sent", "failed"]
    assert messages[0].provider_message_id == "push-1"
    assert messages[1].attempts == 2 and "400" in messages[2].last_error


def test_auth_header_forms():
    assert parse_auth_header("X-Api-Key: abc") == {"X-Api-Key": "abc"}
    assert parse_auth_header("Bearer abc") == {"Authorization": "Bearer abc"}
    assert parse_auth_header(None) == {}
    with pytest.raises(ValueError, match="PUSH_URL"):
        HttpPush("")
