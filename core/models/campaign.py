"""Campaigns and their steps (one message per channel, or one per A/B variant)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


class Campaign(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # draft → scheduled → sending → paused → completed | cancelled | failed
    status: str = Field(default="draft", max_length=20, index=True)
    # standard, ab_test, or flow (launching enrols the audience in flow_id)
    kind: str = Field(default="standard", max_length=20)
    channel: str = Field(default="email", max_length=10)
    segment_id: int | None = Field(default=None, foreign_key="segment.id", ondelete="SET NULL")
    flow_id: int | None = Field(default=None, foreign_key="flow.id", ondelete="SET NULL")
    audience_id: int | None = Field(default=None, foreign_key="audience.id", ondelete="SET NULL")
    scheduled_at: datetime | None = None  # UTC
    schedule_timezone: str | None = Field(default=None, max_length=64)
    send_rate_per_second: int | None = None  # throttle; None means as fast as the workers go
    # A/B: share of the audience that gets the variants first, and how the winner is chosen.
    ab_test_percent: int | None = None
    ab_winner_metric: str | None = Field(default=None, max_length=10)  # open | click
    ab_wait_seconds: int | None = None
    ab_winner_step_id: int | None = None
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    workflow_id: str | None = Field(default=None, max_length=200)
    total: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    error: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CampaignStep(SQLModel, table=True):
    __tablename__ = "campaign_step"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True, ondelete="CASCADE")
    position: int = 0
    channel: str = Field(default="email", max_length=10)
    variant: str = Field(default="A", max_length=10)
    split_percent: int = 100
    subject: str = Field(default="", max_length=500)
    preheader: str = Field(default="", max_length=500)
    html: str = ""
    text: str | None = None
    title: str = Field(default="", max_length=200)  # push
    body: str = ""  # push
    deep_link: str | None = Field(default=None, max_length=2000)
