"""Segments (saved criteria) and audience snapshots (a segment's members as of a time)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


class Segment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    criteria: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    customer_count: int | None = None
    computed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Audience(SQLModel, table=True):
    """A frozen member list: what a campaign or cohort sends to, whatever the segment becomes."""

    id: int | None = Field(default=None, primary_key=True)
    segment_id: int | None = Field(default=None, foreign_key="segment.id", ondelete="SET NULL")
    criteria: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    as_of: datetime
    size: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class AudienceMember(SQLModel, table=True):
    __tablename__ = "audience_member"

    audience_id: int = Field(foreign_key="audience.id", primary_key=True, ondelete="CASCADE")
    customer_id: int = Field(primary_key=True)
