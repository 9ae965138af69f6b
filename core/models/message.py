"""The message log: one row per message, claimed before it is sent (invariant 2)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


class Message(SQLModel, table=True):
    __table_args__ = (
        Index("ix_message_campaign_status", "campaign_id", "status"),
        Index("ix_message_customer_created", "customer_id", "created_at"),
        Index("ix_message_flow_run", "flow_run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # campaign:{campaign_id}:{customer_id} or flow:{run_id}:{step_key}
    idempotency_key: str = Field(max_length=200, unique=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    channel: str = Field(max_length=10)  # email | push
    # pending → sent | failed | skipped
    status: str = Field(default="pending", max_length=10, index=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", ondelete="SET NULL")
    campaign_step_id: int | None = None
    flow_id: int | None = Field(
        default=None, foreign_key="flow.id", ondelete="SET NULL", index=True
    )
    flow_run_id: int | None = None
    step_key: str | None = Field(default=None, max_length=64)
    to_address: str | None = Field(default=None, max_length=320)
    subject: str | None = Field(default=None, max_length=500)
    html: str | None = None
    text: str | None = None
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    links: list[str] | None = Field(default=None, sa_column=Column(JSON))  # allowed click targets
    provider_message_id: str | None = Field(default=None, max_length=300)
    attempts: int = 0
    last_error: str | None = None
    skip_reason: str | None = Field(default=None, max_length=200)
    open_count: int = 0
    click_count: int = 0
    first_opened_at: datetime | None = None
    first_clicked_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
