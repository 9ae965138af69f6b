"""Customer creation and consent changes: every customer has a preferences and a metrics row."""

from sqlalchemy import insert
from sqlmodel import Session

from core.models import Customer, CustomerMetrics, CustomerPreferences
from core.schemas.customer import CustomerCreate
from core.timeutil import utcnow


def create_customer(session: Session, data: CustomerCreate, source: str = "api") -> Customer:
    customer = Customer(**data.model_dump(exclude={"email_opt_in", "push_opt_in"}))
    session.add(customer)
    session.flush()
    session.add(
        CustomerPreferences(
            customer_id=customer.id,
            email_opt_in=data.email_opt_in,
            push_opt_in=data.push_opt_in,
            source=source,
        )
    )
    session.add(CustomerMetrics(customer_id=customer.id))
    session.flush()
    return customer


def ensure_side_rows(session: Session, customer_ids: list[int], source: str) -> None:
    """Create preferences and metrics rows for customers inserted in bulk."""
    if not customer_ids:
        return
    now = utcnow()
    session.execute(
        insert(CustomerPreferences),
        [
            {
                "customer_id": cid,
                "email_opt_in": True,
                "push_opt_in": True,
                "source": source,
                "updated_at": now,
            }
            for cid in customer_ids
        ],
    )
    session.execute(
        insert(CustomerMetrics),
        [
            {
                "customer_id": cid,
                "total_spent": 0,
                "avg_order_value": 0,
                "order_count": 0,
                "updated_at": now,
            }
            for cid in customer_ids
        ],
    )


def set_consent(
    session: Session,
    customer_id: int,
    *,
    email_opt_in: bool | None = None,
    push_opt_in: bool | None = None,
    source: str = "api",
) -> CustomerPreferences | None:
    prefs = session.get(CustomerPreferences, customer_id)
    if prefs is None:
        return None
    now = utcnow()
    if email_opt_in is not None and email_opt_in != prefs.email_opt_in:
        prefs.email_opt_in = email_opt_in
        prefs.email_unsubscribed_at = None if email_opt_in else now
    if push_opt_in is not None and push_opt_in != prefs.push_opt_in:
        prefs.push_opt_in = push_opt_in
        prefs.push_unsubscribed_at = None if push_opt_in else now
    prefs.source = source
    prefs.updated_at = now
    session.add(prefs)
    session.flush()
    return prefs
