"""segment indexes: covering range scans for event and category-purchase conditions

Revision ID: 0003_segment_indexes
Revises: 0002_flow_engine
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_segment_indexes"
down_revision: str | Sequence[str] | None = "0002_flow_engine"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_event_name_occurred_customer", "event", ["name", "occurred_at", "customer_id"]
    )
    op.create_index(
        "ix_order_item_category_placed_customer",
        "order_item",
        ["category", "placed_at", "customer_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_order_item_category_placed_customer", table_name="order_item")
    op.drop_index("ix_event_name_occurred_customer", table_name="event")
