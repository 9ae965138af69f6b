"""Products, orders and their aggregates (product sales, customer-product affinity)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


def money_column() -> Column:
    return Column(Numeric(14, 2), nullable=False)


class Product(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    sku: str = Field(max_length=64, unique=True, index=True)
    category: str = Field(max_length=100, index=True)
    price: Decimal = Field(sa_column=money_column())
    created_at: datetime = Field(default_factory=utcnow)


class Order(SQLModel, table=True):
    __tablename__ = "orders"  # "order" is a reserved word in SQL
    __table_args__ = (Index("ix_orders_customer_placed", "customer_id", "placed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    placed_at: datetime = Field(default_factory=utcnow, index=True)
    total: Decimal = Field(sa_column=money_column())
    currency: str = Field(default="USD", max_length=3)
    created_at: datetime = Field(default_factory=utcnow)


class OrderItem(SQLModel, table=True):
    """A line of an order.

    customer_id, placed_at and category are copied from the order and product so that
    "bought from category X in the last N days" is one indexed EXISTS over this table.
    """

    __tablename__ = "order_item"
    __table_args__ = (
        Index("ix_order_item_customer_category_placed", "customer_id", "category", "placed_at"),
        Index("ix_order_item_customer_product_placed", "customer_id", "product_id", "placed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True, ondelete="CASCADE")
    product_id: int = Field(foreign_key="product.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    category: str = Field(max_length=100)
    placed_at: datetime
    quantity: int
    unit_price: Decimal = Field(sa_column=money_column())


class ProductSalesMetrics(SQLModel, table=True):
    __tablename__ = "product_sales_metrics"

    product_id: int = Field(foreign_key="product.id", primary_key=True, ondelete="CASCADE")
    units_sold: int = 0
    order_count: int = 0
    revenue: Decimal = Field(default=Decimal("0"), sa_column=money_column())
    last_sold_at: datetime | None = None


class CustomerProductAffinity(SQLModel, table=True):
    """How much a customer buys a product: the basis for recommendations and segments."""

    __tablename__ = "customer_product_affinity"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    product_id: int = Field(foreign_key="product.id", primary_key=True, index=True)
    units: int = 0
    order_count: int = 0
    total_spent: Decimal = Field(default=Decimal("0"), sa_column=money_column())
    last_purchased_at: datetime | None = None
