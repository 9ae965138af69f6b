"""Tracking events. Flows hook in here to start or end runs (see the flows capability)."""

from fastapi import APIRouter
from sqlmodel import select

from api.deps import SessionDep
from api.errors import ApiError
from core.models import Customer, Event
from core.schemas.event import EventCreate, EventPublic
from core.timeutil import utcnow

router = APIRouter(prefix="/events", tags=["events"])


def resolve_customer(session, body: EventCreate) -> Customer:
    if body.customer_id is not None:
        customer = session.get(Customer, body.customer_id)
        if customer is None:
            raise ApiError(404, f"customer {body.customer_id} not found", field="customer_id")
        if body.email and customer.email != body.email.lower():
            raise ApiError(422, "customer_id and email name different customers", field="email")
        return customer
    customer = session.exec(select(Customer).where(Customer.email == body.email.lower())).first()
    if customer is None:
        raise ApiError(404, f"no customer with email {body.email}", field="email")
    return customer


@router.post("", operation_id="events-track", status_code=201, response_model=EventPublic)
def track(body: EventCreate, session: SessionDep):
    customer = resolve_customer(session, body)
    event = Event(
        customer_id=customer.id,
        name=body.name,
        properties=body.properties,
        occurred_at=body.occurred_at or utcnow(),
    )
    session.add(event)
    session.commit()
    return event
