"""What the public links do: record opens and clicks, and unsubscribe — each also an Event.

Counters are incremented in SQL (`open_count = open_count + 1`) so concurrent hits are not lost.
Callers verify the signed token first (core.messaging.tokens) and commit the session after.
"""

from sqlalchemy import update
from sqlmodel import Session, select

from core.customers import set_consent
from core.models import CustomerPreferences, Event, Message
from core.timeutil import utcnow


def find_message(session: Session, key: str) -> Message | None:
    return session.exec(select(Message).where(Message.idempotency_key == key)).first()


def _event(session: Session, message: Message, name: str, **properties) -> None:
    props = {"message_id": message.id, "channel": message.channel, **properties}
    if message.campaign_id is not None:
        props["campaign_id"] = message.campaign_id
    if message.flow_id is not None:
        props["flow_id"] = message.flow_id
    session.add(Event(customer_id=message.customer_id, name=name, properties=props))


def record_open(session: Session, message: Message) -> None:
    now = utcnow()
    values = {"open_count": Message.open_count + 1, "updated_at": now}
    if message.first_opened_at is None:
        values["first_opened_at"] = now
    session.execute(update(Message).where(Message.id == message.id).values(values))
    _event(session, message, "email_opened")


def click_target(message: Message, index: int) -> str | None:
    """The URL at `index` among the links that were in this message; None for anything else."""
    links = message.links or []
    if not 0 <= index < len(links):
        return None
    url = links[index]
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        return None
    return url


def record_click(session: Session, message: Message, url: str) -> None:
    now = utcnow()
    values = {"click_count": Message.click_count + 1, "updated_at": now}
    if message.first_clicked_at is None:
        values["first_clicked_at"] = now
    # A click proves an open even when images were blocked.
    if message.first_opened_at is None:
        values["first_opened_at"] = now
    session.execute(update(Message).where(Message.id == message.id).values(values))
    _event(session, message, "email_clicked", url=url)


def unsubscribe(session: Session, message: Message, source: str) -> bool:
    """Turn off consent for the message's channel. True if it was on (then an event is added)."""
    field = "push_opt_in" if message.channel == "push" else "email_opt_in"
    prefs = session.get(CustomerPreferences, message.customer_id)
    was_on = prefs is not None and bool(getattr(prefs, field))
    if was_on:
        set_consent(session, message.customer_id, **{field: False}, source=source)
        _event(session, message, "unsubscribed", source=source)
    if message.unsubscribed_at is None:
        now = utcnow()
        session.execute(
            update(Message)
            .where(Message.id == message.id, Message.unsubscribed_at.is_(None))
            .values(unsubscribed_at=now, updated_at=now)
        )
    return was_on
