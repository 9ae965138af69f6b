"""Time helpers. Every datetime in Nudge is timezone-aware UTC (SQLModel stores it as UTC on
every backend). The API accepts any offset, treats a naive time as UTC, and answers `...Z`."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    return to_utc(value).isoformat().replace("+00:00", "Z")


# For request and response models: in, any offset (naive means UTC); out, `...Z`.
UtcDatetime = Annotated[
    datetime,
    AfterValidator(to_utc),
    PlainSerializer(iso_utc, return_type=str, when_used="json"),
]
