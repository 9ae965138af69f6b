"""Customers: CRUD, search, consent, metrics, orders, timeline and CSV import."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from sqlalchemy import or_
from sqlmodel import Session, select

from api.deps import SessionDep
from api.errors import ApiError
from api.pagination import decode_cursor, page_of
from core.customer_import import CsvImportError, import_customers_csv
from core.customers import create_customer, set_consent
from core.models import (
    Customer,
    CustomerMetrics,
    CustomerPreferences,
    Event,
    FlowRun,
    Message,
    Order,
    OrderItem,
)
from core.schemas.commerce import OrderItemPublic, OrderPublic
from core.schemas.common import Page
from core.schemas.customer import (
    CustomerCreate,
    CustomerDetail,
    CustomerPublic,
    CustomerUpdate,
    ImportResult,
    MetricsPublic,
    PreferencesPublic,
    PreferencesUpdate,
    TimelineItem,
)
from core.timeutil import utcnow

router = APIRouter(prefix="/customers", tags=["customers"])

Limit = Annotated[int, Query(ge=1, le=500)]


def get_customer_or_404(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ApiError(404, f"customer {customer_id} not found")
    return customer


def _detail(session: Session, customer: Customer) -> CustomerDetail:
    detail = CustomerDetail.model_validate(customer)
    prefs = session.get(CustomerPreferences, customer.id)
    metrics = session.get(CustomerMetrics, customer.id)
    detail.preferences = PreferencesPublic.model_validate(prefs) if prefs else None
    detail.metrics = MetricsPublic.model_validate(metrics) if metrics else None
    return detail


@router.get("", operation_id="customers-list", response_model=Page[CustomerPublic])
def list_customers(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="search email and names")] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    cursor: str | None = None,
    limit: Limit = 50,
):
    stmt = select(Customer).order_by(Customer.id).limit(limit + 1)
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Customer.id > after)
    if q:
        term = q.strip().lower()
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            or_(
                Customer.email.like(pattern, escape="\\"),
                Customer.first_name.ilike(pattern, escape="\\"),
                Customer.last_name.ilike(pattern, escape="\\"),
            )
        )
    if country:
        stmt = stmt.where(Customer.country == country.upper())
    rows, next_cursor = page_of(list(session.exec(stmt)), limit)
    return Page[CustomerPublic](data=rows, next_cursor=next_cursor)


@router.post("", operation_id="customers-create", status_code=201, response_model=CustomerDetail)
def create(body: CustomerCreate, session: SessionDep):
    if session.exec(select(Customer.id).where(Customer.email == body.email)).first() is not None:
        raise ApiError(409, f"a customer with email {body.email} already exists", field="email")
    customer = create_customer(session, body)
    session.commit()
    return _detail(session, customer)


@router.post("/import", operation_id="customers-import", response_model=ImportResult)
async def import_csv(request: Request, session: SessionDep, file: UploadFile | None = None):
    """Upsert customers by email from a CSV (multipart `file`, or a `text/csv` body).

    Columns: email (required), first_name, last_name, phone, country, city, timezone,
    email_opt_in, push_opt_in, and any `attributes.<key>` columns. Bad rows are listed with their
    line number; the good ones are imported in one transaction.
    """
    try:
        if file is not None:
            result = await import_customers_csv(session, _iter_upload(file))
        else:
            content_type = request.headers.get("content-type", "")
            if not content_type.startswith(("text/csv", "text/plain", "application/csv")):
                raise ApiError(415, "send the CSV as multipart field `file` or as a text/csv body")
            result = await import_customers_csv(session, request.stream())
    except CsvImportError as exc:
        session.rollback()
        raise ApiError(422, str(exc)) from exc
    session.commit()
    return result


async def _iter_upload(file: UploadFile):
    while chunk := await file.read(64 * 1024):
        yield chunk


@router.get("/{customer_id}", operation_id="customers-get", response_model=CustomerDetail)
def get(customer_id: int, session: SessionDep):
    return _detail(session, get_customer_or_404(session, customer_id))


@router.patch("/{customer_id}", operation_id="customers-update", response_model=CustomerDetail)
def update(customer_id: int, body: CustomerUpdate, session: SessionDep):
    customer = get_customer_or_404(session, customer_id)
    changes = body.model_dump(exclude_unset=True)
    if "email" in changes:
        if changes["email"] is None:
            raise ApiError(422, "email cannot be removed", field="email")
        clash = session.exec(
            select(Customer.id).where(
                Customer.email == changes["email"], Customer.id != customer_id
            )
        ).first()
        if clash is not None:
            raise ApiError(
                409, f"a customer with email {changes['email']} already exists", field="email"
            )
    if changes.get("attributes") is None:
        changes.pop("attributes", None)
    for key, value in changes.items():
        setattr(customer, key, value)
    customer.updated_at = utcnow()
    session.add(customer)
    session.commit()
    return _detail(session, customer)


@router.delete("/{customer_id}", operation_id="customers-delete", status_code=204)
def delete(customer_id: int, session: SessionDep) -> None:
    customer = get_customer_or_404(session, customer_id)
    session.delete(customer)
    session.commit()


@router.patch(
    "/{customer_id}/preferences",
    operation_id="customers-update-preferences",
    response_model=PreferencesPublic,
)
def update_preferences(customer_id: int, body: PreferencesUpdate, session: SessionDep):
    get_customer_or_404(session, customer_id)
    prefs = set_consent(session, customer_id, source="admin", **body.model_dump(exclude_unset=True))
    session.commit()
    return prefs


@router.get(
    "/{customer_id}/metrics", operation_id="customers-metrics", response_model=MetricsPublic
)
def metrics(customer_id: int, session: SessionDep):
    get_customer_or_404(session, customer_id)
    return session.get(CustomerMetrics, customer_id)


@router.get(
    "/{customer_id}/orders", operation_id="customers-orders", response_model=Page[OrderPublic]
)
def orders(customer_id: int, session: SessionDep, cursor: str | None = None, limit: Limit = 50):
    get_customer_or_404(session, customer_id)
    stmt = select(Order).where(Order.customer_id == customer_id).order_by(Order.id.desc())
    before = decode_cursor(cursor)
    if before is not None:
        stmt = stmt.where(Order.id < before)
    rows, next_cursor = page_of(list(session.exec(stmt.limit(limit + 1))), limit)
    items_by_order: dict[int, list[OrderItemPublic]] = {}
    if rows:
        for item in session.exec(
            select(OrderItem).where(OrderItem.order_id.in_([o.id for o in rows]))
        ):
            items_by_order.setdefault(item.order_id, []).append(
                OrderItemPublic.model_validate(item)
            )
    data = [
        OrderPublic.model_validate(o).model_copy(update={"items": items_by_order.get(o.id, [])})
        for o in rows
    ]
    return Page[OrderPublic](data=data, next_cursor=next_cursor)


@router.get(
    "/{customer_id}/timeline", operation_id="customers-timeline", response_model=list[TimelineItem]
)
def timeline(customer_id: int, session: SessionDep, limit: Limit = 100):
    """Orders, events, messages and flow runs, newest first."""
    get_customer_or_404(session, customer_id)
    items: list[TimelineItem] = []
    for o in session.exec(
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc())
        .limit(limit)
    ):
        items.append(
            TimelineItem(
                kind="order",
                at=o.placed_at,
                title=f"Order #{o.id}",
                detail={"order_id": o.id, "total": float(o.total)},
            )
        )
    for e in session.exec(
        select(Event)
        .where(Event.customer_id == customer_id)
        .order_by(Event.occurred_at.desc())
        .limit(limit)
    ):
        items.append(
            TimelineItem(
                kind="event",
                at=e.occurred_at,
                title=e.name,
                detail={"event_id": e.id, "properties": e.properties},
            )
        )
    for m in session.exec(
        select(Message)
        .where(Message.customer_id == customer_id)
        .order_by(Message.created_at.desc())
        .limit(limit)
    ):
        items.append(
            TimelineItem(
                kind="message",
                at=m.sent_at or m.created_at,
                title=f"{m.channel} {m.status}: {m.subject or ''}".strip(),
                detail={
                    "message_id": m.id,
                    "status": m.status,
                    "campaign_id": m.campaign_id,
                    "flow_id": m.flow_id,
                    "opens": m.open_count,
                    "clicks": m.click_count,
                },
            )
        )
    for r in session.exec(
        select(FlowRun)
        .where(FlowRun.customer_id == customer_id)
        .order_by(FlowRun.started_at.desc())
        .limit(limit)
    ):
        items.append(
            TimelineItem(
                kind="flow_run",
                at=r.started_at,
                title=f"Flow {r.flow_id}: {r.status}",
                detail={
                    "run_id": r.id,
                    "flow_id": r.flow_id,
                    "status": r.status,
                    "current_step": r.current_step,
                    "workflow_id": r.workflow_id,
                },
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
