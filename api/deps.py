"""Dependencies as aliases, so routes read like plain functions."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import Client

from core.config import Settings
from core.models import ApiKey, User, UserSession
from core.security import constant_time_equal, token_hash
from core.timeutil import utcnow

SESSION_COOKIE = "nudge_session"
LAST_USED_PRECISION = timedelta(minutes=1)

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer nk_...`")


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the route commits, anything else rolls back."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
EngineDep = Annotated[Engine, Depends(get_engine)]


class Principal:
    """Who is calling: a UI user (session cookie) or an API key."""

    def __init__(self, *, user: User | None = None, api_key: ApiKey | None = None):
        self.user = user
        self.api_key = api_key

    @property
    def label(self) -> str:
        return self.user.email if self.user else f"key:{self.api_key.prefix}"


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def get_current_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    now = utcnow()
    if credentials is not None:
        digest = token_hash(credentials.credentials)
        key = session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first()
        if key is None or not constant_time_equal(key.key_hash, digest):
            raise _unauthorized("invalid API key")
        if key.revoked_at is not None:
            raise _unauthorized("this API key was revoked")
        # A write per request would serialise every API call on SQLite; a minute's precision
        # is all "last used" needs.
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
            key.last_used_at = now
            session.add(key)
            session.commit()
        return Principal(api_key=key)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        row = session.get(UserSession, token_hash(cookie))
        if row is not None and row.expires_at > now:
            user = session.get(User, row.user_id)
            if user is not None:
                return Principal(user=user)
        raise _unauthorized("your session has expired; log in again")
    raise _unauthorized("authentication required: a bearer API key or a session cookie")


CurrentPrincipal = Annotated[Principal, Depends(get_current_principal)]


async def get_temporal_client(request: Request) -> Client:
    """The app's Temporal client, connected on first use so the API starts without Temporal."""
    state = request.app.state
    if getattr(state, "temporal_client", None) is None:
        from core.temporal_client import connect_temporal

        try:
            state.temporal_client = await connect_temporal(state.settings)
        except Exception as exc:  # noqa: BLE001 - any connect failure means "unavailable"
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail=f"Temporal is not reachable at {state.settings.temporal_address}: {exc}",
            ) from exc
    return state.temporal_client


TemporalClient = Annotated[Client, Depends(get_temporal_client)]
