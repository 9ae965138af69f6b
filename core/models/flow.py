"""Flows: a definition (steps + trigger), frozen versions, and per-customer runs."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


class Flow(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    # draft → active ⇄ paused → archived
    status: str = Field(default="draft", max_length=20, index=True)
    trigger: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # once_ever | once_at_a_time | every_time
    reentry: str = Field(default="once_at_a_time", max_length=20)
    quiet_hours: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # Events that end this flow's runs before their next send (e.g. placed_order).
    exit_events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    segment_id: int | None = Field(default=None, foreign_key="segment.id", ondelete="SET NULL")
    current_version_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FlowStep(SQLModel, table=True):
    """The editable (draft) steps of a flow. Runs never read these: they carry a FlowVersion."""

    __tablename__ = "flow_step"

    id: int | None = Field(default=None, primary_key=True)
    flow_id: int = Field(foreign_key="flow.id", index=True, ondelete="CASCADE")
    position: int = 0
    key: str = Field(max_length=64)  # stable within a version; part of message idempotency keys
    type: str = Field(max_length=20)  # SEND_EMAIL, SEND_PUSH, WAIT, CONDITION, EXIT
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FlowVersion(SQLModel, table=True):
    __tablename__ = "flow_version"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    flow_id: int = Field(foreign_key="flow.id", index=True, ondelete="CASCADE")
    version: int
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    published_at: datetime = Field(default_factory=utcnow)


class FlowRun(SQLModel, table=True):
    __tablename__ = "flow_run"
    __table_args__ = (Index("ix_flow_run_flow_customer", "flow_id", "customer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    flow_id: int = Field(foreign_key="flow.id", ondelete="CASCADE")
    flow_version_id: int = Field(foreign_key="flow_version.id")
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    workflow_id: str = Field(max_length=200, index=True)
    # The Temporal run that owns this row (its first execution run id): one row per run.
    temporal_run_id: str | None = Field(default=None, max_length=100, unique=True)
    entry_key: str | None = Field(default=None, max_length=100)
    entered_via: str = Field(default="manual", max_length=20)  # event, segment, manual, campaign
    # running, waiting, completed, exited, cancelled, failed
    status: str = Field(default="running", max_length=20, index=True)
    current_step: str | None = Field(default=None, max_length=64)
    next_wake_at: datetime | None = None
    exit_reason: str | None = Field(default=None, max_length=200)
    cohort_id: int | None = Field(default=None, index=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class FlowSegmentMember(SQLModel, table=True):
    """Customers a segment-triggered flow has already seen matching, so each check starts runs
    only for customers who newly match."""

    __tablename__ = "flow_segment_member"

    flow_id: int = Field(foreign_key="flow.id", primary_key=True, ondelete="CASCADE")
    customer_id: int = Field(primary_key=True)
    entered_at: datetime = Field(default_factory=utcnow)


class FlowCohort(SQLModel, table=True):
    """Customers who entered a flow version together, walked by one workflow. Each member has
    its own flow_run row (cohort_id set): its state, messages and exit, as for single runs."""

    __tablename__ = "flow_cohort"

    id: int | None = Field(default=None, primary_key=True)
    flow_id: int = Field(foreign_key="flow.id", index=True, ondelete="CASCADE")
    flow_version_id: int = Field(foreign_key="flow_version.id")
    parent_id: int | None = None  # the cohort this one split from (CONDITION, time zones)
    # Which split made it (child cohorts), or the entry it was made for (e.g. a campaign), so a
    # retried step finds it instead of making another.
    split_key: str | None = Field(default=None, max_length=200)
    workflow_id: str = Field(max_length=200)
    entered_via: str = Field(default="manual", max_length=20)
    status: str = Field(default="running", max_length=20)
    size: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
