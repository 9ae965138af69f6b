"""Segment request and response models. `criteria` is validated by core.segments (so that
errors name the path inside the criteria); these models only carry it."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.schemas.common import STRICT, NonEmptyStr
from core.timeutil import UtcDatetime


class SegmentCreate(BaseModel):
    model_config = STRICT

    name: NonEmptyStr = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    criteria: dict[str, Any]


class SegmentUpdate(BaseModel):
    model_config = STRICT

    name: NonEmptyStr | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    criteria: dict[str, Any] | None = None


class SegmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    criteria: dict[str, Any]
    customer_count: int | None = None
    computed_at: UtcDatetime | None = None  # when customer_count was counted
    created_at: UtcDatetime
    updated_at: UtcDatetime


class PreviewRequest(BaseModel):
    model_config = STRICT

    criteria: dict[str, Any]
    as_of: UtcDatetime | None = None  # default: now


class MemberPublic(BaseModel):
    """A customer as listed in a segment: enough to recognise them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    first_name: str
    last_name: str
    country: str | None = None
    city: str | None = None


class PreviewResult(BaseModel):
    count: int
    sample: list[MemberPublic]  # the first members by id
    as_of: UtcDatetime


class FieldInfo(BaseModel):
    name: str
    label: str
    type: str  # number, text, boolean, date; attribute, event, product for the special forms
    kind: str  # field, attribute, event or product
    operators: list[str]
    description: str | None = None


class SegmentFields(BaseModel):
    data: list[FieldInfo]
    next_cursor: str | None = None
    units: list[str]  # for relative dates: {"amount": N, "unit": ...}
    max_depth: int  # how deep groups may nest
