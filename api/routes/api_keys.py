"""API keys: create (the key is shown once), list (prefix only) and revoke."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlmodel import select

from api.deps import SessionDep
from api.errors import ApiError
from api.pagination import decode_cursor, page_of
from core.models import ApiKey
from core.schemas.common import STRICT, NonEmptyStr, Page
from core.security import key_prefix, new_api_key, token_hash
from core.timeutil import UtcDatetime, utcnow

router = APIRouter(prefix="/api-keys", tags=["api-keys"])

ApiKeyId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class ApiKeyCreate(BaseModel):
    model_config = STRICT

    name: NonEmptyStr = Field(max_length=100)


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None = None
    revoked_at: UtcDatetime | None = None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The secret key. It is shown only in this response.")


def _public(row: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(row, from_attributes=True)


@router.get("", operation_id="api-keys-list", response_model=Page[ApiKeyPublic])
def list_api_keys(
    session: SessionDep,
    include_revoked: bool = True,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    stmt = select(ApiKey).order_by(ApiKey.id).limit(limit + 1)
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(ApiKey.id > after)
    if not include_revoked:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    rows, next_cursor = page_of(list(session.exec(stmt)), limit)
    return Page[ApiKeyPublic](data=[_public(r) for r in rows], next_cursor=next_cursor)


@router.post("", operation_id="api-keys-create", response_model=ApiKeyCreated, status_code=201)
def create_api_key(body: ApiKeyCreate, session: SessionDep):
    key = new_api_key()
    row = ApiKey(name=body.name, prefix=key_prefix(key), key_hash=token_hash(key))
    session.add(row)
    session.commit()
    session.refresh(row)
    return ApiKeyCreated(**_public(row).model_dump(), key=key)


@router.delete("/{api_key_id}", operation_id="api-keys-revoke", status_code=204)
def revoke_api_key(api_key_id: ApiKeyId, session: SessionDep) -> None:
    """Revoking is permanent and idempotent; the row stays so its use remains auditable."""
    row = session.get(ApiKey, api_key_id)
    if row is None:
        raise ApiError(404, f"API key {api_key_id} not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()
