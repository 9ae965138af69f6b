"""Segments: saved criteria, live counts and members, previews, and the field registry."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from sqlmodel import Session, select

from api.deps import SessionDep
from api.errors import ApiError
from api.pagination import decode_cursor, page_of
from core.models import Customer, Segment
from core.schemas.common import Page
from core.schemas.segment import (
    MemberPublic,
    PreviewRequest,
    PreviewResult,
    SegmentCreate,
    SegmentFields,
    SegmentPublic,
    SegmentUpdate,
)
from core.segments import (
    MAX_DEPTH,
    CriteriaError,
    CriteriaGroup,
    count_members,
    criteria_clause,
    parse_criteria,
    registry_json,
)
from core.segments.fields import UNITS
from core.timeutil import to_utc, utcnow

router = APIRouter(prefix="/segments", tags=["segments"])

SAMPLE_SIZE = 20


def parse_or_422(criteria: Any) -> CriteriaGroup:
    """Criteria, or a 422 listing every problem with its path (`criteria.conditions[2].value`)."""
    try:
        return parse_criteria(criteria)
    except CriteriaError as exc:
        raise RequestValidationError(
            [
                {"type": "criteria", "loc": ("body", "criteria", *e.loc), "msg": e.message}
                for e in exc.errors
            ]
        ) from exc


def get_segment_or_404(session: Session, segment_id: int) -> Segment:
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise ApiError(404, f"segment {segment_id} not found")
    return segment


def stored_criteria(segment: Segment) -> CriteriaGroup:
    """A saved segment's criteria; a 409 (not a 500) if they no longer validate."""
    try:
        return parse_criteria(segment.criteria)
    except CriteriaError as exc:
        raise ApiError(
            409, f"segment {segment.id} has invalid criteria ({exc}); fix them with PATCH"
        ) from exc


def _recount(session: Session, segment: Segment, group: CriteriaGroup) -> None:
    now = utcnow()
    segment.customer_count = count_members(session, group, now)
    segment.computed_at = now


@router.get("", operation_id="segments-list", response_model=Page[SegmentPublic])
def list_segments(
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
):
    stmt = select(Segment).order_by(Segment.id).limit(limit + 1)
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Segment.id > after)
    rows, next_cursor = page_of(list(session.exec(stmt)), limit)
    return Page[SegmentPublic](data=rows, next_cursor=next_cursor)


@router.get("/fields", operation_id="segments-fields", response_model=SegmentFields)
def fields():
    """What criteria can test: each field's name, label, type and operators."""
    return SegmentFields(data=registry_json(), units=list(UNITS), max_depth=MAX_DEPTH)


@router.post("/preview", operation_id="segments-preview", response_model=PreviewResult)
def preview(body: PreviewRequest, session: SessionDep):
    """How many customers match, and the first 20 of them (by id). Nothing is saved."""
    group = parse_or_422(body.criteria)
    as_of = body.as_of or utcnow()
    count = count_members(session, group, as_of)
    sample = session.exec(
        select(Customer)
        .where(criteria_clause(group, as_of))
        .order_by(Customer.id)
        .limit(SAMPLE_SIZE)
    ).all()
    return PreviewResult(count=count, sample=sample, as_of=as_of)


@router.post("", operation_id="segments-create", status_code=201, response_model=SegmentPublic)
def create(body: SegmentCreate, session: SessionDep):
    group = parse_or_422(body.criteria)
    segment = Segment(name=body.name, description=body.description, criteria=group.to_json())
    _recount(session, segment, group)
    session.add(segment)
    session.commit()
    return segment


@router.get("/{segment_id}", operation_id="segments-get", response_model=SegmentPublic)
def get(
    segment_id: int,
    session: SessionDep,
    refresh: Annotated[bool, Query(description="recount the members now")] = False,
):
    segment = get_segment_or_404(session, segment_id)
    if refresh:
        _recount(session, segment, stored_criteria(segment))
        session.add(segment)
        session.commit()
    return segment


@router.patch("/{segment_id}", operation_id="segments-update", response_model=SegmentPublic)
def update(segment_id: int, body: SegmentUpdate, session: SessionDep):
    segment = get_segment_or_404(session, segment_id)
    changes = body.model_dump(exclude_unset=True)
    for key in ("name", "description", "criteria"):
        if key in changes and changes[key] is None:
            raise ApiError(422, f"{key} cannot be null", field=key)
    if "criteria" in changes:
        group = parse_or_422(changes.pop("criteria"))
        segment.criteria = group.to_json()
        _recount(session, segment, group)
    for key, value in changes.items():
        setattr(segment, key, value)
    segment.updated_at = utcnow()
    session.add(segment)
    session.commit()
    return segment


@router.delete("/{segment_id}", operation_id="segments-delete", status_code=204)
def delete(segment_id: int, session: SessionDep) -> None:
    session.delete(get_segment_or_404(session, segment_id))
    session.commit()


@router.get(
    "/{segment_id}/members", operation_id="segments-members", response_model=Page[MemberPublic]
)
def members(
    segment_id: int,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    as_of: datetime | None = None,
):
    """The customers matching the segment now (or at `as_of`), by id, with keyset pages."""
    segment = get_segment_or_404(session, segment_id)
    when = utcnow() if as_of is None else to_utc(as_of)
    stmt = (
        select(Customer)
        .where(criteria_clause(stored_criteria(segment), when))
        .order_by(Customer.id)
        .limit(limit + 1)
    )
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Customer.id > after)
    rows, next_cursor = page_of(list(session.exec(stmt)), limit)
    return Page[MemberPublic](data=rows, next_cursor=next_cursor)
