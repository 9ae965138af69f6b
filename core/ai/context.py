"""What the assistant knows about the store: the field registry and the store's real figures.

A handful of small, bounded queries (aggregates over small tables, or indexed by campaign)."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from core.models import Campaign, Customer, Message, Product, ProductSalesMetrics, Segment
from core.timeutil import utcnow

TOP = 8


@dataclass
class StoreContext:
    as_of: datetime = field(default_factory=utcnow)
    customers: int = 0
    categories: list[str] = field(default_factory=list)  # every product category, best first
    top_categories: list[dict] = field(default_factory=list)
    top_products: list[dict] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    recent_campaigns: list[dict] = field(default_factory=list)
    fields: list[dict] = field(default_factory=list)  # the segment field registry
    events: list[str] = field(default_factory=list)  # event names the criteria may use

    def figures_json(self) -> str:
        """The store's figures as compact JSON, for prompts."""
        return json.dumps(
            {
                "today": self.as_of.date().isoformat(),
                "customers": self.customers,
                "product_categories_by_revenue": self.top_categories,
                "top_products": self.top_products,
                "saved_segments": self.segments,
                "recent_campaigns": self.recent_campaigns,
            },
            default=_plain,
            ensure_ascii=False,
        )

    def fields_json(self) -> str:
        return json.dumps({"fields": self.fields, "events": self.events}, ensure_ascii=False)


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def load_store_context(conn: Connection, fields: list[dict], events: list[str]) -> StoreContext:
    ctx = StoreContext(fields=fields, events=events)
    ctx.customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()

    revenue = func.coalesce(func.sum(ProductSalesMetrics.revenue), 0)
    rows = conn.execute(
        select(Product.category, revenue.label("revenue"))
        .select_from(Product)
        .outerjoin(ProductSalesMetrics, ProductSalesMetrics.product_id == Product.id)
        .group_by(Product.category)
        .order_by(revenue.desc(), Product.category)
    ).all()
    ctx.categories = [row.category for row in rows]
    ctx.top_categories = [
        {"category": row.category, "revenue": round(float(row.revenue), 2)} for row in rows[:TOP]
    ]

    rows = conn.execute(
        select(Product.name, Product.category, ProductSalesMetrics.revenue)
        .join(ProductSalesMetrics, ProductSalesMetrics.product_id == Product.id)
        .where(ProductSalesMetrics.units_sold > 0)
        .order_by(ProductSalesMetrics.revenue.desc(), Product.id)
        .limit(TOP)
    ).all()
    ctx.top_products = [
        {"name": r.name, "category": r.category, "revenue": round(float(r.revenue), 2)}
        for r in rows
    ]

    rows = conn.execute(
        select(Segment.id, Segment.name, Segment.customer_count)
        .order_by(Segment.updated_at.desc())
        .limit(TOP)
    ).all()
    ctx.segments = [{"id": r.id, "name": r.name, "customers": r.customer_count} for r in rows]

    campaigns = conn.execute(
        select(Campaign.id, Campaign.name, Campaign.channel, Campaign.status, Campaign.sent)
        .order_by(Campaign.created_at.desc())
        .limit(5)
    ).all()
    rates = _engagement(conn, [c.id for c in campaigns])
    ctx.recent_campaigns = [
        {"name": c.name, "channel": c.channel, "status": c.status, "sent": c.sent, **rates[c.id]}
        for c in campaigns
    ]
    return ctx


def _engagement(conn: Connection, campaign_ids: list[int]) -> dict[int, dict]:
    out = {cid: {"open_rate": None, "click_rate": None} for cid in campaign_ids}
    if not campaign_ids:
        return out
    rows = conn.execute(
        select(
            Message.campaign_id,
            func.count().label("sent"),
            func.count(Message.first_opened_at).label("opened"),
            func.count(Message.first_clicked_at).label("clicked"),
        )
        .where(Message.campaign_id.in_(campaign_ids), Message.status == "sent")
        .group_by(Message.campaign_id)
    ).all()
    for row in rows:
        if row.sent:
            out[row.campaign_id] = {
                "open_rate": round(row.opened / row.sent, 3),
                "click_rate": round(row.clicked / row.sent, 3),
            }
    return out
