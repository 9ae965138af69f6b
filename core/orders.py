"""Placing orders. The customer's metrics, the products' sales metrics and the customer-product
affinity are recomputed from the order tables in SQL, in the caller's transaction."""

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlmodel import Session

from core.models import (
    Customer,
    CustomerMetrics,
    CustomerProductAffinity,
    Order,
    OrderItem,
    Product,
    ProductSalesMetrics,
)
from core.schemas.commerce import OrderCreate
from core.sql import dialect_insert
from core.timeutil import utcnow


class OrderRejected(ValueError):
    """The order refers to something that does not exist; `field` names where."""

    def __init__(self, field: str, message: str, status_code: int = 422):
        super().__init__(message)
        self.field = field
        self.status_code = status_code


def place_order(session: Session, data: OrderCreate) -> tuple[Order, list[OrderItem]]:
    if session.get(Customer, data.customer_id) is None:
        raise OrderRejected("customer_id", f"customer {data.customer_id} does not exist", 404)
    product_ids = {item.product_id for item in data.items}
    products = {
        p.id: p for p in session.exec(select(Product).where(Product.id.in_(product_ids))).scalars()
    }
    for index, item in enumerate(data.items):
        if item.product_id not in products:
            raise OrderRejected(
                f"items[{index}].product_id", f"product {item.product_id} does not exist"
            )

    placed_at = data.placed_at or utcnow()
    lines = []
    total = Decimal("0")
    for item in data.items:
        product = products[item.product_id]
        unit_price = item.unit_price if item.unit_price is not None else Decimal(product.price)
        total += unit_price * item.quantity
        lines.append((product, item.quantity, unit_price))

    order = Order(
        customer_id=data.customer_id, placed_at=placed_at, total=total, currency=data.currency
    )
    session.add(order)
    session.flush()
    items = [
        OrderItem(
            order_id=order.id,
            product_id=product.id,
            customer_id=data.customer_id,
            category=product.category,
            placed_at=placed_at,
            quantity=quantity,
            unit_price=unit_price,
        )
        for product, quantity, unit_price in lines
    ]
    session.add_all(items)
    session.flush()
    refresh_customer_metrics(session, [data.customer_id])
    refresh_product_metrics(session, product_ids)
    refresh_affinity(session, data.customer_id, product_ids)
    return order, items


def refresh_customer_metrics(session: Session, customer_ids: Iterable[int] | None) -> None:
    """Recompute metrics from orders; `None` recomputes every customer (after a bulk load)."""
    mine = Order.customer_id == CustomerMetrics.customer_id
    count = select(func.count(Order.id)).where(mine).scalar_subquery()
    total = select(func.coalesce(func.sum(Order.total), 0)).where(mine).scalar_subquery()
    avg = select(func.coalesce(func.round(func.avg(Order.total), 2), 0)).where(mine)
    stmt = update(CustomerMetrics).values(
        order_count=count,
        total_spent=total,
        avg_order_value=avg.scalar_subquery(),
        first_order_at=select(func.min(Order.placed_at)).where(mine).scalar_subquery(),
        last_order_at=select(func.max(Order.placed_at)).where(mine).scalar_subquery(),
        updated_at=utcnow(),
    )
    if customer_ids is not None:
        stmt = stmt.where(CustomerMetrics.customer_id.in_(list(customer_ids)))
    session.execute(stmt)


def refresh_product_metrics(session: Session, product_ids: Iterable[int]) -> None:
    ids = list(product_ids)
    session.execute(
        dialect_insert(session, ProductSalesMetrics.__table__)
        .values(
            [{"product_id": pid, "units_sold": 0, "order_count": 0, "revenue": 0} for pid in ids]
        )
        .on_conflict_do_nothing(index_elements=["product_id"])
    )
    mine = OrderItem.product_id == ProductSalesMetrics.product_id
    session.execute(
        update(ProductSalesMetrics)
        .where(ProductSalesMetrics.product_id.in_(ids))
        .values(
            units_sold=select(func.coalesce(func.sum(OrderItem.quantity), 0))
            .where(mine)
            .scalar_subquery(),
            order_count=select(func.count(func.distinct(OrderItem.order_id)))
            .where(mine)
            .scalar_subquery(),
            revenue=select(func.coalesce(func.sum(OrderItem.quantity * OrderItem.unit_price), 0))
            .where(mine)
            .scalar_subquery(),
            last_sold_at=select(func.max(OrderItem.placed_at)).where(mine).scalar_subquery(),
        )
    )


def refresh_affinity(session: Session, customer_id: int, product_ids: Iterable[int]) -> None:
    ids = list(product_ids)
    table = CustomerProductAffinity
    session.execute(
        dialect_insert(session, table.__table__)
        .values(
            [
                {
                    "customer_id": customer_id,
                    "product_id": pid,
                    "units": 0,
                    "order_count": 0,
                    "total_spent": 0,
                }
                for pid in ids
            ]
        )
        .on_conflict_do_nothing(index_elements=["customer_id", "product_id"])
    )
    mine = (OrderItem.customer_id == table.customer_id) & (OrderItem.product_id == table.product_id)
    session.execute(
        update(table)
        .where(table.customer_id == customer_id, table.product_id.in_(ids))
        .values(
            units=select(func.coalesce(func.sum(OrderItem.quantity), 0))
            .where(mine)
            .scalar_subquery(),
            order_count=select(func.count(func.distinct(OrderItem.order_id)))
            .where(mine)
            .scalar_subquery(),
            total_spent=select(
                func.coalesce(func.sum(OrderItem.quantity * OrderItem.unit_price), 0)
            )
            .where(mine)
            .scalar_subquery(),
            last_purchased_at=select(func.max(OrderItem.placed_at)).where(mine).scalar_subquery(),
        )
    )
