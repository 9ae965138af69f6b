"""The exactly-once sender through the outbox channels, on every database backend."""

import asyncio

import pytest
from sqlmodel import Session, select

from core.customers import create_customer, set_consent
from core.messaging import MessageContent, MessageSender, Recipient
from core.models import Message, PushDevice
from core.schemas.customer import CustomerCreate

EMAIL = MessageContent(
    channel="email",
    subject="Hi {{ customer.first_name }}",
    preheader="Fresh picks",
    html=(
        "<html><body><h1>Hello {{ customer.first_name }}</h1>"
        "<p>You spent {{ metrics.total_spent }}</p>"
        '<a href="https://shop.example.com/sale?a=1&amp;b=2">Sale</a></body></html>'
    ),
)


def _customers(engine, *names):
    ids = []
    with Session(engine) as session:
        for i, name in enumerate(names):
            customer = create_customer(
                session,
                CustomerCreate(email=f"person{i}@example.com", first_name=name, last_name="X"),
            )
            ids.append(customer.id)
        session.commit()
    return ids


def _recipients(ids, campaign="c1"):
    return [Recipient(customer_id=cid, idempotency_key=f"test:{campaign}:{cid}") for cid in ids]


@pytest.fixture
def sender(engine, settings):
    return MessageSender(engine, settings)


def test_outbox_batch_twice_stores_each_message_once(engine, sender):
    ids = _customers(engine, "Ada", "<b>Bob</b>", "Cy")
    first = asyncio.run(sender.send_batch(EMAIL, _recipients(ids)))
    assert (first.sent, first.already_done) == (3, 0)
    beats: list[int] = []
    second = asyncio.run(sender.send_batch(EMAIL, _recipients(ids), heartbeat=beats.append))
    assert (second.sent, second.already_done) == (0, 3)
    assert beats == [3]
    with Session(engine) as session:
        rows = session.exec(select(Message).order_by(Message.customer_id)).all()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1)] * 3
    ada, bob = rows[0], rows[1]
    assert ada.subject == "Hi Ada" and "Hello Ada" in ada.html
    assert "&lt;b&gt;Bob&lt;/b&gt;" in bob.html and "<b>Bob</b>" not in bob.html
    assert bob.subject == "Hi <b>Bob</b>"  # plain text part: not HTML-escaped
    assert ada.links == ["https://shop.example.com/sale?a=1&b=2"]
    assert "https://shop.example.com/sale" not in ada.html  # rewritten to a tracked link
    assert ada.payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ada.provider_message_id.startswith("<") and ada.sent_at is not None


def test_consent_is_checked_at_send_time(engine, sender):
    ids = _customers(engine, "Ada", "Bob")
    with Session(engine) as session:
        set_consent(session, ids[1], email_opt_in=False)
        session.commit()
    outcome = asyncio.run(sender.send_batch(EMAIL, _recipients(ids)))
    assert (outcome.sent, outcome.skipped) == (1, 1)
    assert outcome.reasons == {"no email consent": 1}
    with Session(engine) as session:
        bob = session.exec(select(Message).where(Message.customer_id == ids[1])).one()
    assert (bob.status, bob.skip_reason, bob.html) == ("skipped", "no email consent", None)


def test_push_outbox_needs_consent_and_a_device(engine, sender):
    ids = _customers(engine, "Ada", "Bob", "Cy")
    with Session(engine) as session:
        session.add(PushDevice(customer_id=ids[0], token="tok-ada"))
        session.add(PushDevice(customer_id=ids[2], token="tok-cy"))
        set_consent(session, ids[2], push_opt_in=False)
        session.commit()
    push = MessageContent(channel="push", title="Hi {{ customer.first_name }}", body="Sale!")
    outcome = asyncio.run(sender.send_batch(push, _recipients(ids, "p")))
    assert (outcome.sent, outcome.skipped) == (1, 2)
    assert outcome.reasons == {"no push device": 1, "no push consent": 1}
    with Session(engine) as session:
        ada = session.exec(select(Message).where(Message.customer_id == ids[0])).one()
    assert ada.payload == {
        "title": "Hi Ada",
        "body": "Sale!",
        "deep_link": None,
        "tokens": ["tok-ada"],
    }


def test_deleted_customer_and_invalid_address(engine, sender):
    ids = _customers(engine, "Ada")
    with Session(engine) as session:
        bad = create_customer(
            session, CustomerCreate(email="ok@example.com", first_name="Bad", last_name="X")
        )
        bad.email = "bad address@@example"  # e.g. imported before validation existed
        session.add(bad)
        session.commit()
        bad_id = bad.id
    outcome = asyncio.run(sender.send_batch(EMAIL, _recipients([*ids, bad_id, 999_999])))
    assert (outcome.sent, outcome.failed, outcome.skipped) == (1, 1, 1)
    assert outcome.reasons["customer deleted"] == 1
    with Session(engine) as session:
        row = session.exec(select(Message).where(Message.customer_id == bad_id)).one()
    assert row.status == "failed" and "invalid email address" in row.last_error


def test_a_concurrent_writer_wins_and_is_counted_as_already_done(engine, sender):
    """Two attempts racing on one batch: the row written first stays, the other is not counted
    as sent (the finished-key check ran before the concurrent insert)."""
    ids = _customers(engine, "Ada", "Bob")
    real_prepare = sender._prepare

    def prepare_then_race(conn, content, compiled, chunk, outcome):
        works = real_prepare(conn, content, compiled, chunk, outcome)
        with Session(engine) as other:  # the other attempt commits Bob's row meanwhile
            other.add(
                Message(
                    idempotency_key=f"test:c1:{ids[1]}",
                    customer_id=ids[1],
                    channel="email",
                    status="sent",
                    subject="from the other attempt",
                )
            )
            other.commit()
        return works

    sender._prepare = prepare_then_race
    outcome = asyncio.run(sender.send_batch(EMAIL, _recipients(ids)))
    assert (outcome.sent, outcome.already_done) == (1, 1)
    with Session(engine) as session:
        bob = session.exec(select(Message).where(Message.customer_id == ids[1])).one()
    assert bob.subject == "from the other attempt"


def test_links_are_tracked_only_where_rendered(engine, sender):
    """A literal link in an untaken `if` is not an allowed click target of that message."""
    ids = _customers(engine, "Ada")
    content = MessageContent(
        channel="email",
        subject="Links",
        html=(
            '<a href="https://a.example.com/1">one</a>'
            '{% if customer.attributes.vip %}<a href="https://vip.example.com/">vip</a>{% endif %}'
            + "".join(f'<a href="https://a.example.com/{n}">{n}</a>' for n in range(2, 12))
            + '<a href="https://a.example.com/p?c={{ customer.id }}&amp;x=1">dynamic</a>'
            + '<a href="mailto:help@example.com">mail</a><a href="#top">top</a>'
        ),
    )
    asyncio.run(sender.send_batch(content, _recipients(ids)))
    with Session(engine) as session:
        row = session.exec(select(Message)).one()
    assert row.links[0] == "https://a.example.com/1" and row.links[1] is None
    assert row.links[2:12] == [f"https://a.example.com/{n}" for n in range(2, 12)]
    assert row.links[12] == f"https://a.example.com/p?c={ids[0]}&x=1"
    assert "vip.example.com" not in row.html and "a.example.com" not in row.html
    assert 'href="mailto:help@example.com"' in row.html and 'href="#top"' in row.html
    assert row.html.count("/t/c/") == 12
