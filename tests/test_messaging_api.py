"""The message log API, template checks and previews, and the public signed links."""

import asyncio
import re

import pytest
from sqlmodel import Session, select

from core.messaging import MessageContent, MessageSender, Recipient
from core.messaging.tokens import LinkSigner
from core.models import CustomerPreferences, Event, Message

CONTENT = MessageContent(
    channel="email",
    subject="Hello {{ customer.first_name }}",
    html=(
        "<html><body><p>Hi {{ customer.first_name }}</p>"
        '<a href="https://shop.example.com/sale">Sale</a>'
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>'
    ),
)


def _customer(client, email="ada@example.com", first_name="Ada"):
    response = client.post(
        "/api/customers", json={"email": email, "first_name": first_name, "last_name": "L"}
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _send(engine, settings, customer_ids, tag="c1", content=CONTENT):
    sender = MessageSender(engine, settings)
    recipients = [Recipient(customer_id=c, idempotency_key=f"test:{tag}:{c}") for c in customer_ids]
    return asyncio.run(sender.send_batch(content, recipients))


def _link(html: str, kind: str) -> str:
    """The path of the first public link of a kind (`u`, `t/o`, `t/c`) in a stored message."""
    match = re.search(rf"http://localhost:8000(/{kind}/[A-Za-z0-9_.\-]+)", html)
    assert match, html
    return match.group(1)


@pytest.fixture
def sent(client, engine, settings):
    ids = [_customer(client), _customer(client, "bob@example.com", "<i>Bob</i>")]
    outcome = _send(engine, settings, ids)
    assert outcome.sent == 2
    with Session(engine) as session:
        messages = session.exec(select(Message).order_by(Message.customer_id)).all()
    return ids, messages


def test_list_filter_and_detail(client, sent):
    ids, messages = sent
    page = client.get("/api/messages", params={"customer_id": ids[1]}).json()
    assert [m["customer_id"] for m in page["data"]] == [ids[1]]
    row = page["data"][0]
    assert (row["channel"], row["status"], row["subject"]) == ("email", "sent", "Hello <i>Bob</i>")
    assert "html" not in row
    assert client.get("/api/messages", params={"status": "failed"}).json()["data"] == []
    first = client.get("/api/messages", params={"limit": 1}).json()
    second = client.get("/api/messages", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert first["data"][0]["id"] != second["data"][0]["id"] and second["next_cursor"] is None
    detail = client.get(f"/api/messages/{messages[1].id}").json()
    assert "&lt;i&gt;Bob&lt;/i&gt;" in detail["html"]
    assert "Hi <i>Bob</i>" in detail["text"] and "Unsubscribe" in detail["text"]
    assert detail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert detail["links"] == ["https://shop.example.com/sale"]
    assert client.get("/api/messages/999999").status_code == 404
    assert client.get("/api/messages", params={"status": "weird"}).status_code == 422


def test_message_api_needs_auth(anon_client):
    assert anon_client.get("/api/messages").status_code == 401
    assert anon_client.post("/api/templates/validate", json={"html": "x"}).status_code == 401


INJECTIONS = [
    ("{{ ''.__class__.__mro__ }}", "'__class__' is not allowed"),
    ("{{ customer.__class__ }}", "'__class__' is not allowed"),
    ("{{ customer['_sa_instance_state'] }}", "is not allowed"),
    ("{{ customer|attr('__class__') }}", "'attr' filter is not allowed"),
    ("{% filter _track %}x{% endfilter %}", "'_track' filter is not allowed"),
    ("{{ cycler.__init__.__globals__ }}", "'__init__' is not allowed"),
    ("{% include 'x.html' %}", "include/import/extends are not allowed"),
    ("Hi {{ customer.nickname }}", "unknown variable 'customer.nickname'"),
    ("Hi {{ secret }}", "unknown variable 'secret'"),
    ("Hi {{ customer.first_name", "html: line 1"),
]


def test_template_injection_and_mistakes_are_refused(client):
    for html, expected in INJECTIONS:
        response = client.post("/api/templates/validate", json={"subject": "s", "html": html})
        assert response.status_code == 200
        body = response.json()
        assert body["valid"] is False, html
        assert any(expected in error for error in body["errors"]), (html, body["errors"])


def test_valid_template_and_preview(client):
    ok = client.post(
        "/api/templates/validate",
        json={
            "subject": "Hi {{ customer.first_name }}",
            "html": "{% if customer.attributes.vip %}VIP{% endif %} {{ metrics.total_spent }}"
            "{% for k in [1, 2] %}{{ loop.index }}{% endfor %}",
        },
    ).json()
    assert ok == {"valid": True, "errors": []}
    cid = _customer(client, "eve@example.com", "<script>alert(1)</script>")
    preview = client.post(
        "/api/templates/preview",
        json={
            "customer_id": cid,
            "content": {
                "subject": "Hi {{ customer.first_name }}",
                "html": "<p>{{ customer.first_name }}</p>"
                '<a href="https://x.example.com/?a=1&amp;b=2">x</a>',
            },
        },
    )
    assert preview.status_code == 200, preview.text
    out = preview.json()
    assert out["subject"] == "Hi <script>alert(1)</script>"
    assert out["html"] == (
        '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><a href="https://x.example.com/?a=1&amp;b=2">x</a>'
    )
    assert out["text"] == "<script>alert(1)</script>\nx (https://x.example.com/?a=1&b=2)"
    bad = client.post(
        "/api/templates/preview",
        json={"customer_id": cid, "content": {"subject": "x", "html": "{{ ''.__class__ }}"}},
    )
    assert bad.status_code == 422 and "__class__" in bad.json()["detail"]
    missing = client.post(
        "/api/templates/preview",
        json={"customer_id": 424242, "content": {"subject": "x", "html": "y"}},
    )
    assert missing.status_code == 404
    extra = client.post("/api/templates/validate", json={"html": "x", "colour": "red"})
    assert extra.status_code == 422


def _consent(engine, customer_id) -> bool:
    with Session(engine) as session:
        return session.get(CustomerPreferences, customer_id).email_opt_in


def _events(engine, name):
    with Session(engine) as session:
        return session.exec(select(Event).where(Event.name == name)).all()


def test_unsubscribe_page_then_button_and_later_sends_are_skipped(
    client, anon_client, engine, settings, sent
):
    ids, messages = sent
    path = _link(messages[0].html, "u")
    page = anon_client.get(path)
    assert page.status_code == 200 and "<form" in page.text and "a***@example.com" in page.text
    assert _consent(engine, ids[0]) is True  # a GET (e.g. a mail scanner) changes nothing
    done = anon_client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "unsubscribed" in done.text
    assert _consent(engine, ids[0]) is False
    again = anon_client.post(path)
    assert again.status_code == 200
    assert len(_events(engine, "unsubscribed")) == 1  # once, however often it is clicked
    later = _send(engine, settings, ids, tag="c2")
    assert (later.sent, later.skipped) == (1, 1)
    assert client.get(f"/api/messages/{messages[0].id}").json()["unsubscribed_at"] is not None


def test_one_click_post_from_the_list_unsubscribe_header(anon_client, engine, settings, sent):
    ids, messages = sent
    header = messages[1].payload["headers"]["List-Unsubscribe"]
    path = header.strip("<>").removeprefix("http://localhost:8000")
    response = anon_client.post(
        path,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert _consent(engine, ids[1]) is False and _consent(engine, ids[0]) is True
    assert _send(engine, settings, [ids[1]], tag="c3").skipped == 1


def test_open_pixel_and_click_are_counted_and_recorded(anon_client, client, engine, sent):
    _, messages = sent
    ada = messages[0]
    pixel = anon_client.get(_link(ada.html, "t/o"))
    assert pixel.status_code == 200 and pixel.headers["content-type"] == "image/gif"
    anon_client.get(_link(ada.html, "t/o"))
    click = anon_client.get(_link(ada.html, "t/c"), follow_redirects=False)
    assert click.status_code == 302
    assert click.headers["location"] == "https://shop.example.com/sale"
    detail = client.get(f"/api/messages/{ada.id}").json()
    assert (detail["open_count"], detail["click_count"]) == (2, 1)
    assert detail["first_opened_at"] and detail["first_clicked_at"]
    assert len(_events(engine, "email_opened")) == 2
    (clicked,) = _events(engine, "email_clicked")
    assert clicked.properties["url"] == "https://shop.example.com/sale"
    assert clicked.customer_id == ada.customer_id


def test_bad_tokens_change_nothing_and_never_redirect_elsewhere(
    anon_client, client, engine, settings, sent
):
    ids, messages = sent
    ada = messages[0]
    signer = LinkSigner(settings.secret_key)
    key = ada.idempotency_key
    token = _link(ada.html, "t/c").rsplit("/", 1)[1]
    kind, expires, key_b64, sig, index = token.split(".")
    other_key_b64 = signer.sign("t", messages[1].idempotency_key).split(".")[2]
    tracking = signer.sign("t", key)
    cases = [
        ("get", f"/t/c/{kind}.{expires}.{key_b64}.{sig[:-2]}AA.{index}", 400),  # signature
        ("get", f"/t/c/{kind}.{int(expires) + 1}.{key_b64}.{sig}.{index}", 400),  # expiry
        ("get", f"/t/c/{kind}.{expires}.{other_key_b64}.{sig}.{index}", 400),  # other message
        ("get", "/t/c/" + LinkSigner("another-secret").sign("t", key) + ".0", 400),
        ("get", "/t/c/" + signer.sign("t", key, expires=1) + ".0", 400),  # expired
        ("get", f"/t/c/{tracking}.7", 404),  # not a link of this message
        ("get", f"/t/c/{tracking}.-1", 404),
        ("get", "/t/c/" + signer.sign("t", "test:nope:1") + ".0", 404),  # no such message
        ("get", "/t/c/" + signer.sign("u", key) + ".0", 400),  # an unsubscribe token
        ("get", f"/t/c/{tracking}", 400),  # no link index
        ("get", "/t/c/not-a-token", 400),
        ("get", "/t/o/" + signer.sign("u", key), 400),
        ("post", f"/u/{tracking}", 400),  # a tracking token cannot unsubscribe
        ("post", "/u/" + LinkSigner("another-secret").sign("u", key), 400),
        ("post", "/u/garbage.garbage", 400),
    ]
    for method, path, status in cases:
        response = getattr(anon_client, method)(path, follow_redirects=False)
        assert response.status_code == status, (path, response.status_code)
        assert "location" not in response.headers
    detail = client.get(f"/api/messages/{ada.id}").json()
    assert (detail["open_count"], detail["click_count"], detail["unsubscribed_at"]) == (0, 0, None)
    assert _consent(engine, ids[0]) is True
    assert _events(engine, "email_clicked") == [] and _events(engine, "unsubscribed") == []
