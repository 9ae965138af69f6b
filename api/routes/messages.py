"""The message log: every message with its fate; the outbox's rendered messages."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep
from api.errors import ApiError
from api.pagination import decode_cursor, page_of
from core.messaging.compose import text_of
from core.models import Message
from core.schemas.common import Page
from core.schemas.message import MessageDetail, MessagePublic, MessageStatus

router = APIRouter(prefix="/messages", tags=["messages"])

Id = Annotated[int | None, Query(gt=0, le=2**63 - 1)]


@router.get("", operation_id="messages-list", response_model=Page[MessagePublic])
def list_messages(
    session: SessionDep,
    campaign_id: Id = None,
    flow_id: Id = None,
    flow_run_id: Id = None,
    customer_id: Id = None,
    status: MessageStatus | None = None,
    channel: Annotated[str | None, Query(pattern="^(email|push)$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
):
    """Newest first. Filters combine; pass `next_cursor` back as `cursor` for the next page."""
    stmt = Message.__table__.select().order_by(Message.id.desc()).limit(limit + 1)
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Message.id < after)
    for column, value in (
        (Message.campaign_id, campaign_id),
        (Message.flow_id, flow_id),
        (Message.flow_run_id, flow_run_id),
        (Message.customer_id, customer_id),
        (Message.status, status),
        (Message.channel, channel),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    # Listing never loads the rendered bodies.
    stmt = stmt.with_only_columns(
        *[c for c in Message.__table__.c if c.name not in ("html", "text", "payload", "links")]
    )
    rows = session.execute(stmt).mappings().all()
    rows, next_cursor = page_of(list(rows), limit, key=lambda row: row["id"])
    return Page[MessagePublic](
        data=[MessagePublic.model_validate(dict(row)) for row in rows], next_cursor=next_cursor
    )


@router.get("/{message_id}", operation_id="messages-get", response_model=MessageDetail)
def get_message(message_id: int, session: SessionDep):
    message = session.get(Message, message_id)
    if message is None:
        raise ApiError(404, f"message {message_id} not found")
    detail = MessageDetail.model_validate(message)
    payload = message.payload or {}
    if message.channel == "email":
        detail.preheader = payload.get("preheader")
        detail.headers = payload.get("headers") or {}
        detail.payload = None
        if message.html:
            detail.text = text_of(message.html, message.text)
    return detail
