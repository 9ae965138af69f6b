"""The demo store: believable, consistent aggregates, plain-ASCII addresses."""

from sqlalchemy import func, select
from sqlmodel import Session

from core.demo_data import seed_demo_data
from core.models import Customer, CustomerMetrics, Order, OrderItem, Product, ProductSalesMetrics
from core.orders import refresh_customer_metrics


def test_seeded_metrics_match_the_orders(engine):
    counts = seed_demo_data(engine, 300, seed=7)
    assert counts["customers"] == 300 and counts["orders"] > 100 and counts["events"] > 100
    with Session(engine) as session:
        emails = session.exec(select(Customer.email)).scalars().all()
        assert all(email.isascii() for email in emails)
        bulk = {
            m.customer_id: (
                float(m.total_spent),
                m.order_count,
                float(m.avg_order_value),
                m.last_order_at,
            )
            for m in session.exec(select(CustomerMetrics)).scalars()
        }
        assert len(bulk) == 300
        # The per-order path (used when an order is placed through the API) must agree.
        refresh_customer_metrics(session, None)
        session.flush()
        again = {
            m.customer_id: (
                float(m.total_spent),
                m.order_count,
                float(m.avg_order_value),
                m.last_order_at,
            )
            for m in session.exec(select(CustomerMetrics)).scalars()
        }
        session.rollback()
        assert again == bulk
        revenue = session.exec(select(func.sum(Order.total))).scalar_one()
        lines = session.exec(
            select(func.sum(OrderItem.quantity * OrderItem.unit_price))
        ).scalar_one()
        product_revenue = session.exec(select(func.sum(ProductSalesMetrics.revenue))).scalar_one()
        assert (
            round(float(revenue), 2) == round(float(lines), 2) == round(float(product_revenue), 2)
        )
        assert session.exec(select(func.count(Product.id))).scalar_one() == counts["products"]


def test_seeding_twice_adds_customers_not_products(engine):
    first = seed_demo_data(engine, 50, seed=1)
    second = seed_demo_data(engine, 50, seed=2)
    assert first["products"] > 0 and second["products"] == 0
    with Session(engine) as session:
        assert session.exec(select(func.count(Customer.id))).scalar_one() == 100
        assert session.exec(select(func.count(CustomerMetrics.customer_id))).scalar_one() == 100
