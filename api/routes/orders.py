"""Orders. Placing one updates the customer's and the products' metrics in the same transaction."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import select

from api.deps import SessionDep
from api.errors import ApiError
from api.pagination import decode_cursor, page_of
from core.models import Order, OrderItem
from core.orders import OrderRejected, place_order
from core.schemas.commerce import OrderCreate, OrderItemPublic, OrderPublic
from core.schemas.common import Page

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("", operation_id="orders-list", response_model=Page[OrderPublic])
def list_orders(
    session: SessionDep,
    customer_id: Annotated[int | None, Query(gt=0)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
):
    stmt = select(Order).order_by(Order.id.desc()).limit(limit + 1)
    before = decode_cursor(cursor)
    if before is not None:
        stmt = stmt.where(Order.id < before)
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    rows, next_cursor = page_of(list(session.exec(stmt)), limit)
    return Page[OrderPublic](data=rows, next_cursor=next_cursor)


@router.post("", operation_id="orders-create", status_code=201, response_model=OrderPublic)
def create_order(body: OrderCreate, session: SessionDep):
    try:
        order, items = place_order(session, body)
    except OrderRejected as exc:
        session.rollback()
        raise ApiError(exc.status_code, str(exc), field=exc.field) from exc
    session.commit()
    public = OrderPublic.model_validate(order)
    public.items = [OrderItemPublic.model_validate(i) for i in items]
    return public


@router.get("/{order_id}", operation_id="orders-get", response_model=OrderPublic)
def get_order(order_id: int, session: SessionDep):
    order = session.get(Order, order_id)
    if order is None:
        raise ApiError(404, f"order {order_id} not found")
    public = OrderPublic.model_validate(order)
    items = session.exec(select(OrderItem).where(OrderItem.order_id == order_id))
    public.items = [OrderItemPublic.model_validate(i) for i in items]
    return public
