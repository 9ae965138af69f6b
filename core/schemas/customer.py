"""Customer request and response models."""

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from core.schemas.common import STRICT, CountryCode
from core.timeutil import UtcDatetime


def check_timezone(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {value!r}; use an IANA name like Europe/Paris") from exc
    return value


class CustomerBase(BaseModel):
    model_config = STRICT

    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    country: CountryCode | None = None
    city: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    attributes: dict[str, Any] = Field(default_factory=dict)

    _tz = field_validator("timezone")(check_timezone)


class CustomerCreate(CustomerBase):
    email: EmailStr
    email_opt_in: bool = True
    push_opt_in: bool = True

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class CustomerUpdate(BaseModel):
    model_config = STRICT

    email: EmailStr | None = None
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    country: CountryCode | None = None
    city: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    attributes: dict[str, Any] | None = None

    _tz = field_validator("timezone")(check_timezone)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.lower() if value else value


class PreferencesUpdate(BaseModel):
    model_config = STRICT

    email_opt_in: bool | None = None
    push_opt_in: bool | None = None


class PreferencesPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    email_opt_in: bool
    push_opt_in: bool
    email_unsubscribed_at: UtcDatetime | None = None
    push_unsubscribed_at: UtcDatetime | None = None
    source: str
    updated_at: UtcDatetime


class MetricsPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    customer_id: int
    total_spent: float
    order_count: int
    avg_order_value: float
    first_order_at: UtcDatetime | None = None
    last_order_at: UtcDatetime | None = None


class CustomerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    country: str | None = None
    city: str | None = None
    timezone: str | None = None
    attributes: dict[str, Any]
    created_at: UtcDatetime
    updated_at: UtcDatetime


class CustomerDetail(CustomerPublic):
    preferences: PreferencesPublic | None = None
    metrics: MetricsPublic | None = None


class ImportReject(BaseModel):
    row: int  # 1-based line number in the file, header = line 1
    reason: str


class ImportResult(BaseModel):
    created: int
    updated: int
    rejected: int
    rejects: list[ImportReject]  # the first MAX_LISTED_REJECTS; `rejected` counts them all
    rejects_truncated: bool = False


class TimelineItem(BaseModel):
    kind: str  # order | event | message | flow_run
    at: UtcDatetime
    title: str
    detail: dict[str, Any] = Field(default_factory=dict)
