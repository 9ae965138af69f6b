"""Audience snapshots: one INSERT ... SELECT of exactly the matching customers, frozen."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core.models import Audience, AudienceMember, Customer
from core.segments import CriteriaError, count_members, members_select, snapshot_audience
from tests.test_segments_support import AS_OF, Person, insert_people

VIP = {"match": "all", "conditions": [{"field": "attributes.vip", "op": "eq", "value": True}]}
RECENT = {
    "match": "all",
    "conditions": [
        {"field": "created_at", "op": "within_last", "value": {"amount": 7, "unit": "days"}}
    ],
}


def _people(n: int) -> list[Person]:
    return [
        Person(
            email=f"a{i}@example.com",
            attributes={"vip": i % 3 == 0},
            created_at=AS_OF - timedelta(days=i),
        )
        for i in range(n)
    ]


def _members(session: Session, audience_id: int) -> list[int]:
    stmt = (
        select(AudienceMember.customer_id)
        .where(AudienceMember.audience_id == audience_id)
        .order_by(AudienceMember.customer_id)
    )
    return list(session.exec(stmt))


def test_snapshot_holds_exactly_the_members(engine):
    people = insert_people(engine, _people(30))
    with Session(engine) as session:
        audience = snapshot_audience(session, VIP, AS_OF)
        session.commit()
        want = [p.id for p in people if p.attributes["vip"]]
        assert audience.size == len(want) == 10
        assert _members(session, audience.id) == want
        stored = session.get(Audience, audience.id)
        assert stored.criteria == VIP and stored.as_of == AS_OF and stored.size == 10


def test_snapshot_is_frozen_and_uses_its_as_of(engine):
    insert_people(engine, _people(20))
    with Session(engine, expire_on_commit=False) as session:
        earlier = snapshot_audience(session, RECENT, AS_OF - timedelta(days=5))
        now = snapshot_audience(session, RECENT, AS_OF)
        session.commit()
        # People were created 0..19 days before AS_OF (ids 1..20). "The last 7 days" at AS_OF
        # is days 0..7; at AS_OF - 5 days it is days 5..12 (the newer ones did not exist yet).
        assert _members(session, now.id) == list(session.exec(members_select(RECENT, AS_OF)))
        assert _members(session, now.id) == list(range(1, 9)) and now.size == 8
        assert _members(session, earlier.id) == list(range(6, 14)) and earlier.size == 8
    # A customer added later does not join an existing snapshot.
    with Session(engine) as session:
        session.add(Customer(id=21, email="late@example.com", created_at=AS_OF))
        session.commit()
        assert count_members(session, RECENT, AS_OF) == 9
        assert len(_members(session, now.id)) == 8


def test_bad_criteria_creates_no_audience(engine):
    insert_people(engine, _people(3))
    with Session(engine) as session:
        with pytest.raises(CriteriaError) as info:
            snapshot_audience(session, {"match": "all", "conditions": [{"field": "x"}]}, AS_OF)
        assert info.value.path == "conditions[0].field"
        session.rollback()
        assert session.exec(select(Audience)).all() == []
