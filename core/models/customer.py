"""Customers (the HLD's User), their marketing preferences, push devices and metrics."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, max_length=2, index=True)  # ISO 3166-1 alpha-2
    city: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)  # IANA name, e.g. Europe/Paris
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class CustomerPreferences(SQLModel, table=True):
    """Marketing consent per channel. One row per customer, created with the customer."""

    __tablename__ = "customer_preferences"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    email_opt_in: bool = Field(default=True, index=True)
    push_opt_in: bool = Field(default=True, index=True)
    email_unsubscribed_at: datetime | None = None
    push_unsubscribed_at: datetime | None = None
    # Where consent came from: api, import, unsubscribe_link, one_click, admin, demo...
    source: str = Field(default="api", max_length=40)
    updated_at: datetime = Field(default_factory=utcnow)


class PushDevice(SQLModel, table=True):
    __tablename__ = "push_device"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    token: str = Field(max_length=512, unique=True)
    platform: str = Field(default="web", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class CustomerMetrics(SQLModel, table=True):
    """Denormalised order aggregates, kept in step with orders in the same transaction."""

    __tablename__ = "customer_metrics"
    __table_args__ = (
        Index("ix_customer_metrics_total_spent", "total_spent"),
        Index("ix_customer_metrics_order_count", "order_count"),
        Index("ix_customer_metrics_last_order_at", "last_order_at"),
    )

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    total_spent: Decimal = Field(
        default=Decimal("0"), sa_column=Column(Numeric(14, 2), nullable=False)
    )
    order_count: int = 0
    avg_order_value: Decimal = Field(
        default=Decimal("0"), sa_column=Column(Numeric(14, 2), nullable=False)
    )
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
