"""Helpers shared by the campaign tests (no tests here): bulk customers, a segment, campaigns,
and ids that stay unique on the session-wide Temporal servers."""

import random
import uuid

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.customers import ensure_side_rows
from core.models import Campaign, CampaignStep, Customer, CustomerPreferences, Message, Segment
from core.timeutil import utcnow

FRANCE = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "FR"}]}
HTML = "<p>Bonjour {{ customer.first_name }}</p><a href='https://shop.example.com/sale'>Sale</a>"


def unique_ids(engine: Engine) -> None:
    """Start campaign ids at a random offset: workflow ids (`campaign-{id}`) are per server, and
    the Temporal servers outlive each test's fresh database."""
    start = random.randint(1_000_000, 900_000_000)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('campaign', 'id'), {start})"))
        else:
            now = utcnow()
            conn.execute(
                insert(Campaign.__table__).values(
                    id=start,
                    name="id offset",
                    status="completed",
                    kind="standard",
                    channel="email",
                    settings={},
                    total=0,
                    sent=0,
                    failed=0,
                    skipped=0,
                    created_at=now,
                    updated_at=now,
                )
            )


def add_customers(engine: Engine, count: int, country: str = "FR", opt_out_every: int = 0):
    """Insert customers in bulk (with preferences and metrics rows); returns their ids."""
    now = utcnow()
    tag = uuid.uuid4().hex[:6]
    rows = [
        {
            "email": f"c{i}-{tag}@example.com",
            "first_name": f"Name{i}",
            "last_name": "Test",
            "country": country,
            "attributes": {},
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    with Session(engine) as session:
        session.execute(insert(Customer), rows)
        ids = list(
            session.execute(
                select(Customer.id).where(Customer.email.like(f"%-{tag}@example.com"))
            ).scalars()
        )
        ensure_side_rows(session, ids, source="test")
        if opt_out_every:
            for cid in ids[::opt_out_every]:
                prefs = session.get(CustomerPreferences, cid)
                prefs.email_opt_in = False
                session.add(prefs)
        session.commit()
    return sorted(ids)


def add_segment(engine: Engine, criteria: dict = FRANCE) -> int:
    with Session(engine) as session:
        segment = Segment(name="France", criteria=criteria)
        session.add(segment)
        session.commit()
        return segment.id


def add_campaign(
    engine: Engine, segment_id: int | None, variants: list[tuple[str, int]] = (), **fields
) -> int:
    """A draft email campaign with one step, or one step per (variant, split) given."""
    with Session(engine) as session:
        campaign = Campaign(name="Spring sale", segment_id=segment_id, **fields)
        session.add(campaign)
        session.flush()
        for position, (variant, split) in enumerate(variants or [("A", 100)]):
            session.add(
                CampaignStep(
                    campaign_id=campaign.id,
                    position=position,
                    variant=variant,
                    split_percent=split,
                    subject=f"Sale {variant} for {{{{ customer.first_name }}}}",
                    html=HTML,
                )
            )
        session.commit()
        return campaign.id


def message_counts(engine: Engine, campaign_id: int) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status, COUNT(*) FROM message WHERE campaign_id = :c GROUP BY status"),
            {"c": campaign_id},
        ).all()
    return {status: n for status, n in rows}


def assert_one_message_each(engine: Engine, campaign_id: int, customer_ids: list[int]) -> None:
    """Every recipient has exactly one message for the campaign, and nobody else has one."""
    with Session(engine) as session:
        got = list(
            session.execute(
                select(Message.customer_id).where(Message.campaign_id == campaign_id)
            ).scalars()
        )
    assert len(got) == len(set(got)), "a customer got the campaign twice"
    assert sorted(got) == sorted(customer_ids)


def campaign_row(engine: Engine, campaign_id: int) -> Campaign:
    with Session(engine) as session:
        return session.get(Campaign, campaign_id)
