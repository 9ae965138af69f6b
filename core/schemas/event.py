"""Tracked events."""

from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from core.schemas.common import STRICT
from core.timeutil import UtcDatetime

EVENT_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_.:-]{0,99}$"


class EventCreate(BaseModel):
    model_config = STRICT

    customer_id: int | None = Field(default=None, gt=0)
    email: EmailStr | None = None
    name: str = Field(pattern=EVENT_NAME_PATTERN)
    properties: dict[str, Any] = Field(default_factory=dict)
    occurred_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _one_identity(self) -> "EventCreate":
        if self.customer_id is None and self.email is None:
            raise ValueError("give customer_id or email")
        return self


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    name: str
    properties: dict[str, Any]
    occurred_at: UtcDatetime
