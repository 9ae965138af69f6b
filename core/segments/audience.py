"""Audience snapshots: a segment's members as of a time, frozen into `audience_member`.

    audience = snapshot_audience(session, criteria, as_of, segment_id=segment.id)
    # audience.id, audience.size; then page members by keyset:
    # select(AudienceMember.customer_id).where(AudienceMember.audience_id == audience.id,
    #        AudienceMember.customer_id > last).order_by(AudienceMember.customer_id).limit(n)

One `INSERT INTO audience_member SELECT ...`: members never pass through Python, so memory
stays flat whatever the audience size (invariant 3). Runs in the caller's transaction; the
caller commits. Campaigns (issue 5) and flow cohorts call it from activities.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, func, insert, literal, select
from sqlmodel import Session

from core.models import Audience, AudienceMember
from core.segments.compiler import CUSTOMER, CUSTOMER_ID, criteria_clause
from core.segments.criteria import CriteriaGroup, parse_criteria
from core.timeutil import to_utc


def snapshot_audience(
    session: Session,
    criteria: dict[str, Any] | CriteriaGroup,
    as_of: datetime,
    segment_id: int | None = None,
) -> Audience:
    """Create an Audience holding every customer matching `criteria` at `as_of`."""
    group = parse_criteria(criteria)
    as_of = to_utc(as_of)
    audience = Audience(segment_id=segment_id, criteria=group.to_json(), as_of=as_of)
    session.add(audience)
    session.flush()
    members = (
        select(literal(audience.id, Integer), CUSTOMER_ID)
        .select_from(CUSTOMER)
        .where(criteria_clause(group, as_of))
    )
    result = session.execute(
        insert(AudienceMember).from_select(["audience_id", "customer_id"], members)
    )
    size = result.rowcount
    if size is None or size < 0:
        size = session.scalar(select(func.count()).where(AudienceMember.audience_id == audience.id))
    audience.size = int(size)
    session.add(audience)
    session.flush()
    return audience
