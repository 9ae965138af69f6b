"""Dashboard figures, computed by the database: totals and per-day series (UTC days)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Date, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from core.models import Campaign, Customer, Flow, FlowRun, Message, Order
from core.timeutil import to_utc

# Campaigns that still have work to do; flows that accept new runs; runs not finished yet.
ACTIVE_CAMPAIGN_STATUSES = ("scheduled", "sending", "paused")
ACTIVE_RUN_STATUSES = ("running", "waiting")


def _count(column, *where) -> ColumnElement:
    return select(func.count(column)).where(*where).scalar_subquery()


def overview(conn: Connection) -> dict:
    """Every headline figure in one round trip (scalar subqueries)."""
    row = conn.execute(
        select(
            _count(Customer.id).label("customers"),
            _count(Order.id).label("orders"),
            select(func.coalesce(func.sum(Order.total), 0)).scalar_subquery().label("revenue"),
            _count(Message.id, Message.status == "sent").label("messages_sent"),
            _count(Message.id, Message.first_opened_at.is_not(None)).label("messages_opened"),
            _count(Message.id, Message.first_clicked_at.is_not(None)).label("messages_clicked"),
            _count(Message.id, Message.status == "failed").label("messages_failed"),
            _count(Campaign.id, Campaign.status.in_(ACTIVE_CAMPAIGN_STATUSES)).label(
                "active_campaigns"
            ),
            _count(Flow.id, Flow.status == "active").label("active_flows"),
            _count(FlowRun.id, FlowRun.status.in_(ACTIVE_RUN_STATUSES)).label("active_flow_runs"),
        )
    ).one()
    figures = dict(row._mapping)
    figures["revenue"] = float(Decimal(str(figures["revenue"])))
    sent = figures["messages_sent"]
    figures["open_rate"] = round(figures["messages_opened"] / sent, 4) if sent else 0.0
    figures["click_rate"] = round(figures["messages_clicked"] / sent, 4) if sent else 0.0
    return figures


def _day(conn: Connection, column) -> ColumnElement:
    """The UTC calendar day of a timestamp, as the database computes it."""
    if conn.dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite stores UTC text: date() takes its day part


@dataclass(frozen=True)
class _Series:
    name: str
    column: object  # the timestamp that places a row on a day
    value: object  # what is summed or counted per day


def _series() -> list[_Series]:
    return [
        _Series("revenue", Order.placed_at, func.coalesce(func.sum(Order.total), 0)),
        _Series("orders", Order.placed_at, func.count(Order.id)),
        _Series("new_customers", Customer.created_at, func.count(Customer.id)),
        _Series("messages_sent", Message.sent_at, func.count(Message.id)),
        _Series("messages_opened", Message.first_opened_at, func.count(Message.id)),
        _Series("messages_clicked", Message.first_clicked_at, func.count(Message.id)),
    ]


def timeseries(conn: Connection, start: date, end: date) -> list[dict]:
    """One point per UTC day from start to end inclusive; days without activity are zeros."""
    lower = to_utc(datetime.combine(start, time.min))
    upper = to_utc(datetime.combine(end + timedelta(days=1), time.min))
    days = [(start + timedelta(days=i)) for i in range((end - start).days + 1)]
    points = {d.isoformat(): {"date": d.isoformat()} for d in days}
    for spec in _series():
        for point in points.values():
            point[spec.name] = 0
        day = _day(conn, spec.column).label("day")
        stmt = (
            select(day, spec.value.label("value"))
            .where(spec.column >= lower, spec.column < upper)
            .group_by(day)
        )
        for bucket, value in conn.execute(stmt):
            key = bucket.isoformat() if isinstance(bucket, date) else str(bucket)[:10]
            if key in points:
                number = float(value) if spec.name == "revenue" else int(value)
                points[key][spec.name] = number
    return list(points.values())
