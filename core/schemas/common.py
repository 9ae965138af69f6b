"""Shapes shared by every resource."""

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints

T = TypeVar("T")

# Request bodies refuse unknown fields: a typo is an error, not a silent no-op.
STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
CountryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")
]


class Page(BaseModel, Generic[T]):
    """Every list: `{"data": [...], "next_cursor": ...}`. Pass next_cursor back as `cursor`."""

    data: list[T]
    next_cursor: str | None = None


class Message(BaseModel):
    detail: str


JsonDict = dict[str, Any]
