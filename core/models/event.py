"""Customer activity: page views, carts, opens, clicks, unsubscribes, custom events."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


class Event(SQLModel, table=True):
    __table_args__ = (
        Index("ix_event_customer_name_occurred", "customer_id", "name", "occurred_at"),
        Index("ix_event_name_occurred", "name", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    name: str = Field(max_length=100)
    properties: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
