"""Indexes for the segment compiler's subqueries (core/segments/compiler.py).

On SQLite "did event X (in the last N days)" and "bought from category C (in the last N days)"
become uncorrelated `IN (SELECT customer_id ...)` subqueries: these covering indexes turn them
into one index range scan, with no table reads. PostgreSQL probes the per-customer indexes
(ix_event_customer_name_occurred, ix_order_item_customer_category_placed) instead.
"""

from sqlalchemy import Index

from core.models.commerce import OrderItem
from core.models.event import Event

_event = Event.__table__.c
_item = OrderItem.__table__.c

ix_event_name_occurred_customer = Index(
    "ix_event_name_occurred_customer", _event.name, _event.occurred_at, _event.customer_id
)
ix_order_item_category_placed_customer = Index(
    "ix_order_item_category_placed_customer", _item.category, _item.placed_at, _item.customer_id
)
